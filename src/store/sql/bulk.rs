//! Batched inserts for the seeder and the importer: many rows per statement, within the
//! bind-parameter limits of SQLite and PostgreSQL, ids assigned by the caller; and a
//! [`Load`], one transaction on one held connection into which PostgreSQL takes rows by
//! `COPY` (its fastest path: no statement per batch, no bind parameters).

use std::fmt::Write as _;
use std::sync::Arc;

use sea_orm::sea_query::{Iden, Value};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityName, EntityTrait,
    Iterable, Statement,
};

use super::connection::{Connection, Held, Observer};
use crate::error::{Error, Result};

/// Bytes of COPY data sent per statement.
const COPY_BYTES: usize = 8 << 20;
/// SQLite page cache of a load's connection, in KiB.
const LOAD_CACHE_KIB: u32 = 262_144;

/// One transaction on one connection held for a whole bulk load. Rows go in by `COPY` on
/// PostgreSQL and by batched inserts on SQLite; everything else runs on
/// [`Load::connection`], in the same transaction. Dropped without [`Load::commit`], the
/// connection is closed, not given back, and the database rolls the transaction back.
#[derive(Debug)]
pub struct Load {
    held: Arc<Held>,
    connection: Connection,
    finished: bool,
}

impl Load {
    /// Takes a connection of `pool` and begins (on SQLite, takes the write lock at once).
    pub async fn begin(pool: &DatabaseConnection, observer: Observer) -> Result<Self> {
        let held = Arc::new(Held::new(pool.clone(), observer));
        let connection = Connection::Held(Arc::clone(&held));
        let begin = match pool.get_database_backend() {
            DatabaseBackend::Sqlite => "BEGIN IMMEDIATE",
            _ => "BEGIN",
        };
        let load = Self { held, connection, finished: false };
        if pool.get_database_backend() == DatabaseBackend::Sqlite {
            // A load writes far more pages than SQLite's default cache (2 MB) holds: with
            // a larger cache each index page is read once, not once per batch that touches it.
            load.connection.execute_unprepared(&format!("PRAGMA cache_size = -{LOAD_CACHE_KIB}")).await?;
            load.connection.execute_unprepared("PRAGMA temp_store = MEMORY").await?;
        }
        load.connection.execute_unprepared(begin).await?;
        Ok(load)
    }

    /// The load's connection, for statements in its transaction.
    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    /// Inserts `rows`: by `COPY` on PostgreSQL, by batched inserts on SQLite.
    pub async fn insert_all<A>(&self, rows: Vec<A>) -> Result<()>
    where
        A: ActiveModelTrait + Send,
    {
        insert_all(&self.connection, rows).await
    }

    /// Sends rows already in COPY's text format through `statement` (PostgreSQL only).
    pub async fn copy_text(&self, statement: &str, data: &str) -> Result<()> {
        if !data.is_empty() {
            self.held.copy_in(statement, data.as_bytes()).await?;
        }
        Ok(())
    }

    /// Commits the load.
    pub async fn commit(mut self) -> Result<()> {
        self.connection.execute_unprepared("COMMIT").await?;
        self.finished = true;
        if self.connection.get_database_backend() == DatabaseBackend::Sqlite {
            // The connection goes back to the pool: back to the default cache.
            self.connection.execute_unprepared("PRAGMA cache_size = -2000").await?;
        }
        Ok(())
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        if !self.finished {
            self.held.discard();
        }
    }
}

/// Appends `text` as one field of COPY's text format: backslash, tab, newline and carriage
/// return escaped.
pub fn copy_escaped(data: &mut String, text: &str) {
    for character in text.chars() {
        match character {
            '\\' => data.push_str("\\\\"),
            '\t' => data.push_str("\\t"),
            '\n' => data.push_str("\\n"),
            '\r' => data.push_str("\\r"),
            other => data.push(other),
        }
    }
}

/// Appends `value` in COPY's text format (`\N` for NULL).
fn copy_text(data: &mut String, value: &Value) -> Result<()> {
    let escaped = copy_escaped;
    let written = match value {
        Value::Bool(Some(value)) => {
            data.push(if *value { 't' } else { 'f' });
            Ok(())
        }
        Value::TinyInt(Some(value)) => write!(data, "{value}"),
        Value::SmallInt(Some(value)) => write!(data, "{value}"),
        Value::Int(Some(value)) => write!(data, "{value}"),
        Value::BigInt(Some(value)) => write!(data, "{value}"),
        Value::TinyUnsigned(Some(value)) => write!(data, "{value}"),
        Value::SmallUnsigned(Some(value)) => write!(data, "{value}"),
        Value::Unsigned(Some(value)) => write!(data, "{value}"),
        Value::BigUnsigned(Some(value)) => write!(data, "{value}"),
        Value::Double(Some(value)) => write!(data, "{value}"),
        Value::String(Some(text)) => {
            escaped(data, text);
            Ok(())
        }
        Value::Json(Some(json)) => {
            escaped(data, &json.to_string());
            Ok(())
        }
        Value::ChronoDate(Some(date)) => write!(data, "{}", date.format("%Y-%m-%d")),
        Value::ChronoDateTimeUtc(Some(time)) => {
            write!(data, "{}", time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
        }
        Value::Bool(None)
        | Value::TinyInt(None)
        | Value::SmallInt(None)
        | Value::Int(None)
        | Value::BigInt(None)
        | Value::TinyUnsigned(None)
        | Value::SmallUnsigned(None)
        | Value::Unsigned(None)
        | Value::BigUnsigned(None)
        | Value::Double(None)
        | Value::String(None)
        | Value::Json(None)
        | Value::ChronoDate(None)
        | Value::ChronoDateTimeUtc(None) => {
            data.push_str("\\N");
            Ok(())
        }
        other => return Err(Error::Internal(format!("COPY cannot write {other:?}"))),
    };
    written.map_err(|error| Error::Internal(format!("COPY text: {error}")))
}

/// Bind parameters per statement: below SQLite's 32,766 and PostgreSQL's 65,535.
const MAX_PARAMETERS: usize = 30_000;

/// Inserts `rows`: on a held PostgreSQL connection (a [`Load`]'s) by `COPY`, otherwise in as
/// few statements as the parameter limit allows.
pub async fn insert_all<A, C>(connection: &C, rows: Vec<A>) -> Result<()>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait + 'static,
{
    if rows.is_empty() {
        return Ok(());
    }
    if connection.get_database_backend() == DatabaseBackend::Postgres
        && let Some(Connection::Held(held)) = (connection as &dyn std::any::Any).downcast_ref::<Connection>()
        && let Some(columns) = set_columns(&rows)
    {
        return copy_all(held, &columns, rows).await;
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

/// The columns every row sets (the others take their defaults, e.g. a serial id); `None`
/// when rows differ in which they set (they then go in by `INSERT`, which handles that).
fn set_columns<A: ActiveModelTrait>(rows: &[A]) -> Option<Vec<<A::Entity as EntityTrait>::Column>> {
    let set = |row: &A| -> Vec<bool> {
        <A::Entity as EntityTrait>::Column::iter().map(|column| !row.get(column).is_not_set()).collect()
    };
    let first = set(rows.first()?);
    if rows.iter().skip(1).any(|row| set(row) != first) {
        return None;
    }
    Some(
        <A::Entity as EntityTrait>::Column::iter()
            .zip(first)
            .filter_map(|(column, set)| set.then_some(column))
            .collect(),
    )
}

/// Sends `rows` to PostgreSQL by `COPY … FROM STDIN`, in chunks of [`COPY_BYTES`].
async fn copy_all<A>(held: &Held, columns: &[<A::Entity as EntityTrait>::Column], rows: Vec<A>) -> Result<()>
where
    A: ActiveModelTrait + Send,
{
    let names: Vec<String> = columns.iter().map(|column| format!("\"{}\"", column.to_string())).collect();
    let table = <A::Entity as Default>::default().table_name().to_owned();
    let statement = format!("COPY \"{table}\" ({}) FROM STDIN", names.join(", "));
    let mut data = String::with_capacity(COPY_BYTES + 4096);
    for row in rows {
        for (index, column) in columns.iter().enumerate() {
            if index > 0 {
                data.push('\t');
            }
            match row.get(*column).into_value() {
                Some(value) => copy_text(&mut data, &value)?,
                None => data.push_str("\\N"),
            }
        }
        data.push('\n');
        if data.len() >= COPY_BYTES {
            held.copy_in(&statement, data.as_bytes()).await?;
            data.clear();
        }
    }
    if !data.is_empty() {
        held.copy_in(&statement, data.as_bytes()).await?;
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
pub async fn sync_id_sequences<C: ConnectionTrait + 'static>(connection: &C, tables: &[&str]) -> Result<()> {
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
    fn copy_fields_escape_backslashes_tabs_and_line_ends() {
        let mut data = String::new();
        super::copy_escaped(&mut data, "a\tb\\c\nd\re ü");
        assert_eq!(data, "a\\tb\\\\c\\nd\\re ü");
    }

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
