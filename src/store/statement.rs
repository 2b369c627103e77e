//! Building statements for the engine, with one SQLite-specific rewrite: LIMIT values are
//! written into the SQL text rather than bound.
//!
//! SQLite plans with the value of a bound LIMIT and marks the prepared statement stale
//! whenever that parameter is bound again, so every run of a cached statement with
//! `LIMIT ?` was parsed and planned anew (13% of the server's CPU time on a request whose
//! only statement was the API-key lookup). A LIMIT is a `u64` of our own, never text from a
//! caller, and the only `u64` values our statements bind, so writing it in is safe; the
//! statement text then has one form per limit, and the cache keeps each.

use sea_orm::sea_query::Value;
use sea_orm::{ConnectionTrait, DatabaseBackend, QueryResult, Statement, StatementBuilder};

use crate::error::Result;

/// `statement` for `backend`, with LIMIT (`u64`) values written in on SQLite.
pub fn build<S: StatementBuilder>(backend: DatabaseBackend, statement: &S) -> Statement {
    let built = statement.build(&backend);
    if backend == DatabaseBackend::Sqlite { inline_unsigned(built) } else { built }
}

/// Runs a SELECT built with [`build`].
pub async fn query_all<C: ConnectionTrait, S: StatementBuilder>(
    connection: &C,
    statement: &S,
) -> Result<Vec<QueryResult>> {
    Ok(connection.query_all_raw(build(connection.get_database_backend(), statement)).await?)
}

/// Runs a SELECT built with [`build`]; its first row, if any.
pub async fn query_one<C: ConnectionTrait, S: StatementBuilder>(
    connection: &C,
    statement: &S,
) -> Result<Option<QueryResult>> {
    Ok(connection.query_one_raw(build(connection.get_database_backend(), statement)).await?)
}

/// Replaces each `?` placeholder bound to a `u64` by the number itself. Placeholders are
/// found outside quoted identifiers and string literals.
fn inline_unsigned(statement: Statement) -> Statement {
    let Some(values) = &statement.values else {
        return statement;
    };
    if !values.0.iter().any(|value| matches!(value, Value::BigUnsigned(Some(_)))) {
        return statement;
    }
    let mut sql = String::with_capacity(statement.sql.len());
    let mut kept = Vec::with_capacity(values.0.len());
    let mut remaining = values.0.iter();
    let mut quote: Option<char> = None;
    for character in statement.sql.chars() {
        match (quote, character) {
            (Some(open), _) if character == open => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"' | '`') => quote = Some(character),
            (None, '?') => match remaining.next() {
                Some(Value::BigUnsigned(Some(number))) => {
                    sql.push_str(&number.to_string());
                    continue;
                }
                Some(value) => kept.push(value.clone()),
                None => {}
            },
            (None, _) => {}
        }
        sql.push(character);
    }
    kept.extend(remaining.cloned());
    Statement { sql, values: Some(sea_orm::sea_query::Values(kept)), db_backend: statement.db_backend }
}

#[cfg(test)]
mod tests {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};

    use super::*;

    #[test]
    fn sqlite_limits_are_written_in_and_other_values_stay_bound() {
        let mut select = Query::select();
        select
            .column(Alias::new("id"))
            .from(Alias::new("t"))
            .and_where(Expr::col(Alias::new("name")).eq("it's ?"))
            .and_where(Expr::col(Alias::new("n")).gt(5_i64))
            .limit(21);
        let built = build(DatabaseBackend::Sqlite, &select);
        assert_eq!(built.sql, r#"SELECT "id" FROM "t" WHERE "name" = ? AND "n" > ? LIMIT 21"#);
        assert_eq!(
            built.values.map(|values| values.0),
            Some(vec![Value::from("it's ?"), Value::from(5_i64)])
        );
        let postgres = build(DatabaseBackend::Postgres, &select);
        assert!(postgres.sql.ends_with("LIMIT $3"), "{}", postgres.sql);
    }
}
