//! Statistics rollups: the `case_tally` table counts, per status and scope (all cases, one
//! category, one collection, one country), the cases carrying each key of each dimension
//! (category, tag, month, organisation…), so a dashboard reads a few hundred rows instead of
//! joining every case to its links. [`statistics`](super::statistics) answers from them
//! whenever a filter allows.
//!
//! Every writer keeps them exact in its own transaction with a [`Touched`]: before it
//! changes existing cases or their links it subtracts what they count for, after the write
//! it adds what they count for now, and the difference is what changed. A write of many
//! cases (an import, the seeder) recomputes them all instead. [`verify`] recomputes them
//! from the base tables and lists every difference (`casegraph verify`).
//!
//! - [`contributions`]: what cases count for, as SQL over the base tables
//! - [`verify`]: the comparison with a recomputation

mod contributions;
mod verify;

use std::collections::BTreeSet;

use sea_orm::ConnectionTrait;

use self::contributions::{Cases, Part};
pub use self::contributions::{Dimension, Scope, month_sql};
pub use self::verify::{Difference, verify};
use crate::error::Result;

/// Case ids per statement (inlined integers, no bind parameters).
const IDS_PER_STATEMENT: usize = 5_000;

/// A write that touches more cases than this recomputes every rollup at its end: one pass
/// over the base tables costs less than moving each case's counts twice.
pub const REBUILD_ABOVE: usize = 20_000;

const UPSERT: &str = "INSERT INTO case_tally (scope, scope_key, dimension, status, tally_key, tally)";
const ON_CONFLICT: &str = "ON CONFLICT (scope, scope_key, dimension, status, tally_key) \
                           DO UPDATE SET tally = case_tally.tally + excluded.tally";

/// Adds (`sign` 1) or subtracts (-1) what the cases `ids` (sorted) count for in `part`.
async fn shift<C: ConnectionTrait + 'static>(
    connection: &C,
    ids: &[i64],
    part: Part,
    sign: i8,
) -> Result<()> {
    let backend = connection.get_database_backend();
    // A run of consecutive ids (a load's new cases) is one range, whatever its length.
    if let (Some(first), Some(last)) = (ids.first(), ids.last())
        && ids.len() > IDS_PER_STATEMENT
        && usize::try_from(last - first).ok() == Some(ids.len() - 1)
    {
        allow_large_groups(connection).await?;
        let select = contributions::select(backend, &Cases::Range(*first, *last), part, sign);
        connection.execute_unprepared(&format!("{UPSERT} {select} {ON_CONFLICT}")).await?;
        return Ok(());
    }
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let select = contributions::select(backend, &Cases::Ids(chunk), part, sign);
        connection.execute_unprepared(&format!("{UPSERT} {select} {ON_CONFLICT}")).await?;
    }
    Ok(())
}

/// Memory PostgreSQL may use for the hashes and sorts of a recomputation, for the rest of
/// the caller's transaction (the server's default, 4 MB, spills a million cases to disk).
pub(crate) async fn allow_large_groups<C: ConnectionTrait + 'static>(connection: &C) -> Result<()> {
    if connection.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        connection.execute_unprepared("SET LOCAL work_mem = '256MB'").await?;
    }
    Ok(())
}

/// Recomputes every rollup from the base tables.
pub async fn rebuild<C: ConnectionTrait + 'static>(connection: &C) -> Result<()> {
    let backend = connection.get_database_backend();
    allow_large_groups(connection).await?;
    connection.execute_unprepared("DELETE FROM case_tally").await?;
    let select = contributions::select(backend, &Cases::All, Part::Whole, 1);
    connection.execute_unprepared(&format!("{UPSERT} {select}")).await?;
    Ok(())
}

/// Computes the rollups of a database that has cases but no rollups (one that existed
/// before them); returns whether it did. Idempotent.
pub async fn ensure<C: ConnectionTrait + 'static>(connection: &C) -> Result<bool> {
    let missing = connection
        .query_one_raw(sea_orm::Statement::from_string(
            connection.get_database_backend(),
            "SELECT 1 AS missing WHERE EXISTS (SELECT 1 FROM cases) \
             AND NOT EXISTS (SELECT 1 FROM case_tally)",
        ))
        .await?
        .is_some();
    if missing {
        rebuild(connection).await?;
    }
    Ok(missing)
}

/// The cases one write touches, to move their rollups in the same transaction. Call the
/// `before_*` methods before each change, [`created`](Self::created) for new cases, and
/// [`settle`](Self::settle) once after the last change.
#[derive(Debug, Default)]
pub struct Touched {
    /// Cases whose every count was taken out (or that are new): all are added back.
    whole: BTreeSet<i64>,
    /// Cases whose follow-up action links only were taken out.
    links: BTreeSet<i64>,
    /// Recompute everything at the end instead.
    rebuild: bool,
}

impl Touched {
    /// For a write of about `expected` cases and links: above [`REBUILD_ABOVE`], the
    /// rollups are recomputed at [`settle`](Self::settle) and nothing is moved before.
    #[must_use]
    pub fn expecting(expected: usize) -> Self {
        Self { rebuild: expected > REBUILD_ABOVE, ..Self::default() }
    }

    /// Before the rows or links of the existing cases `ids` change (or they are deleted).
    pub async fn before_cases<C: ConnectionTrait + 'static>(
        &mut self,
        connection: &C,
        ids: &[i64],
    ) -> Result<()> {
        if self.rebuild {
            return Ok(());
        }
        let fresh: BTreeSet<i64> = ids.iter().copied().filter(|id| !self.whole.contains(id)).collect();
        let (linked, untouched): (Vec<i64>, Vec<i64>) = fresh.iter().partition(|id| self.links.contains(id));
        shift(connection, &untouched, Part::Whole, -1).await?;
        // Their links were taken out already: the rest goes now.
        shift(connection, &linked, Part::CaseRows, -1).await?;
        for id in &linked {
            self.links.remove(id);
        }
        self.whole.extend(fresh);
        Ok(())
    }

    /// Cases the write creates: they counted for nothing before.
    pub fn created(&mut self, ids: impl IntoIterator<Item = i64>) {
        if !self.rebuild {
            self.whole.extend(ids);
        }
    }

    /// Before links between follow-up actions and the existing cases `ids` change.
    pub async fn before_links<C: ConnectionTrait + 'static>(
        &mut self,
        connection: &C,
        ids: &[i64],
    ) -> Result<()> {
        if self.rebuild {
            return Ok(());
        }
        let fresh: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| !self.whole.contains(id) && !self.links.contains(id))
            .collect::<BTreeSet<i64>>()
            .into_iter()
            .collect();
        shift(connection, &fresh, Part::FollowUpActionLinks, -1).await?;
        self.links.extend(fresh);
        Ok(())
    }

    /// After the write: adds what the touched cases count for now and deletes the rows
    /// that fell to zero (or recomputes everything, for a large write).
    pub async fn settle<C: ConnectionTrait + 'static>(self, connection: &C) -> Result<()> {
        if self.rebuild {
            return rebuild(connection).await;
        }
        if self.whole.is_empty() && self.links.is_empty() {
            return Ok(());
        }
        let whole: Vec<i64> = self.whole.into_iter().collect();
        let links: Vec<i64> = self.links.into_iter().collect();
        shift(connection, &whole, Part::Whole, 1).await?;
        shift(connection, &links, Part::FollowUpActionLinks, 1).await?;
        connection.execute_unprepared("DELETE FROM case_tally WHERE tally = 0").await?;
        Ok(())
    }
}
