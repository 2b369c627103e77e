//! Per-request DataLoaders: every relation a resolver follows is batched here, so a page of
//! N objects costs the same number of SQL statements as a page of one.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::dataloader::{DataLoader, Loader};

use crate::error::Error;
use crate::store::Store;
use crate::store::brief::Detail;
use crate::store::cases::CaseRecord;
use crate::store::catalogue::{CategoryRecord, CollectionRecord};
use crate::store::joined::{FollowUpActionRecord, OrganisationRecord};
use crate::store::relations::CaseOrganisationRecord;
use entity::enums::CaseStatus;

/// How long a loader waits to gather keys before running its batch. Sibling fields of a
/// page ask within the same executor turn; a short wait lets them all join one batch.
const BATCH_DELAY: Duration = Duration::from_micros(200);

type Shared<T> = Arc<T>;

/// Defines a loader over a store call that returns a map by key.
macro_rules! loader {
    ($(#[$doc:meta])* $name:ident, $key:ty, $value:ty, |$store:ident, $keys:ident| $body:expr) => {
        $(#[$doc])*
        pub struct $name(Store);

        impl Loader<$key> for $name {
            type Value = $value;
            type Error = Arc<Error>;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, $value>, Arc<Error>> {
                let $store = &self.0;
                let $keys = keys;
                let result: Result<HashMap<$key, $value>, Error> = async { $body }.await;
                result.map_err(Arc::new)
            }
        }
    };
}

loader!(
    /// Collections by id.
    CollectionLoader, i64, Shared<CollectionRecord>, |store, keys| {
        Ok(store.cached_collections_by_ids(keys).await?.into_iter().map(|r| (r.model.id, r)).collect())
    }
);
loader!(
    /// Categories by id.
    CategoryLoader, i64, Shared<CategoryRecord>, |store, keys| {
        Ok(store.cached_categories_by_ids(keys).await?.into_iter().map(|r| (r.model.id, r)).collect())
    }
);
loader!(
    /// Categories by collection id, by position.
    CategoriesByCollectionLoader, i64, Vec<Shared<CategoryRecord>>, |store, keys| {
        let mut grouped: HashMap<i64, Vec<Shared<CategoryRecord>>> = HashMap::new();
        for record in store.cached_categories_by_collection_ids(keys).await? {
            grouped.entry(record.model.collection_id).or_default().push(record);
        }
        Ok(grouped)
    }
);
loader!(
    /// Organisations by id.
    OrganisationLoader, i64, Shared<OrganisationRecord>, |store, keys| {
        Ok(store.organisations_by_ids(keys).await?.into_iter().map(|r| (r.model.id, Arc::new(r))).collect())
    }
);
loader!(
    /// Follow-up actions by id.
    FollowUpActionLoader, i64, Shared<FollowUpActionRecord>, |store, keys| {
        Ok(store.follow_up_actions_by_ids(keys).await?.into_iter().map(|r| (r.model.id, Arc::new(r))).collect())
    }
);
loader!(
    /// Cases by id (any status: callers check visibility).
    CaseLoader, i64, Shared<CaseRecord>, |store, keys| {
        Ok(store.cases_by_ids(keys).await?.into_iter().map(|r| (r.model.id, Arc::new(r))).collect())
    }
);
loader!(
    /// Organisations of a case, by case id.
    CaseOrganisationsLoader, i64, Arc<Vec<CaseOrganisationRecord>>, |store, keys| {
        Ok(store.case_organisations(keys, Detail::Full).await?.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
    }
);
loader!(
    /// Country codes of a case, by case id.
    CaseCountriesLoader, i64, Arc<Vec<String>>, |store, keys| {
        Ok(store.case_countries(keys).await?.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
    }
);
loader!(
    /// Tags of a case, by case id.
    CaseTagsLoader, i64, Arc<Vec<String>>, |store, keys| {
        Ok(store.case_tags(keys).await?.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
    }
);
loader!(
    /// Follow-up actions of a case, by case id.
    CaseFollowUpActionsLoader, i64, Arc<Vec<FollowUpActionRecord>>, |store, keys| {
        Ok(store.case_follow_up_actions(keys).await?.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
    }
);

/// Cases of a follow-up action, restricted to the statuses the caller may see.
pub struct FollowUpActionCasesLoader {
    store: Store,
    statuses: Vec<CaseStatus>,
}

impl Loader<i64> for FollowUpActionCasesLoader {
    type Value = Arc<Vec<CaseRecord>>;
    type Error = Arc<Error>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Arc<Vec<CaseRecord>>>, Arc<Error>> {
        let found = self.store.follow_up_action_cases(keys, &self.statuses).await.map_err(Arc::new)?;
        Ok(found.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
    }
}

/// The loaders of one request.
pub struct Loaders {
    pub collections: DataLoader<CollectionLoader>,
    pub categories: DataLoader<CategoryLoader>,
    pub categories_by_collection: DataLoader<CategoriesByCollectionLoader>,
    pub organisations: DataLoader<OrganisationLoader>,
    pub follow_up_actions: DataLoader<FollowUpActionLoader>,
    pub cases: DataLoader<CaseLoader>,
    pub case_organisations: DataLoader<CaseOrganisationsLoader>,
    pub case_countries: DataLoader<CaseCountriesLoader>,
    pub case_tags: DataLoader<CaseTagsLoader>,
    pub case_follow_up_actions: DataLoader<CaseFollowUpActionsLoader>,
    pub follow_up_action_cases: DataLoader<FollowUpActionCasesLoader>,
    pub related_cases: DataLoader<RelatedCasesLoader>,
}

impl Loaders {
    /// Fresh loaders (empty caches) for one request; `visible` are the case statuses the
    /// caller may see through relations.
    pub fn new(store: &Store, visible: Vec<CaseStatus>) -> Self {
        Self {
            collections: new_loader(CollectionLoader(store.clone())),
            categories: new_loader(CategoryLoader(store.clone())),
            categories_by_collection: new_loader(CategoriesByCollectionLoader(store.clone())),
            organisations: new_loader(OrganisationLoader(store.clone())),
            follow_up_actions: new_loader(FollowUpActionLoader(store.clone())),
            cases: new_loader(CaseLoader(store.clone())),
            case_organisations: new_loader(CaseOrganisationsLoader(store.clone())),
            case_countries: new_loader(CaseCountriesLoader(store.clone())),
            case_tags: new_loader(CaseTagsLoader(store.clone())),
            case_follow_up_actions: new_loader(CaseFollowUpActionsLoader(store.clone())),
            follow_up_action_cases: new_loader(FollowUpActionCasesLoader {
                store: store.clone(),
                statuses: visible.clone(),
            }),
            related_cases: new_loader(RelatedCasesLoader { store: store.clone(), statuses: visible }),
        }
    }
}

fn new_loader<T: Send + Sync + 'static>(loader: T) -> DataLoader<T> {
    // Batches run in their own tasks: carry the request's span (and its id) into them.
    DataLoader::new(loader, |batch| tokio::spawn(tracing::Instrument::in_current_span(batch)))
        .delay(BATCH_DELAY)
}

/// Loads one key; loader errors are shared between waiting fields, so the detail is kept
/// as text (it is logged where it is turned into a response error).
pub async fn load<T, V>(loader: &DataLoader<T>, key: i64) -> Result<Option<V>, Error>
where
    T: Loader<i64, Value = V, Error = Arc<Error>>,
    V: Send + Sync + Clone + 'static,
{
    loader.load_one(key).await.map_err(|error| Error::Internal(error.to_string()))
}

/// Related case ids by (case id, how many), restricted to what the caller may see.
pub struct RelatedCasesLoader {
    store: Store,
    statuses: Vec<CaseStatus>,
}

impl Loader<(i64, u32)> for RelatedCasesLoader {
    type Value = Arc<Vec<i64>>;
    type Error = Arc<Error>;

    async fn load(&self, keys: &[(i64, u32)]) -> Result<HashMap<(i64, u32), Arc<Vec<i64>>>, Arc<Error>> {
        let mut by_size: HashMap<u32, Vec<i64>> = HashMap::new();
        for (case_id, first) in keys {
            by_size.entry(*first).or_default().push(*case_id);
        }
        let mut found = HashMap::new();
        for (first, case_ids) in by_size {
            let related =
                self.store.related_case_ids(&case_ids, first, &self.statuses).await.map_err(Arc::new)?;
            for case_id in case_ids {
                found.insert((case_id, first), Arc::new(related.get(&case_id).cloned().unwrap_or_default()));
            }
        }
        Ok(found)
    }
}
