//! Loading a parent row and its translations (or any one-to-many child) in ONE statement:
//! rows are regrouped in the order they came.

use sea_orm::sea_query::SelectStatement;
use sea_orm::{ConnectionTrait, Statement};

use super::positional::{Cursor, Positional};
use crate::error::Result;

/// Runs `select` and groups consecutive rows with the same key into (key, parent,
/// children), keeping their order. `key` reads a row's group key; `parent` reads the rest
/// of the parent, once per group; `child` reads what follows it, on every row.
pub async fn grouped<C, K, P, T>(
    connection: &C,
    select: &SelectStatement,
    key: impl Fn(&mut Cursor<'_>) -> Result<K>,
    parent: impl Fn(&mut Cursor<'_>) -> Result<P>,
    child: impl Fn(&mut Cursor<'_>) -> Result<Option<T>>,
) -> Result<Vec<(K, P, Vec<T>)>>
where
    C: ConnectionTrait,
    K: PartialEq,
    P: Positional,
{
    let statement = super::statement::build(connection.get_database_backend(), select);
    grouped_statement(connection, statement, key, parent, child).await
}

/// [`grouped`], for a statement already built (see [`super::statement::Shapes`]).
pub async fn grouped_statement<C, K, P, T>(
    connection: &C,
    statement: Statement,
    key: impl Fn(&mut Cursor<'_>) -> Result<K>,
    parent: impl Fn(&mut Cursor<'_>) -> Result<P>,
    child: impl Fn(&mut Cursor<'_>) -> Result<Option<T>>,
) -> Result<Vec<(K, P, Vec<T>)>>
where
    C: ConnectionTrait,
    K: PartialEq,
    P: Positional,
{
    let rows = connection.query_all_raw(statement).await?;
    let mut groups: Vec<(K, P, Vec<T>)> = Vec::new();
    for row in &rows {
        let mut cursor = Cursor::new(row);
        let found = key(&mut cursor)?;
        match groups.last_mut() {
            Some((last, _, children)) if *last == found => {
                cursor.skip(P::COLUMNS);
                children.extend(child(&mut cursor)?);
            }
            _ => {
                let model = parent(&mut cursor)?;
                let extra = child(&mut cursor)?;
                groups.push((found, model, extra.into_iter().collect()));
            }
        }
    }
    Ok(groups)
}
