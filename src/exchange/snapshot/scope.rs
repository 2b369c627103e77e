//! What a write of a few objects must read: the objects it names, and what they link to,
//! so that every record read is whole. Turned into one condition per table.

use std::collections::BTreeSet;

use entity::{case, case_organisation, case_tag, follow_up_action, follow_up_action_case, organisation, tag};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::error::Result;
use crate::exchange::document::Document;

/// Ids or slugs per `IN (…)` list.
pub const CHUNK: usize = 500;

/// The objects a write names, by slug (tags by name): as rows it writes or as references.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub organisations: BTreeSet<String>,
    pub cases: BTreeSet<String>,
    pub follow_up_actions: BTreeSet<String>,
    pub tags: BTreeSet<String>,
}

impl Selection {
    /// Everything `document` names.
    pub fn of(document: &Document) -> Self {
        let mut selection = Self::default();
        for row in &document.organisations {
            selection.organisations.insert(row.slug.clone());
        }
        for row in &document.cases {
            selection.cases.insert(row.slug.clone());
            selection.organisations.extend(row.organisations.iter().map(|link| link.organisation.clone()));
            selection.tags.extend(row.tags.iter().cloned());
        }
        for row in &document.follow_up_actions {
            selection.follow_up_actions.insert(row.slug.clone());
            selection.organisations.extend(row.organiser.iter().cloned());
            selection.cases.extend(row.cases.iter().cloned());
        }
        selection
    }
}

/// Which rows of each table to read; `None` reads them all.
#[derive(Default)]
pub struct Filter {
    pub organisations: Option<Condition>,
    pub cases: Option<Condition>,
    pub follow_up_actions: Option<Condition>,
    pub tags: Option<Condition>,
}

async fn ids<E, C>(connection: &C, select: sea_orm::Select<E>, column: E::Column) -> Result<Vec<i64>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    Ok(select.select_only().column(column).into_tuple::<i64>().all(connection).await?)
}

/// The condition per table for `selection`.
pub async fn filter<C: ConnectionTrait + 'static>(connection: &C, selection: &Selection) -> Result<Filter> {
    let named_cases = ids(
        connection,
        case::Entity::find().filter(case::Column::Slug.is_in(selection.cases.iter().cloned())),
        case::Column::Id,
    )
    .await?;
    let actions = ids(
        connection,
        follow_up_action::Entity::find()
            .filter(follow_up_action::Column::Slug.is_in(selection.follow_up_actions.iter().cloned())),
        follow_up_action::Column::Id,
    )
    .await?;
    let mut cases: BTreeSet<i64> = named_cases.into_iter().collect();
    let mut organisations = BTreeSet::new();
    for chunk in actions.chunks(CHUNK) {
        let chunk = chunk.iter().copied();
        cases.extend(
            ids(
                connection,
                follow_up_action_case::Entity::find()
                    .filter(follow_up_action_case::Column::FollowUpActionId.is_in(chunk.clone())),
                follow_up_action_case::Column::CaseId,
            )
            .await?,
        );
        let organisers = follow_up_action::Entity::find()
            .filter(follow_up_action::Column::Id.is_in(chunk))
            .select_only()
            .column(follow_up_action::Column::OrganiserId)
            .into_tuple::<Option<i64>>()
            .all(connection)
            .await?;
        organisations.extend(organisers.into_iter().flatten());
    }
    let cases: Vec<i64> = cases.into_iter().collect();
    let mut tags = BTreeSet::new();
    for chunk in cases.chunks(CHUNK) {
        let chunk = chunk.iter().copied();
        organisations.extend(
            ids(
                connection,
                case_organisation::Entity::find()
                    .filter(case_organisation::Column::CaseId.is_in(chunk.clone())),
                case_organisation::Column::OrganisationId,
            )
            .await?,
        );
        tags.extend(
            ids(
                connection,
                case_tag::Entity::find().filter(case_tag::Column::CaseId.is_in(chunk)),
                case_tag::Column::TagId,
            )
            .await?,
        );
    }
    Ok(Filter {
        organisations: Some(
            Condition::any()
                .add(organisation::Column::Slug.is_in(selection.organisations.iter().cloned()))
                .add(organisation::Column::Id.is_in(organisations)),
        ),
        cases: Some(
            Condition::any()
                .add(case::Column::Slug.is_in(selection.cases.iter().cloned()))
                .add(case::Column::Id.is_in(cases)),
        ),
        follow_up_actions: Some(Condition::all().add(follow_up_action::Column::Id.is_in(actions))),
        tags: Some(
            Condition::any()
                .add(tag::Column::Name.is_in(selection.tags.iter().cloned()))
                .add(tag::Column::Id.is_in(tags)),
        ),
    })
}
