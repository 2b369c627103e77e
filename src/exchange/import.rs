//! Writes validated content: every row compared with the database by slug, new rows
//! inserted in batches with ids chosen here, changed rows updated in batches with their
//! child rows replaced, unchanged rows left alone. The caller owns the transaction.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use entity::{
    case, case_country, case_organisation, case_tag, case_translation, follow_up_action,
    follow_up_action_case, follow_up_action_translation, organisation, organisation_translation, tag,
};
use sea_orm::{ConnectionTrait, Set};

use super::collections;
use super::models::{CaseRows, FollowUpActionRows, OrganisationRows};
use super::record::{Case, Content, FollowUpAction, Organisation};
use super::snapshot::{Ids, Snapshot};
use super::write::{Counts, delete_owned, ids_of, plan, update_all};
use crate::error::Result;
use crate::store::journal::{self, Entry, Journal};
use crate::store::references;
use crate::store::rollups::Touched;
use crate::store::search;
use crate::store::sql::bulk;

/// What an import did, kind by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub collections: Counts,
    pub categories: Counts,
    pub organisations: Counts,
    pub cases: Counts,
    pub follow_up_actions: Counts,
}

/// Writes `content` over the database whose state is `snapshot`, and the journal entries
/// of every object it creates or changes.
pub async fn write<C: ConnectionTrait + 'static>(
    connection: &C,
    content: Content,
    snapshot: Snapshot,
    journal: &Journal,
) -> Result<(Outcome, Ids)> {
    let now = journal.now;
    let Snapshot { content: existing, mut ids } = snapshot;
    let mut entries = Vec::new();
    // The statistics rollups move with the cases and links this write changes.
    let links: usize = content.follow_up_actions.iter().map(|action| action.cases.len()).sum();
    let mut touched = Touched::expecting(content.cases.len() + links);
    let (collections, categories) = collections::write(
        connection,
        content.collections,
        existing.collections,
        &mut ids,
        now,
        &mut entries,
    )
    .await?;
    let (organisations, organisation_ids) = write_organisations(
        connection,
        content.organisations,
        existing.organisations,
        &mut ids,
        now,
        &mut entries,
    )
    .await?;
    let (cases, case_ids) =
        write_cases(connection, content.cases, existing.cases, &mut ids, now, &mut entries, &mut touched)
            .await?;
    let (follow_up_actions, follow_up_action_ids) = write_follow_up_actions(
        connection,
        content.follow_up_actions,
        existing.follow_up_actions,
        &mut ids,
        now,
        &mut entries,
        &mut touched,
    )
    .await?;
    touched.settle(connection).await?;
    journal::record(connection, journal, entries).await?;
    bulk::sync_id_sequences(connection, &bulk::ID_TABLES).await?;
    // The full-text indexes change in the same transaction as the rows they describe.
    search::reindex_organisations(connection, &organisation_ids).await?;
    search::reindex_cases_of_organisations(connection, &organisation_ids, &case_ids).await?;
    search::reindex_follow_up_actions(connection, &follow_up_action_ids).await?;
    Ok((Outcome { collections, categories, organisations, cases, follow_up_actions }, ids))
}

async fn write_organisations<C: ConnectionTrait + 'static>(
    connection: &C,
    rows: Vec<Organisation>,
    existing: Vec<Organisation>,
    ids: &mut Ids,
    now: DateTime<Utc>,
    entries: &mut Vec<Entry>,
) -> Result<(Counts, Vec<i64>)> {
    let last_id = bulk::max_id::<organisation::Entity, _>(connection).await?;
    let mut plan = plan(rows, existing, &mut ids.organisations, last_id, now);
    entries.append(&mut plan.entries);
    let written = written_ids(&plan.inserts, &plan.updates);
    let updated = ids_of(&plan.updates);
    let (mut inserts, mut updates) = (OrganisationRows::default(), OrganisationRows::default());
    for (id, row) in plan.inserts {
        inserts.push(id, row, now);
    }
    for (id, row) in plan.updates {
        updates.push(id, row, now);
    }
    bulk::insert_all(connection, inserts.owners).await?;
    update_all(connection, updates.owners).await?;
    delete_owned::<organisation_translation::Entity, _>(
        connection,
        organisation_translation::Column::OrganisationId,
        &updated,
    )
    .await?;
    bulk::insert_all(connection, inserts.translations).await?;
    bulk::insert_all(connection, updates.translations).await?;
    Ok((plan.counts, written))
}

/// Creates the tags `cases` name that the database lacks.
async fn create_tags<'a, C: ConnectionTrait + 'static>(
    connection: &C,
    cases: impl Iterator<Item = &'a Case>,
    ids: &mut Ids,
) -> Result<()> {
    let missing: BTreeSet<&str> = cases
        .flat_map(|case| case.tags.iter())
        .map(String::as_str)
        .filter(|tag| !ids.tags.contains_key(*tag))
        .collect();
    let mut last_id = bulk::max_id::<tag::Entity, _>(connection).await?;
    let mut models = Vec::with_capacity(missing.len());
    for name in missing {
        last_id += 1;
        ids.tags.insert(name.to_owned(), last_id);
        models.push(tag::ActiveModel { id: Set(last_id), name: Set(name.to_owned()) });
    }
    bulk::insert_all(connection, models).await
}

async fn write_cases<C: ConnectionTrait + 'static>(
    connection: &C,
    rows: Vec<Case>,
    existing: Vec<Case>,
    ids: &mut Ids,
    now: DateTime<Utc>,
    entries: &mut Vec<Entry>,
    touched: &mut Touched,
) -> Result<(Counts, Vec<i64>)> {
    let last_id = bulk::max_id::<case::Entity, _>(connection).await?;
    let mut plan = plan(rows, existing, &mut ids.cases, last_id, now);
    entries.append(&mut plan.entries);
    let written = written_ids(&plan.inserts, &plan.updates);
    create_tags(connection, plan.inserts.iter().chain(&plan.updates).map(|(_, case)| case), ids).await?;
    let updated = ids_of(&plan.updates);
    touched.before_cases(connection, &updated).await?;
    touched.created(ids_of(&plan.inserts));
    let (mut inserts, mut updates) = (CaseRows::default(), CaseRows::default());
    for (id, row) in plan.inserts {
        inserts.push(id, row, ids, now)?;
    }
    for (id, row) in plan.updates {
        updates.push(id, row, ids, now)?;
    }
    bulk::insert_all(connection, inserts.owners).await?;
    update_all(connection, updates.owners).await?;
    delete_owned::<case_translation::Entity, _>(connection, case_translation::Column::CaseId, &updated)
        .await?;
    delete_owned::<case_organisation::Entity, _>(connection, case_organisation::Column::CaseId, &updated)
        .await?;
    delete_owned::<case_country::Entity, _>(connection, case_country::Column::CaseId, &updated).await?;
    delete_owned::<case_tag::Entity, _>(connection, case_tag::Column::CaseId, &updated).await?;
    for rows in [inserts.translations, updates.translations] {
        bulk::insert_all(connection, rows).await?;
    }
    for rows in [inserts.organisations, updates.organisations] {
        bulk::insert_all(connection, rows).await?;
    }
    for rows in [inserts.countries, updates.countries] {
        bulk::insert_all(connection, rows).await?;
    }
    for rows in [inserts.tags, updates.tags] {
        bulk::insert_all(connection, rows).await?;
    }
    Ok((plan.counts, written))
}

async fn write_follow_up_actions<C: ConnectionTrait + 'static>(
    connection: &C,
    rows: Vec<FollowUpAction>,
    existing: Vec<FollowUpAction>,
    ids: &mut Ids,
    now: DateTime<Utc>,
    entries: &mut Vec<Entry>,
    touched: &mut Touched,
) -> Result<(Counts, Vec<i64>)> {
    let last_id = bulk::max_id::<follow_up_action::Entity, _>(connection).await?;
    let mut plan = plan(rows, existing, &mut ids.follow_up_actions, last_id, now);
    entries.append(&mut plan.entries);
    let written = written_ids(&plan.inserts, &plan.updates);
    let updated = ids_of(&plan.updates);
    let (mut inserts, mut updates) = (FollowUpActionRows::default(), FollowUpActionRows::default());
    for (id, row) in plan.inserts {
        inserts.push(id, row, ids, now)?;
    }
    for (id, row) in plan.updates {
        updates.push(id, row, ids, now)?;
    }
    // The cases these actions were linked to and will be linked to.
    let mut linked = references::case_ids_of_follow_up_actions(connection, &updated).await?;
    linked.extend(
        inserts.cases.iter().chain(&updates.cases).filter_map(|link| link.case_id.try_as_ref().copied()),
    );
    touched.before_links(connection, &linked).await?;
    bulk::insert_all(connection, inserts.owners).await?;
    update_all(connection, updates.owners).await?;
    delete_owned::<follow_up_action_translation::Entity, _>(
        connection,
        follow_up_action_translation::Column::FollowUpActionId,
        &updated,
    )
    .await?;
    delete_owned::<follow_up_action_case::Entity, _>(
        connection,
        follow_up_action_case::Column::FollowUpActionId,
        &updated,
    )
    .await?;
    for rows in [inserts.translations, updates.translations] {
        bulk::insert_all(connection, rows).await?;
    }
    for rows in [inserts.cases, updates.cases] {
        bulk::insert_all(connection, rows).await?;
    }
    Ok((plan.counts, written))
}

/// Ids of the rows a plan inserts or updates (unchanged rows are not rewritten).
fn written_ids<T>(inserts: &[(i64, T)], updates: &[(i64, T)]) -> Vec<i64> {
    inserts.iter().chain(updates).map(|(id, _)| *id).collect()
}
