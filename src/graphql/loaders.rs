//! Per-request DataLoaders: every relation a resolver follows is batched here, so a page of
//! N objects costs the same number of SQL statements as a page of one.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::dataloader::{DataLoader, Loader};

use super::types::{Category, Collection};
use crate::error::Error;
use crate::store::Store;

/// How long a loader waits to gather keys before running its batch. Keys requested in the
/// same poll of the executor arrive together; a short wait lets sibling fields of a page
/// join the batch without adding noticeable latency.
const BATCH_DELAY: Duration = Duration::from_micros(200);

/// The loaders of one request.
pub struct Loaders {
    collections: DataLoader<CollectionLoader>,
    categories_by_collection: DataLoader<CategoriesByCollectionLoader>,
}

impl Loaders {
    /// Fresh loaders (empty caches) for one request.
    pub fn new(store: &Store) -> Self {
        Self {
            collections: new_loader(CollectionLoader(store.clone())),
            categories_by_collection: new_loader(CategoriesByCollectionLoader(store.clone())),
        }
    }

    /// The collection with this id.
    pub async fn collection(&self, id: i64) -> Result<Option<Collection>, Error> {
        self.collections.load_one(id).await.map_err(shared_error)
    }

    /// The categories of this collection, by position.
    pub async fn categories_of_collection(&self, collection_id: i64) -> Result<Vec<Category>, Error> {
        Ok(self
            .categories_by_collection
            .load_one(collection_id)
            .await
            .map_err(shared_error)?
            .unwrap_or_default())
    }
}

fn new_loader<T: Send + Sync + 'static>(loader: T) -> DataLoader<T> {
    DataLoader::new(loader, tokio::spawn).delay(BATCH_DELAY)
}

/// Loader errors are shared between every waiting field; the detail is logged once there.
fn shared_error(error: Arc<Error>) -> Error {
    Error::Internal(error.to_string())
}

/// Collections by id.
pub struct CollectionLoader(Store);

impl Loader<i64> for CollectionLoader {
    type Value = Collection;
    type Error = Arc<Error>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Collection>, Arc<Error>> {
        let records = self.0.collections_by_ids(keys).await.map_err(Arc::new)?;
        Ok(records.into_iter().map(|record| (record.model.id, Collection(Arc::new(record)))).collect())
    }
}

/// Categories by collection id.
pub struct CategoriesByCollectionLoader(Store);

impl Loader<i64> for CategoriesByCollectionLoader {
    type Value = Vec<Category>;
    type Error = Arc<Error>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Vec<Category>>, Arc<Error>> {
        let records = self.0.categories_by_collection_ids(keys).await.map_err(Arc::new)?;
        let mut grouped: HashMap<i64, Vec<Category>> = HashMap::new();
        for record in records {
            grouped.entry(record.model.collection_id).or_default().push(Category(Arc::new(record)));
        }
        Ok(grouped)
    }
}
