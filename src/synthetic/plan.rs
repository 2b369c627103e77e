//! What one run will create: how many rows of each kind, their ids and slugs, the
//! categories cases go into and the tags they use. Making a plan reads and never writes.

use entity::enums::OrganisationType;
use entity::{case, category, follow_up_action, organisation, tag};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::SyntheticOptions;
use super::mix;
use super::vocabulary::TAGS;
use crate::error::{Error, Result};
use crate::store::sql::bulk;

/// The most cases one run creates (keeps ids and slug numbers far from any limit).
const MAX_CASES: u64 = 100_000_000;

/// A category cases can go into, with its collection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Slot {
    pub collection_id: i64,
    pub category_id: i64,
}

/// Everything the row generators need; rows depend on the plan and their index only.
#[derive(Debug)]
pub(super) struct Plan {
    pub seed: u64,
    pub case_count: u64,
    pub organisation_count: u64,
    pub follow_up_action_count: u64,
    /// Id of the first case; case `index` gets `first_case_id + index`.
    pub first_case_id: i64,
    pub first_organisation_id: i64,
    pub first_follow_up_action_id: i64,
    /// Every category of every collection, collection by collection in position order.
    pub slots: Vec<Slot>,
    /// The id of each tag of [`TAGS`], in the same order.
    pub tag_ids: Vec<i64>,
    /// Tags of [`TAGS`] the database lacks; the run creates them first.
    pub new_tags: Vec<tag::Model>,
    /// The type of each organisation, by index (cases copy their lead's type).
    pub organisation_types: Vec<OrganisationType>,
}

impl Plan {
    /// Reads what the plan needs from the database, refusing a seed already used there.
    pub(super) async fn load<C: ConnectionTrait + 'static>(
        connection: &C,
        options: &SyntheticOptions,
    ) -> Result<Self> {
        if options.cases > MAX_CASES {
            return Err(Error::BadUserInput(format!(
                "--synthetic {} is too many: one run creates at most {MAX_CASES} cases",
                options.cases
            )));
        }
        refuse_used_seed(connection, options.seed).await?;
        let slots = slots(connection).await?;
        let (tag_ids, new_tags) = tags(connection).await?;
        let organisation_count = organisation_count(options.cases);
        Ok(Self {
            seed: options.seed,
            case_count: options.cases,
            organisation_count,
            follow_up_action_count: follow_up_action_count(options.cases),
            first_case_id: bulk::max_id::<case::Entity, _>(connection).await? + 1,
            first_organisation_id: bulk::max_id::<organisation::Entity, _>(connection).await? + 1,
            first_follow_up_action_id: bulk::max_id::<follow_up_action::Entity, _>(connection).await? + 1,
            slots,
            tag_ids,
            new_tags,
            organisation_types: mix::types(options.seed, organisation_count),
        })
    }

    /// Id of case `index`.
    pub(super) fn case_id(&self, index: u64) -> i64 {
        self.first_case_id + index as i64
    }

    /// Id of organisation `index`.
    pub(super) fn organisation_id(&self, index: u64) -> i64 {
        self.first_organisation_id + index as i64
    }

    /// Id of follow-up action `index`.
    pub(super) fn follow_up_action_id(&self, index: u64) -> i64 {
        self.first_follow_up_action_id + index as i64
    }
}

/// Organisations a run of `cases` cases creates: a fifth, at least one of each type.
pub(super) fn organisation_count(cases: u64) -> u64 {
    (cases / 5).max(mix::TYPES.len() as u64)
}

/// Follow-up actions a run of `cases` cases creates: a tenth, at least one of each
/// combination of kind and status.
pub(super) fn follow_up_action_count(cases: u64) -> u64 {
    (cases / 10).max(mix::PAIRS)
}

/// Slug of case `index` (numbers start at 1), e.g. `sample-s7-case-000123`.
pub(super) fn case_slug(seed: u64, index: u64) -> String {
    format!("{}{:06}", slug_prefix(seed, "case"), index + 1)
}

/// Slug of organisation `index`, e.g. `sample-s7-org-00012`.
pub(super) fn organisation_slug(seed: u64, index: u64) -> String {
    format!("{}{:05}", slug_prefix(seed, "org"), index + 1)
}

/// Slug of follow-up action `index`, e.g. `sample-s7-action-0012`.
pub(super) fn follow_up_action_slug(seed: u64, index: u64) -> String {
    format!("{}{:04}", slug_prefix(seed, "action"), index + 1)
}

fn slug_prefix(seed: u64, kind: &str) -> String {
    format!("sample-s{seed}-{kind}-")
}

/// Fails when any slug this seed would create is taken (the seed ran here before).
async fn refuse_used_seed<C: ConnectionTrait + 'static>(connection: &C, seed: u64) -> Result<()> {
    let taken = case::Entity::find()
        .select_only()
        .column(case::Column::Id)
        .filter(case::Column::Slug.starts_with(slug_prefix(seed, "case")))
        .into_tuple::<i64>()
        .one(connection)
        .await?
        .is_some()
        || organisation::Entity::find()
            .select_only()
            .column(organisation::Column::Id)
            .filter(organisation::Column::Slug.starts_with(slug_prefix(seed, "org")))
            .into_tuple::<i64>()
            .one(connection)
            .await?
            .is_some()
        || follow_up_action::Entity::find()
            .select_only()
            .column(follow_up_action::Column::Id)
            .filter(follow_up_action::Column::Slug.starts_with(slug_prefix(seed, "action")))
            .into_tuple::<i64>()
            .one(connection)
            .await?
            .is_some();
    if taken {
        return Err(Error::BadUserInput(format!(
            "this database already holds synthetic data for seed {seed}; use another --seed"
        )));
    }
    Ok(())
}

/// Every category of every collection, in a stable order.
async fn slots<C: ConnectionTrait + 'static>(connection: &C) -> Result<Vec<Slot>> {
    let categories = category::Entity::find()
        .order_by_asc(category::Column::CollectionId)
        .order_by_asc(category::Column::Position)
        .order_by_asc(category::Column::Id)
        .all(connection)
        .await?;
    if categories.is_empty() {
        return Err(Error::Internal(
            "no collection categories: load the reference data before generating synthetic data".to_owned(),
        ));
    }
    Ok(categories
        .into_iter()
        .map(|category| Slot { collection_id: category.collection_id, category_id: category.id })
        .collect())
}

/// The ids of [`TAGS`]: existing rows are reused, missing ones get the next free ids.
async fn tags<C: ConnectionTrait + 'static>(connection: &C) -> Result<(Vec<i64>, Vec<tag::Model>)> {
    let existing = tag::Entity::find().filter(tag::Column::Name.is_in(TAGS)).all(connection).await?;
    let mut next_id = bulk::max_id::<tag::Entity, _>(connection).await? + 1;
    let mut ids = Vec::with_capacity(TAGS.len());
    let mut new_tags = Vec::new();
    for name in TAGS {
        match existing.iter().find(|tag| tag.name == name) {
            Some(found) => ids.push(found.id),
            None => {
                ids.push(next_id);
                new_tags.push(tag::Model { id: next_id, name: name.to_owned() });
                next_id += 1;
            }
        }
    }
    Ok((ids, new_tags))
}
