//! Batched inserts for the seeder and the importer: many rows per statement, within the
//! bind-parameter limits of SQLite and PostgreSQL, ids assigned by the caller.

use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseBackend, EntityTrait, Iterable, Statement};

use crate::error::{Error, Result};

/// Bind parameters per statement: below SQLite's 32,766 and PostgreSQL's 65,535.
const MAX_PARAMETERS: usize = 30_000;

/// Inserts `rows` in as few statements as the parameter limit allows.
pub async fn insert_all<A, C>(connection: &C, rows: Vec<A>) -> Result<()>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait,
{
    if rows.is_empty() {
        return Ok(());
    }
    let columns = <A::Entity as EntityTrait>::Column::iter().count().max(1);
    let per_statement = (MAX_PARAMETERS / columns).max(1);
    let mut remaining = rows.len();
    let mut rows = rows.into_iter();
    while remaining > 0 {
        let chunk: Vec<A> = rows.by_ref().take(statement_rows(remaining, per_statement)).collect();
        remaining -= chunk.len();
        <A::Entity as EntityTrait>::insert_many(chunk).exec_without_returning(connection).await?;
    }
    Ok(())
}

/// Rows of the next statement: full statements, then the rest in decreasing powers of two.
/// The drivers keep every distinct statement prepared, per connection; with these few
/// shapes, repeated calls with varying row counts reuse them instead of piling up
/// thousands-of-parameter statements (hundreds of megabytes over a million-case seed).
fn statement_rows(remaining: usize, per_statement: usize) -> usize {
    if remaining >= per_statement { per_statement } else { 1 << remaining.max(1).ilog2() }
}

/// The largest id in `E`'s table (0 when empty), so callers can assign the next ids.
pub async fn max_id<E, C>(connection: &C) -> Result<i64>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let table = E::default().table_name().to_owned();
    let backend = connection.get_database_backend();
    let statement =
        Statement::from_string(backend, format!("SELECT COALESCE(MAX(id), 0) AS max_id FROM {table}"));
    let row = connection
        .query_one_raw(statement)
        .await?
        .ok_or_else(|| Error::Internal(format!("no max(id) row for {table}")))?;
    Ok(row.try_get::<i64>("", "max_id")?)
}

/// After inserts with explicit ids, moves PostgreSQL's id sequences past the largest id
/// (SQLite's rowids need nothing).
pub async fn sync_id_sequences<C: ConnectionTrait>(connection: &C, tables: &[&str]) -> Result<()> {
    if connection.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    for table in tables {
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
             GREATEST(COALESCE((SELECT MAX(id) FROM {table}), 0), 1), \
             (SELECT MAX(id) FROM {table}) IS NOT NULL)"
        );
        connection.execute_raw(Statement::from_string(DatabaseBackend::Postgres, sql)).await?;
    }
    Ok(())
}

/// Tables whose ids callers assign in bulk.
pub const ID_TABLES: [&str; 6] =
    ["collection", "category", "organisation", "cases", "tag", "follow_up_action"];

#[cfg(test)]
mod tests {
    use super::statement_rows;

    #[test]
    fn rows_are_split_into_full_statements_then_powers_of_two() {
        let mut remaining = 2 * 6_000 + 1_300;
        let mut sizes = Vec::new();
        while remaining > 0 {
            let size = statement_rows(remaining, 6_000);
            sizes.push(size);
            remaining -= size;
        }
        assert_eq!(sizes, vec![6_000, 6_000, 1_024, 256, 16, 4]);
    }
}
