//! The statistics response cache: each computed field of `statistics`, keyed by the filter,
//! the request's locale, the caller's scope and the content generation.
//!
//! The generation is read once per request (one primary-key lookup of `content_version`,
//! plus the store's in-process counter): a write anywhere, by this process, another replica
//! or the CLI, changes it, so an entry computed before a write is never served after it.
//! Stale entries are never looked up again: when a request brings a newer generation, the
//! entries of older ones are dropped at once (under steady writes they would otherwise
//! hold the cache full of answers nobody can ask for). Concurrent requests for the same
//! missing entry wait for one computation.

use std::any::Any;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use moka::future::Cache;

use crate::error::Error;
use crate::store::content_version::ContentGeneration;
use crate::store::statistics::{Distinct, Group};

/// Most entries kept (one per field, filter, locale, scope and generation).
const CAPACITY: u64 = 20_000;
/// An entry unused for this long is dropped.
const TIME_TO_IDLE: Duration = Duration::from_secs(15 * 60);

/// What a request's entries share: everything that can change an answer except the field.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Scope {
    /// Content generation when the request began.
    pub generation: ContentGeneration,
    /// The caller's `read:drafts` scope.
    pub read_drafts: bool,
    /// The request's locale preference (labels are localised).
    pub locale: Vec<String>,
    /// The store filter, rendered in full (statuses included).
    pub filter: String,
}

/// One computed field of `CaseStatistics`, with its arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    CaseCount,
    Distinct(Distinct),
    Group(Group),
}

type Entry = Arc<dyn Any + Send + Sync>;

/// Computed statistics of recent requests; one per app, shared by every request.
#[derive(Clone)]
pub struct StatisticsCache {
    entries: Cache<(Arc<Scope>, Field), Entry>,
    /// The newest generation a request brought.
    newest: Arc<Mutex<Option<ContentGeneration>>>,
}

impl std::fmt::Debug for StatisticsCache {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("StatisticsCache").field("entries", &self.entries.entry_count()).finish()
    }
}

impl Default for StatisticsCache {
    fn default() -> Self {
        Self::new()
    }
}

impl StatisticsCache {
    /// An empty cache.
    pub fn new() -> Self {
        let entries = Cache::builder()
            .max_capacity(CAPACITY)
            .time_to_idle(TIME_TO_IDLE)
            .support_invalidation_closures()
            .build();
        Self { entries, newest: Arc::default() }
    }

    /// Drops the entries of generations older than `generation` when it is new.
    fn advance(&self, generation: ContentGeneration) {
        let Ok(mut newest) = self.newest.lock() else { return };
        let newer = match *newest {
            None => true,
            Some(known) => {
                generation.durable > known.durable
                    || (generation.durable == known.durable && generation.local > known.local)
            }
        };
        if !newer {
            return;
        }
        *newest = Some(generation);
        drop(newest);
        // Entries of this generation (stored by requests that raced past) stay.
        if let Err(error) =
            self.entries.invalidate_entries_if(move |(scope, _), _| scope.generation != generation)
        {
            tracing::warn!(%error, "cannot drop stale statistics");
        }
    }

    /// The cached value of `field` in `scope`, or `compute`'s (cached when it succeeds).
    pub async fn get_or_compute<T, F>(&self, scope: &Arc<Scope>, field: Field, compute: F) -> Result<T, Error>
    where
        T: Clone + Send + Sync + 'static,
        F: Future<Output = Result<T, Error>>,
    {
        self.advance(scope.generation);
        // Boxed: the computation and moka's bookkeeping are large futures, nested once
        // (a share needs `caseCount`); on the heap they cannot exhaust a worker's stack.
        let compute = Box::pin(async { compute.await.map(|value| Arc::new(value) as Entry) });
        let entry = Box::pin(self.entries.try_get_with((Arc::clone(scope), field), compute))
            .await
            .map_err(|error| shared(&error))?;
        entry
            .downcast_ref::<T>()
            .cloned()
            .ok_or_else(|| Error::Internal(format!("statistics cache entry of {field:?} has another type")))
    }
}

/// A computation's error, as seen by each request that waited for it (codes kept).
fn shared(error: &Error) -> Error {
    error.copied()
}
