//! Loading a parent row and its translations (or any one-to-many child) in ONE statement:
//! columns are selected with prefixes and rows regrouped in the order they came.

use entity::{follow_up_action, follow_up_action_translation, organisation, organisation_translation};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, SelectStatement};
use sea_orm::{ConnectionTrait, EntityTrait, FromQueryResult, Iterable, QueryResult};

use crate::error::Result;

/// Adds every column of `E` as `<prefix><column>`.
pub fn select_prefixed<E: EntityTrait>(select: &mut SelectStatement, prefix: &str) {
    for column in E::Column::iter() {
        let name = sea_orm::IdenStatic::as_str(&column).to_owned();
        select.expr_as(Expr::col((E::default(), column)), Alias::new(format!("{prefix}{name}")));
    }
}

/// Reads a child model selected with `prefix`, or `None` when the LEFT JOIN found none
/// (`probe` is a non-null column of the child).
pub fn optional<M: FromQueryResult>(row: &QueryResult, prefix: &str, probe: &str) -> Result<Option<M>> {
    let present: Option<String> = row.try_get("", &format!("{prefix}{probe}"))?;
    match present {
        Some(_) => Ok(Some(M::from_query_result(row, prefix)?)),
        None => Ok(None),
    }
}

/// Runs `select` and groups consecutive rows with the same key into (key, parent,
/// children), keeping their order.
pub async fn grouped<C, K, P, T>(
    connection: &C,
    select: &SelectStatement,
    parent: impl Fn(&QueryResult) -> Result<(K, P)>,
    child: impl Fn(&QueryResult) -> Result<Option<T>>,
) -> Result<Vec<(K, P, Vec<T>)>>
where
    C: ConnectionTrait,
    K: PartialEq,
{
    let rows = crate::store::statement::query_all(connection, select).await?;
    let mut groups: Vec<(K, P, Vec<T>)> = Vec::new();
    for row in &rows {
        let (key, model) = parent(row)?;
        let extra = child(row)?;
        match groups.last_mut() {
            Some((last, _, children)) if *last == key => children.extend(extra),
            _ => groups.push((key, model, extra.into_iter().collect())),
        }
    }
    Ok(groups)
}

/// An organisation with its texts in every locale present.
#[derive(Clone, Debug)]
pub struct OrganisationRecord {
    pub model: organisation::Model,
    pub translations: Vec<organisation_translation::Model>,
}

/// A follow-up action with its texts in every locale present.
#[derive(Clone, Debug)]
pub struct FollowUpActionRecord {
    pub model: follow_up_action::Model,
    pub translations: Vec<follow_up_action_translation::Model>,
}

/// `organisation` (prefix `o_`) LEFT JOIN its translations (prefix `ot_`).
pub fn organisation_columns(select: &mut SelectStatement) {
    select_prefixed::<organisation::Entity>(select, "o_");
    select_prefixed::<organisation_translation::Entity>(select, "ot_");
    select.left_join(
        organisation_translation::Entity,
        Expr::col((organisation_translation::Entity, organisation_translation::Column::OrganisationId))
            .equals((organisation::Entity, organisation::Column::Id)),
    );
}

/// `follow_up_action` (prefix `a_`) LEFT JOIN its translations (prefix `at_`).
pub fn follow_up_action_columns(select: &mut SelectStatement) {
    select_prefixed::<follow_up_action::Entity>(select, "a_");
    select_prefixed::<follow_up_action_translation::Entity>(select, "at_");
    select.left_join(
        follow_up_action_translation::Entity,
        Expr::col((
            follow_up_action_translation::Entity,
            follow_up_action_translation::Column::FollowUpActionId,
        ))
        .equals((follow_up_action::Entity, follow_up_action::Column::Id)),
    );
}

/// Reads the organisation part of a row built with [`organisation_columns`].
pub fn organisation_parts(
    row: &QueryResult,
) -> Result<(organisation::Model, Option<organisation_translation::Model>)> {
    Ok((organisation::Model::from_query_result(row, "o_")?, optional(row, "ot_", "locale")?))
}

/// Reads the action part of a row built with [`follow_up_action_columns`].
pub fn follow_up_action_parts(
    row: &QueryResult,
) -> Result<(follow_up_action::Model, Option<follow_up_action_translation::Model>)> {
    Ok((follow_up_action::Model::from_query_result(row, "a_")?, optional(row, "at_", "locale")?))
}
