//! The catalogue (collections and categories: a few dozen rows that only imports change)
//! kept in memory for relation lookups, so a case's `category` and `collection` cost no
//! statement.
//!
//! A snapshot is trusted while it is younger than the configured time and no write went
//! through this process since it was read; a write by another process (an import from the
//! command line) shows within that time. An id the snapshot lacks (a category created since)
//! reloads it at once.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use super::Store;
use super::catalogue::{CategoryRecord, CollectionRecord};
use crate::error::Result;

/// The whole catalogue as read at one moment.
#[derive(Debug)]
pub struct Snapshot {
    loaded: Instant,
    generation: u64,
    collections: HashMap<i64, Arc<CollectionRecord>>,
    categories: HashMap<i64, Arc<CategoryRecord>>,
    /// Every category by collection year, collection, then position.
    ordered_categories: Vec<Arc<CategoryRecord>>,
}

/// The cache: the current snapshot, and a lock so one request reloads it at a time.
#[derive(Debug, Default)]
pub struct CatalogueCache {
    ttl: Duration,
    current: RwLock<Option<Arc<Snapshot>>>,
    reloading: tokio::sync::Mutex<()>,
}

impl CatalogueCache {
    /// A cache trusting a snapshot for `ttl` (zero: no cache, every lookup reads the database).
    pub fn new(ttl: Duration) -> Self {
        Self { ttl, current: RwLock::new(None), reloading: tokio::sync::Mutex::new(()) }
    }

    fn fresh(&self, generation: u64) -> Option<Arc<Snapshot>> {
        let current = self.current.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        current
            .as_ref()
            .filter(|snapshot| snapshot.generation == generation && snapshot.loaded.elapsed() < self.ttl)
            .cloned()
    }
}

impl Store {
    /// The catalogue snapshot, read again when stale (or when `reload`); `None` when the
    /// cache is off.
    async fn catalogue_snapshot(&self, reload: bool) -> Result<Option<Arc<Snapshot>>> {
        let cache = &self.catalogue_cache;
        if cache.ttl.is_zero() {
            return Ok(None);
        }
        let generation = self.local_generation();
        if !reload && let Some(snapshot) = cache.fresh(generation) {
            return Ok(Some(snapshot));
        }
        let asked = Instant::now();
        let _reloading = cache.reloading.lock().await;
        // Another request may have read it while this one waited for the lock.
        if let Some(snapshot) = cache.fresh(generation)
            && (!reload || snapshot.loaded >= asked)
        {
            return Ok(Some(snapshot));
        }
        let started = Instant::now();
        let collections = self.collections().await?;
        let ordered_categories: Vec<Arc<CategoryRecord>> =
            self.categories(None).await?.into_iter().map(Arc::new).collect();
        let snapshot = Arc::new(Snapshot {
            loaded: started,
            generation,
            collections: collections.into_iter().map(|record| (record.model.id, Arc::new(record))).collect(),
            categories: ordered_categories
                .iter()
                .map(|record| (record.model.id, Arc::clone(record)))
                .collect(),
            ordered_categories,
        });
        *cache.current.write().unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some(Arc::clone(&snapshot));
        Ok(Some(snapshot))
    }

    /// Looks `ids` up in the snapshot, reloading it once if one is missing; `None` when the
    /// cache is off.
    async fn look_up_in_snapshot<T>(
        &self,
        ids: &[i64],
        pick: impl Fn(&Snapshot, i64) -> Option<Arc<T>>,
    ) -> Result<Option<Vec<Arc<T>>>> {
        let Some(snapshot) = self.catalogue_snapshot(false).await? else {
            return Ok(None);
        };
        let found: Vec<Arc<T>> = ids.iter().filter_map(|id| pick(&snapshot, *id)).collect();
        if found.len() == ids.len() {
            return Ok(Some(found));
        }
        let Some(snapshot) = self.catalogue_snapshot(true).await? else {
            return Ok(None);
        };
        Ok(Some(ids.iter().filter_map(|id| pick(&snapshot, *id)).collect()))
    }

    /// Collections by id, from memory when the cache is on.
    pub async fn cached_collections_by_ids(&self, ids: &[i64]) -> Result<Vec<Arc<CollectionRecord>>> {
        match self.look_up_in_snapshot(ids, |snapshot, id| snapshot.collections.get(&id).cloned()).await? {
            Some(found) => Ok(found),
            None => Ok(self.collections_by_ids(ids).await?.into_iter().map(Arc::new).collect()),
        }
    }

    /// Categories by id, from memory when the cache is on.
    pub async fn cached_categories_by_ids(&self, ids: &[i64]) -> Result<Vec<Arc<CategoryRecord>>> {
        match self.look_up_in_snapshot(ids, |snapshot, id| snapshot.categories.get(&id).cloned()).await? {
            Some(found) => Ok(found),
            None => Ok(self.categories_by_ids(ids).await?.into_iter().map(Arc::new).collect()),
        }
    }

    /// Categories of these collections, by position, from memory when the cache is on.
    pub async fn cached_categories_by_collection_ids(
        &self,
        collection_ids: &[i64],
    ) -> Result<Vec<Arc<CategoryRecord>>> {
        match self.catalogue_snapshot(false).await? {
            Some(snapshot) => Ok(snapshot
                .ordered_categories
                .iter()
                .filter(|record| collection_ids.contains(&record.model.collection_id))
                .cloned()
                .collect()),
            None => Ok(self
                .categories_by_collection_ids(collection_ids)
                .await?
                .into_iter()
                .map(Arc::new)
                .collect()),
        }
    }
}
