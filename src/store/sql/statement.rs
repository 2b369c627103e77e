//! Building statements for the engine, with one SQLite-specific rewrite: LIMIT values are
//! written into the SQL text rather than bound.
//!
//! SQLite plans with the value of a bound LIMIT and marks the prepared statement stale
//! whenever that parameter is bound again, so every run of a cached statement with
//! `LIMIT ?` was parsed and planned anew (13% of the server's CPU time on a request whose
//! only statement was the API-key lookup). A LIMIT is a `u64` of our own, never text from a
//! caller, and the only `u64` values our statements bind, so writing it in is safe; the
//! statement text then has one form per limit, and the cache keeps each.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sea_orm::sea_query::{SelectStatement, Value, Values};
use sea_orm::{ConnectionTrait, DatabaseBackend, QueryResult, Statement, StatementBuilder};

use crate::error::Result;

/// Shapes of statement [`Shapes`] keeps at most.
const SHAPES_KEPT: usize = 1024;

/// Longest list of ids whose statement text [`Shapes`] keeps.
const LONGEST_KEPT_LIST: usize = 1000;

/// Texts of the statements that read by a list of ids (or by a few values), kept by shape.
///
/// Building a statement's SQL with sea-query (quoting and writing every column, join and
/// order) was 6% of the instructions of a case-by-slug request, for texts that depend only on
/// which statement it is and how many ids it lists. The text is built once per shape; later
/// statements of that shape take it and bind their ids. A text is kept only when the built
/// statement's values are exactly the ids, in order, so the kept text's placeholders are the
/// ids'. Debug builds (the tests) build every statement anyway and check the kept text.
#[derive(Debug, Default)]
pub struct Shapes {
    texts: Mutex<HashMap<(&'static str, usize), Arc<str>>>,
}

impl Shapes {
    /// Whether the text of `shape` with `values` values is kept.
    pub fn is_kept(&self, shape: &str, values: usize) -> bool {
        self.texts
            .lock()
            .is_ok_and(|texts| texts.keys().any(|(kept, count)| *kept == shape && *count == values))
    }

    /// The statement `select` builds for `backend`, given that its text depends on nothing
    /// but `shape` and the number of `ids`, and that its values are `ids`.
    pub fn by_ids(
        &self,
        backend: DatabaseBackend,
        shape: &'static str,
        ids: &[i64],
        select: impl FnOnce() -> SelectStatement,
    ) -> Statement {
        self.by_values(backend, shape, ids.iter().map(|&id| Value::BigInt(Some(id))).collect(), select)
    }

    /// The statement `select` builds for `backend`, given that its text depends on nothing
    /// but `shape` and the number of `values`, and that its values are `values`, in order.
    pub fn by_values(
        &self,
        backend: DatabaseBackend,
        shape: &'static str,
        values: Vec<Value>,
        select: impl FnOnce() -> SelectStatement,
    ) -> Statement {
        let key = (shape, values.len());
        let values = Values(values);
        let kept = self.texts.lock().ok().and_then(|texts| texts.get(&key).cloned());
        if let Some(sql) = kept {
            let statement = Statement { sql: sql.to_string(), values: Some(values), db_backend: backend };
            #[cfg(debug_assertions)]
            assert_eq!(
                statement,
                build(backend, &select()),
                "the kept text of {shape} is not what it builds"
            );
            return statement;
        }
        let built = build(backend, &select());
        if values.0.len() <= LONGEST_KEPT_LIST
            && built.values.as_ref() == Some(&values)
            && let Ok(mut texts) = self.texts.lock()
            && texts.len() < SHAPES_KEPT
        {
            texts.insert(key, Arc::from(built.sql.as_str()));
        }
        built
    }
}

/// `statement` for `backend`, with LIMIT (`u64`) values written in.
///
/// Both engines plan better with the number in the text. SQLite plans with a bound LIMIT's
/// value and re-prepares its cached statement whenever it is bound again. PostgreSQL never
/// settles on a generic plan for a prepared statement whose LIMIT is a parameter (its
/// estimate for an unknown LIMIT is far above a custom plan's), so it planned a page's
/// statement again on every execution: 0.25 ms of planning for 0.13 ms of execution.
pub fn build<S: StatementBuilder>(backend: DatabaseBackend, statement: &S) -> Statement {
    inline_unsigned(statement.build(&backend))
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

/// Replaces each placeholder bound to a `u64` by the number itself: `?` on SQLite and
/// MySQL, taken in order; `$n` on PostgreSQL, whose other placeholders are renumbered.
/// Placeholders are found outside quoted identifiers and string literals.
fn inline_unsigned(statement: Statement) -> Statement {
    let Some(values) = &statement.values else {
        return statement;
    };
    let inlined = |value: &Value| matches!(value, Value::BigUnsigned(Some(_)));
    if !values.0.iter().any(inlined) {
        return statement;
    }
    let numbered = statement.db_backend == DatabaseBackend::Postgres;
    // The new position (from 1) of each value that stays bound, in the old order.
    let mut renumbered = Vec::with_capacity(values.0.len());
    let mut kept = Vec::with_capacity(values.0.len());
    for value in &values.0 {
        if inlined(value) {
            renumbered.push(0);
        } else {
            kept.push(value.clone());
            renumbered.push(kept.len());
        }
    }
    let mut sql = String::with_capacity(statement.sql.len());
    let mut next = 0;
    let mut quote: Option<char> = None;
    let mut characters = statement.sql.chars().peekable();
    while let Some(character) = characters.next() {
        let index = match (quote, character) {
            (Some(open), _) if character == open => {
                quote = None;
                None
            }
            (Some(_), _) => None,
            (None, '\'' | '"' | '`') => {
                quote = Some(character);
                None
            }
            (None, '?') if !numbered => {
                next += 1;
                Some(next - 1)
            }
            (None, '$') if numbered && characters.peek().is_some_and(char::is_ascii_digit) => {
                let mut number = 0_usize;
                while let Some(digit) = characters.peek().and_then(|next| next.to_digit(10)) {
                    number = number * 10 + digit as usize;
                    characters.next();
                }
                Some(number.saturating_sub(1))
            }
            (None, _) => None,
        };
        match index.map(|index| (index, values.0.get(index))) {
            None => sql.push(character),
            Some((_, Some(Value::BigUnsigned(Some(number))))) => sql.push_str(&number.to_string()),
            Some((index, _)) if numbered => {
                sql.push('$');
                sql.push_str(&renumbered.get(index).copied().unwrap_or(index + 1).to_string());
            }
            Some(_) => sql.push(character),
        }
    }
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
        assert_eq!(postgres.sql, r#"SELECT "id" FROM "t" WHERE "name" = $1 AND "n" > $2 LIMIT 21"#);
        assert_eq!(
            postgres.values.map(|values| values.0),
            Some(vec![Value::from("it's ?"), Value::from(5_i64)])
        );
    }

    #[test]
    fn postgres_placeholders_after_a_limit_are_renumbered() {
        let mut inner = Query::select();
        inner
            .column(Alias::new("id"))
            .from(Alias::new("t"))
            .and_where(Expr::col(Alias::new("s")).eq("a$1"))
            .limit(3);
        let mut select = Query::select();
        select
            .column(Alias::new("id"))
            .from(Alias::new("t"))
            .and_where(Expr::col(Alias::new("id")).in_subquery(inner))
            .and_where(Expr::col(Alias::new("n")).eq(12_i64))
            .limit(10);
        let built = build(DatabaseBackend::Postgres, &select);
        assert_eq!(
            built.sql,
            r#"SELECT "id" FROM "t" WHERE "id" IN (SELECT "id" FROM "t" WHERE "s" = $1 LIMIT 3) AND "n" = $2 LIMIT 10"#
        );
        assert_eq!(built.values.map(|values| values.0), Some(vec![Value::from("a$1"), Value::from(12_i64)]));
    }

    fn by_case_ids(ids: &[i64]) -> SelectStatement {
        Query::select()
            .column(Alias::new("name"))
            .from(Alias::new("t"))
            .and_where(Expr::col(Alias::new("case_id")).is_in(ids.iter().copied()))
            .to_owned()
    }

    #[test]
    fn a_kept_text_is_the_built_one_with_the_new_ids_bound() {
        let shapes = Shapes::default();
        for backend in [DatabaseBackend::Sqlite, DatabaseBackend::Postgres] {
            let shapes = Shapes::default();
            let first = shapes.by_ids(backend, "t", &[1, 2], || by_case_ids(&[1, 2]));
            let again = shapes.by_ids(backend, "t", &[7, 9], || by_case_ids(&[7, 9]));
            assert_eq!(again, build(backend, &by_case_ids(&[7, 9])));
            assert_eq!(first.sql, again.sql);
            let longer = shapes.by_ids(backend, "t", &[7, 9, 11], || by_case_ids(&[7, 9, 11]));
            assert_eq!(longer, build(backend, &by_case_ids(&[7, 9, 11])));
        }
        // A statement with values other than the ids is built every time, never kept.
        let other = || by_case_ids(&[1]).and_where(Expr::col(Alias::new("n")).eq(3_i64)).to_owned();
        shapes.by_ids(DatabaseBackend::Sqlite, "other", &[1], other);
        assert!(shapes.texts.lock().expect("lock").get(&("other", 1)).is_none());
        shapes.by_ids(DatabaseBackend::Sqlite, "t", &[1], || by_case_ids(&[1]));
        assert!(shapes.texts.lock().expect("lock").get(&("t", 1)).is_some());
    }
}
