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
use std::sync::Arc;

use self::plan::Plan;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::content_version::bump_content_version;
use crate::store::rollups::Touched;
use crate::store::search::{self, Indexed};
use crate::store::sql::bulk;

/// Cases written per transaction.
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
/// tags and translations, and indexes them for full-text search and statistics. Reference
/// data must be loaded. Fails with `BadUserInput`, before writing anything, when the
/// database already holds data of the same seed.
///
/// Ids continue after the largest existing ones. Everything is one bulk load (one
/// transaction; `COPY` on PostgreSQL): a failure, or a killed process, writes nothing.
pub async fn generate(store: &Store, options: &SyntheticOptions) -> Result<SyntheticReport> {
    if options.cases == 0 {
        return Ok(SyntheticReport::default());
    }
    let plan = Arc::new(Plan::load(store.pool(), options).await?);
    let load = store.begin_load().await?;
    let connection = load.connection();
    // Rollups: the new cases (consecutive ids) are added in one statement at the end.
    let mut touched = Touched::default();

    writer::tags(&load, &plan.new_tags).await?;
    for indexes in chunks(0..plan.organisation_count, ROWS_PER_BATCH) {
        let ids = writer::organisations(&load, organisations::rows(&plan, indexes)).await?;
        search::index_loaded(&load, Indexed::Organisation, &ids).await?;
    }
    // Cases, the bulk of a seed, in a pipeline over two threads: while the database writes
    // one batch, the next is generated and the previous one's index rows are analysed.
    let backend = store.backend();
    let mut batches = chunks(0..plan.case_count, ROWS_PER_BATCH);
    let generate = |indexes: Option<Range<u64>>| {
        let plan = Arc::clone(&plan);
        indexes.map(|indexes| tokio::task::spawn_blocking(move || cases::rows(&plan, indexes)))
    };
    let mut next = generate(batches.next());
    let mut analysing: Option<tokio::task::JoinHandle<search::Analysed>> = None;
    while let Some(generating) = next.take() {
        let rows = generating.await.map_err(|error| Error::Internal(format!("generating cases: {error}")))?;
        next = generate(batches.next());
        let ids = writer::cases(&load, rows).await?;
        touched.created(ids.iter().copied());
        if let Some(previous) = analysing.take() {
            search::write_analysed(&load, joined(previous).await?).await?;
        }
        let documents = search::loaded_documents(&load, Indexed::Case, &ids).await?;
        analysing =
            Some(tokio::task::spawn_blocking(move || search::analyse(backend, Indexed::Case, documents)));
    }
    if let Some(previous) = analysing.take() {
        search::write_analysed(&load, joined(previous).await?).await?;
    }
    for indexes in chunks(0..plan.follow_up_action_count, ROWS_PER_BATCH) {
        let rows = follow_up_actions::rows(&plan, indexes);
        let linked: Vec<i64> = rows.cases.iter().map(|link| link.case_id).collect();
        touched.before_links(connection, &linked).await?;
        let ids = writer::follow_up_actions(&load, rows).await?;
        search::index_loaded(&load, Indexed::FollowUpAction, &ids).await?;
    }
    touched.settle(connection).await?;
    bulk::sync_id_sequences(connection, &bulk::ID_TABLES).await?;
    bump_content_version(connection).await?;
    load.commit().await?;
    store.content_changed();

    Ok(SyntheticReport {
        cases: plan.case_count,
        organisations: plan.organisation_count,
        follow_up_actions: plan.follow_up_action_count,
    })
}

/// `indexes` cut into consecutive ranges of at most `size`.
/// The analysis a blocking task made.
async fn joined(task: tokio::task::JoinHandle<search::Analysed>) -> Result<search::Analysed> {
    task.await.map_err(|error| Error::Internal(format!("analysing index rows: {error}")))
}

fn chunks(indexes: Range<u64>, size: u64) -> impl Iterator<Item = Range<u64>> {
    let Range { start, end } = indexes;
    (start..end)
        .step_by(usize::try_from(size.max(1)).unwrap_or(usize::MAX))
        .map(move |from| from..(from + size).min(end))
}
