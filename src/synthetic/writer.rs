//! Writes generated rows into a bulk load (`COPY` on PostgreSQL, batched inserts on
//! SQLite), parents before children. Each function returns the ids it wrote, for the
//! full-text index.

use entity::tag;
use sea_orm::ActiveModelTrait;

use super::cases::CaseRows;
use super::follow_up_actions::FollowUpActionRows;
use super::organisations::OrganisationRows;
use crate::error::Result;
use crate::store::sql::bulk::Load;

/// Inserts `models` as active models.
async fn insert<M, A>(connection: &Load, models: Vec<M>) -> Result<()>
where
    A: ActiveModelTrait + Send + From<M>,
{
    connection.insert_all(models.into_iter().map(A::from).collect::<Vec<A>>()).await
}

/// Inserts the tags the run creates.
pub(super) async fn tags(connection: &Load, tags: &[tag::Model]) -> Result<()> {
    insert::<_, tag::ActiveModel>(connection, tags.to_vec()).await
}

/// Inserts organisations, then their translations.
pub(super) async fn organisations(connection: &Load, rows: OrganisationRows) -> Result<Vec<i64>> {
    let ids: Vec<i64> = rows.organisations.iter().map(|organisation| organisation.id).collect();
    insert::<_, entity::organisation::ActiveModel>(connection, rows.organisations).await?;
    insert::<_, entity::organisation_translation::ActiveModel>(connection, rows.translations).await?;
    Ok(ids)
}

/// Inserts cases, then their translations and links.
pub(super) async fn cases(connection: &Load, rows: CaseRows) -> Result<Vec<i64>> {
    let ids: Vec<i64> = rows.cases.iter().map(|case| case.id).collect();
    insert::<_, entity::case::ActiveModel>(connection, rows.cases).await?;
    insert::<_, entity::case_translation::ActiveModel>(connection, rows.translations).await?;
    insert::<_, entity::case_organisation::ActiveModel>(connection, rows.organisations).await?;
    insert::<_, entity::case_country::ActiveModel>(connection, rows.countries).await?;
    insert::<_, entity::case_tag::ActiveModel>(connection, rows.tags).await?;
    Ok(ids)
}

/// Inserts follow-up actions, then their translations and the cases they concern.
pub(super) async fn follow_up_actions(connection: &Load, rows: FollowUpActionRows) -> Result<Vec<i64>> {
    let ids: Vec<i64> = rows.actions.iter().map(|action| action.id).collect();
    insert::<_, entity::follow_up_action::ActiveModel>(connection, rows.actions).await?;
    insert::<_, entity::follow_up_action_translation::ActiveModel>(connection, rows.translations).await?;
    insert::<_, entity::follow_up_action_case::ActiveModel>(connection, rows.cases).await?;
    Ok(ids)
}
