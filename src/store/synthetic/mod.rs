//! The deterministic synthetic data generator behind `casegraph seed --synthetic N --seed S`
//! and the sample set of an empty database.
//!
//! The same N and S on an empty database give identical rows, ids included: every row draws
//! from its own seeded random stream (never from the clock). Rows are generated and written
//! in chunks, each chunk in its own transaction, so a million cases need little memory.
//! Every row is marked `is_sample` and every title or name says it is sample data.
//!
//! - [`plan`]: counts, ids, slugs, categories and tags of a run (reads only)
//! - [`organisations`], [`cases`], [`follow_up_actions`]: pure row generation
//! - [`text`], [`vocabulary`], [`phrases`]: the English, Chinese and Arabic texts
//! - [`writer`]: batched inserts, and the full-text index of what they wrote

mod cases;
mod follow_up_actions;
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

use sea_orm::TransactionTrait;

use self::plan::Plan;
use super::{Store, bulk};
use crate::error::Result;

/// Cases generated and written per transaction.
const CASES_PER_CHUNK: u64 = 10_000;
/// Organisations or follow-up actions generated and written per batch.
const OTHERS_PER_CHUNK: u64 = 20_000;

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
/// tags and translations. Reference data must be loaded. Fails with `BadUserInput`,
/// before writing anything, when the database already holds data of the same seed.
///
/// Ids continue after the largest existing ones. Each chunk commits on its own: a failure
/// part-way leaves the chunks written so far, which the same seed then refuses to repeat.
pub async fn generate(store: &Store, options: &SyntheticOptions) -> Result<SyntheticReport> {
    if options.cases == 0 {
        return Ok(SyntheticReport::default());
    }
    let connection = store.connection();
    let plan = Plan::load(connection, options).await?;

    let transaction = connection.begin().await?;
    writer::tags(&transaction, &plan.new_tags).await?;
    for indexes in chunks(plan.organisation_count, OTHERS_PER_CHUNK) {
        writer::organisations(&transaction, organisations::rows(&plan, indexes)).await?;
    }
    transaction.commit().await?;

    for indexes in chunks(plan.case_count, CASES_PER_CHUNK) {
        let transaction = connection.begin().await?;
        tracing::debug!(from = indexes.start, to = indexes.end, "writing synthetic cases");
        writer::cases(&transaction, cases::rows(&plan, indexes)).await?;
        transaction.commit().await?;
    }

    let transaction = connection.begin().await?;
    for indexes in chunks(plan.follow_up_action_count, OTHERS_PER_CHUNK) {
        writer::follow_up_actions(&transaction, follow_up_actions::rows(&plan, indexes)).await?;
    }
    bulk::sync_id_sequences(&transaction, &bulk::ID_TABLES).await?;
    transaction.commit().await?;

    Ok(SyntheticReport {
        cases: plan.case_count,
        organisations: plan.organisation_count,
        follow_up_actions: plan.follow_up_action_count,
    })
}

/// `0..count` cut into ranges of at most `size`.
fn chunks(count: u64, size: u64) -> impl Iterator<Item = Range<u64>> {
    (0..count.div_ceil(size)).map(move |chunk| chunk * size..((chunk + 1) * size).min(count))
}
