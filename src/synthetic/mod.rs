//! The deterministic synthetic data generator behind `casegraph seed --synthetic N --seed S`
//! and the sample set of an empty database.
//!
//! The same N and S on an empty database give identical rows, ids included: every row draws
//! from its own seeded random stream (never from the clock). Rows are generated and written
//! in batches, ten thousand cases per transaction, so a million cases need little memory;
//! each batch is indexed for full-text search while the next one is written.
//! Every row is marked `is_sample` and every title or name says it is sample data.
//!
//! - [`plan`]: counts, ids, slugs, categories and tags of a run (reads only)
//! - [`organisations`], [`cases`], [`follow_up_actions`]: pure row generation
//! - [`text`], [`vocabulary`], [`phrases`]: the English, Chinese and Arabic texts
//! - [`writer`]: batched inserts; [`indexing`]: the full-text index of what they wrote

mod cases;
mod follow_up_actions;
mod indexing;
mod mix;
mod organisations;
mod phrases;
mod plan;
mod random;
#[cfg(test)]
mod tests;
mod text;
mod vocabulary;
mod writer;

use std::ops::Range;

use self::indexing::{Indexed, IndexingTransaction};
use self::plan::Plan;
use crate::error::Result;
use crate::store::Store;
use crate::store::content_version::bump_content_version;
use crate::store::rollups::Touched;
use crate::store::sql::bulk;

/// Cases written per transaction.
const CASES_PER_TRANSACTION: u64 = 10_000;
/// Rows generated, written and then indexed together (while the next batch is written).
const ROWS_PER_BATCH: u64 = 2_000;

/// What to generate.
#[derive(Clone, Debug)]
pub struct SyntheticOptions {
    /// Number of cases; organisations (about a fifth) and follow-up actions (about a
    /// tenth) follow from it. 0 creates nothing.
    pub cases: u64,
    /// Random seed: with the same number of cases, the same rows on an empty database.
    pub seed: u64,
}

/// What was generated.
#[derive(Clone, Debug, Default)]
pub struct SyntheticReport {
    /// Cases created.
    pub cases: u64,
    /// Organisations created.
    pub organisations: u64,
    /// Follow-up actions created.
    pub follow_up_actions: u64,
}

/// Creates `options.cases` synthetic cases with their organisations, follow-up actions,
/// tags and translations, and indexes them for full-text search. Reference data must be
/// loaded. Fails with `BadUserInput`, before writing anything, when the database already
/// holds data of the same seed.
///
/// Ids continue after the largest existing ones. Each chunk commits on its own: a failure
/// part-way leaves the chunks written so far, which the same seed then refuses to repeat.
pub async fn generate(store: &Store, options: &SyntheticOptions) -> Result<SyntheticReport> {
    if options.cases == 0 {
        return Ok(SyntheticReport::default());
    }
    let connection = store.pool();
    let plan = Plan::load(connection, options).await?;

    let mut transaction = IndexingTransaction::begin(connection).await?;
    writer::tags(transaction.connection(), &plan.new_tags).await?;
    for indexes in chunks(0..plan.organisation_count, ROWS_PER_BATCH) {
        let rows = organisations::rows(&plan, indexes);
        let ids = writer::organisations(transaction.connection(), rows).await?;
        transaction.index(Indexed::Organisations, ids).await?;
    }
    bump_content_version(transaction.connection()).await?;
    transaction.commit().await?;
    store.content_changed();

    for cases in chunks(0..plan.case_count, CASES_PER_TRANSACTION) {
        tracing::debug!(from = cases.start, to = cases.end, "writing synthetic cases");
        let mut transaction = IndexingTransaction::begin(connection).await?;
        let mut touched = Touched::default();
        for indexes in chunks(cases, ROWS_PER_BATCH) {
            let ids = writer::cases(transaction.connection(), cases::rows(&plan, indexes)).await?;
            touched.created(ids.iter().copied());
            transaction.index(Indexed::Cases, ids).await?;
        }
        touched.settle(transaction.connection()).await?;
        bump_content_version(transaction.connection()).await?;
        transaction.commit().await?;
        store.content_changed();
    }

    let mut transaction = IndexingTransaction::begin(connection).await?;
    let mut touched = Touched::default();
    for indexes in chunks(0..plan.follow_up_action_count, ROWS_PER_BATCH) {
        let rows = follow_up_actions::rows(&plan, indexes);
        let linked: Vec<i64> = rows.cases.iter().map(|link| link.case_id).collect();
        touched.before_links(transaction.connection(), &linked).await?;
        let ids = writer::follow_up_actions(transaction.connection(), rows).await?;
        transaction.index(Indexed::FollowUpActions, ids).await?;
    }
    touched.settle(transaction.connection()).await?;
    bulk::sync_id_sequences(transaction.connection(), &bulk::ID_TABLES).await?;
    bump_content_version(transaction.connection()).await?;
    transaction.commit().await?;
    store.content_changed();

    Ok(SyntheticReport {
        cases: plan.case_count,
        organisations: plan.organisation_count,
        follow_up_actions: plan.follow_up_action_count,
    })
}

/// `indexes` cut into consecutive ranges of at most `size`.
fn chunks(indexes: Range<u64>, size: u64) -> impl Iterator<Item = Range<u64>> {
    let Range { start, end } = indexes;
    (start..end)
        .step_by(usize::try_from(size.max(1)).unwrap_or(usize::MAX))
        .map(move |from| from..(from + size).min(end))
}
