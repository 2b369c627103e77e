//! Writes generated rows with batched inserts, parents before children. Each function
//! returns the ids it wrote, for the full-text index.

use entity::tag;
use sea_orm::{ActiveModelTrait, ConnectionTrait};

use super::cases::CaseRows;
use super::follow_up_actions::FollowUpActionRows;
use super::organisations::OrganisationRows;
use crate::error::Result;
use crate::store::sql::bulk;

/// Inserts `models` as active models, many rows per statement.
async fn insert<M, A, C>(connection: &C, models: Vec<M>) -> Result<()>
where
    A: ActiveModelTrait + Send + From<M>,
    C: ConnectionTrait,
{
    bulk::insert_all(connection, models.into_iter().map(A::from).collect::<Vec<A>>()).await
}

/// Inserts the tags the run creates.
pub(super) async fn tags<C: ConnectionTrait>(connection: &C, tags: &[tag::Model]) -> Result<()> {
    insert::<_, tag::ActiveModel, _>(connection, tags.to_vec()).await
}

/// Inserts organisations, then their translations.
pub(super) async fn organisations<C: ConnectionTrait>(
    connection: &C,
    rows: OrganisationRows,
) -> Result<Vec<i64>> {
    let ids: Vec<i64> = rows.organisations.iter().map(|organisation| organisation.id).collect();
    insert::<_, entity::organisation::ActiveModel, _>(connection, rows.organisations).await?;
    insert::<_, entity::organisation_translation::ActiveModel, _>(connection, rows.translations).await?;
    Ok(ids)
}

/// Inserts cases, then their translations and links.
pub(super) async fn cases<C: ConnectionTrait>(connection: &C, rows: CaseRows) -> Result<Vec<i64>> {
    let ids: Vec<i64> = rows.cases.iter().map(|case| case.id).collect();
    insert::<_, entity::case::ActiveModel, _>(connection, rows.cases).await?;
    insert::<_, entity::case_translation::ActiveModel, _>(connection, rows.translations).await?;
    insert::<_, entity::case_organisation::ActiveModel, _>(connection, rows.organisations).await?;
    insert::<_, entity::case_country::ActiveModel, _>(connection, rows.countries).await?;
    insert::<_, entity::case_tag::ActiveModel, _>(connection, rows.tags).await?;
    Ok(ids)
}

/// Inserts follow-up actions, then their translations and the cases they concern.
pub(super) async fn follow_up_actions<C: ConnectionTrait>(
    connection: &C,
    rows: FollowUpActionRows,
) -> Result<Vec<i64>> {
    let ids: Vec<i64> = rows.actions.iter().map(|action| action.id).collect();
    insert::<_, entity::follow_up_action::ActiveModel, _>(connection, rows.actions).await?;
    insert::<_, entity::follow_up_action_translation::ActiveModel, _>(connection, rows.translations).await?;
    insert::<_, entity::follow_up_action_case::ActiveModel, _>(connection, rows.cases).await?;
    Ok(ids)
}
