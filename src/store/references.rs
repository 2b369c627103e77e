//! Who refers to what: the lookups a write needs before it reads what it changes (the slug
//! behind an id, the cases and actions that name an organisation or a case).

use entity::enums::SubjectType;
use entity::{
    case, case_organisation, category, collection, follow_up_action, follow_up_action_case, organisation,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::error::Result;

/// The slug of the object `id` of `subject_type` (for a category: its own slug), when it
/// exists.
pub async fn slug_of<C: ConnectionTrait + 'static>(
    connection: &C,
    subject_type: SubjectType,
    id: i64,
) -> Result<Option<String>> {
    let slug = match subject_type {
        SubjectType::Case => {
            case::Entity::find_by_id(id)
                .select_only()
                .column(case::Column::Slug)
                .into_tuple()
                .one(connection)
                .await?
        }
        SubjectType::Organisation => {
            organisation::Entity::find_by_id(id)
                .select_only()
                .column(organisation::Column::Slug)
                .into_tuple()
                .one(connection)
                .await?
        }
        SubjectType::FollowUpAction => {
            follow_up_action::Entity::find_by_id(id)
                .select_only()
                .column(follow_up_action::Column::Slug)
                .into_tuple()
                .one(connection)
                .await?
        }
        SubjectType::Collection => {
            collection::Entity::find_by_id(id)
                .select_only()
                .column(collection::Column::Slug)
                .into_tuple()
                .one(connection)
                .await?
        }
        SubjectType::Category => {
            category::Entity::find_by_id(id)
                .select_only()
                .column(category::Column::Slug)
                .into_tuple()
                .one(connection)
                .await?
        }
        SubjectType::ApiKey => None,
    };
    Ok(slug)
}

/// Slugs of the cases that list the organisation `id`, by slug.
pub async fn cases_of_organisation<C: ConnectionTrait + 'static>(
    connection: &C,
    id: i64,
) -> Result<Vec<String>> {
    let case_ids = case_ids_of_organisation(connection, id).await?;
    slugs_of_cases(connection, case_ids).await
}

/// Ids of the cases that list the organisation `id`.
pub async fn case_ids_of_organisation<C: ConnectionTrait + 'static>(
    connection: &C,
    id: i64,
) -> Result<Vec<i64>> {
    Ok(case_organisation::Entity::find()
        .filter(case_organisation::Column::OrganisationId.eq(id))
        .select_only()
        .column(case_organisation::Column::CaseId)
        .into_tuple()
        .all(connection)
        .await?)
}

/// Ids of the cases the follow-up actions `ids` concern.
pub async fn case_ids_of_follow_up_actions<C: ConnectionTrait + 'static>(
    connection: &C,
    ids: &[i64],
) -> Result<Vec<i64>> {
    let mut case_ids = Vec::new();
    for chunk in ids.chunks(500) {
        let found: Vec<i64> = follow_up_action_case::Entity::find()
            .filter(follow_up_action_case::Column::FollowUpActionId.is_in(chunk.iter().copied()))
            .select_only()
            .column(follow_up_action_case::Column::CaseId)
            .into_tuple()
            .all(connection)
            .await?;
        case_ids.extend(found);
    }
    Ok(case_ids)
}

/// Slugs of the follow-up actions organised by the organisation `id`, by slug.
pub async fn follow_up_actions_of_organisation<C: ConnectionTrait + 'static>(
    connection: &C,
    id: i64,
) -> Result<Vec<String>> {
    Ok(follow_up_action::Entity::find()
        .filter(follow_up_action::Column::OrganiserId.eq(id))
        .select_only()
        .column(follow_up_action::Column::Slug)
        .order_by_asc(follow_up_action::Column::Slug)
        .into_tuple()
        .all(connection)
        .await?)
}

/// Slugs of the follow-up actions that concern the case `id`, by slug.
pub async fn follow_up_actions_of_case<C: ConnectionTrait + 'static>(
    connection: &C,
    id: i64,
) -> Result<Vec<String>> {
    let action_ids: Vec<i64> = follow_up_action_case::Entity::find()
        .filter(follow_up_action_case::Column::CaseId.eq(id))
        .select_only()
        .column(follow_up_action_case::Column::FollowUpActionId)
        .into_tuple()
        .all(connection)
        .await?;
    let mut slugs = Vec::with_capacity(action_ids.len());
    for chunk in action_ids.chunks(500) {
        let found: Vec<String> = follow_up_action::Entity::find()
            .filter(follow_up_action::Column::Id.is_in(chunk.iter().copied()))
            .select_only()
            .column(follow_up_action::Column::Slug)
            .into_tuple()
            .all(connection)
            .await?;
        slugs.extend(found);
    }
    slugs.sort();
    Ok(slugs)
}

async fn slugs_of_cases<C: ConnectionTrait + 'static>(connection: &C, ids: Vec<i64>) -> Result<Vec<String>> {
    let mut slugs = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let found: Vec<String> = case::Entity::find()
            .filter(case::Column::Id.is_in(chunk.iter().copied()))
            .select_only()
            .column(case::Column::Slug)
            .into_tuple()
            .all(connection)
            .await?;
        slugs.extend(found);
    }
    slugs.sort();
    Ok(slugs)
}
