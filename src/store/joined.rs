//! Loading a parent row and its translations (or any one-to-many child) in ONE statement:
//! rows are regrouped in the order they came.

use entity::{follow_up_action, follow_up_action_translation, organisation, organisation_translation};
use sea_orm::sea_query::{Expr, ExprTrait, SelectStatement};
use sea_orm::{ConnectionTrait, Statement};

use super::brief::{self, Detail};
use super::positional::{Cursor, Positional, select_columns};
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
    let statement = crate::store::statement::build(connection.get_database_backend(), select);
    grouped_statement(connection, statement, key, parent, child).await
}

/// [`grouped`], for a statement already built (see [`crate::store::statement::Shapes`]).
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

/// An organisation with its texts in every locale present.
#[derive(Clone, Debug)]
pub struct OrganisationRecord {
    pub model: organisation::Model,
    pub translations: Vec<organisation_translation::Model>,
    /// How much of the organisation was read: [`Detail::Brief`] reads only
    /// [`brief::ORGANISATION_COLUMNS`] and the names.
    pub detail: Detail,
}

/// A follow-up action with its texts in every locale present.
#[derive(Clone, Debug)]
pub struct FollowUpActionRecord {
    pub model: follow_up_action::Model,
    pub translations: Vec<follow_up_action_translation::Model>,
}

/// `organisation` LEFT JOIN its translations: the organisation's columns, then the
/// translation's, read with [`Positional`] (all of them for [`Detail::Full`], the brief
/// ones for [`Detail::Brief`]).
pub fn organisation_columns(select: &mut SelectStatement, detail: Detail) {
    match detail {
        Detail::Full => {
            select_columns::<organisation::Entity>(select);
            select_columns::<organisation_translation::Entity>(select);
        }
        Detail::Brief => {
            brief::select_columns::<organisation::Entity>(select, &brief::ORGANISATION_COLUMNS);
            brief::select_columns::<organisation_translation::Entity>(
                select,
                &brief::ORGANISATION_TEXT_COLUMNS,
            );
        }
    }
    select.left_join(
        organisation_translation::Entity,
        Expr::col((organisation_translation::Entity, organisation_translation::Column::OrganisationId))
            .equals((organisation::Entity, organisation::Column::Id)),
    );
}

/// `follow_up_action` LEFT JOIN its translations, as [`organisation_columns`].
pub fn follow_up_action_columns(select: &mut SelectStatement) {
    select_columns::<follow_up_action::Entity>(select);
    select_columns::<follow_up_action_translation::Entity>(select);
    select.left_join(
        follow_up_action_translation::Entity,
        Expr::col((
            follow_up_action_translation::Entity,
            follow_up_action_translation::Column::FollowUpActionId,
        ))
        .equals((follow_up_action::Entity, follow_up_action::Column::Id)),
    );
}
