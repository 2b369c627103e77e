//! Per-request DataLoaders: every relation a resolver follows is batched here, so a page of
//! N objects costs the same number of SQL statements as a page of one.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::Iterable;

use crate::error::Error;
use crate::store::Store;
use crate::store::brief::Detail;
use crate::store::cases::CaseRecord;
use crate::store::catalogue::{CategoryRecord, CollectionRecord};
use crate::store::records::{FollowUpActionRecord, OrganisationRecord};
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

/// Case statuses as part of a loader key: the same statuses make the same key in whatever
/// order they were asked for, so fields asking alike join one batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StatusSet(u32);

impl StatusSet {
    /// The set of `statuses`.
    pub fn of(statuses: &[CaseStatus]) -> Self {
        Self(
            CaseStatus::iter()
                .enumerate()
                .filter(|(_, status)| statuses.contains(status))
                .fold(0, |bits, (bit, _)| bits | (1 << bit)),
        )
    }

    /// The statuses of the set that `visible` holds too.
    fn within(self, visible: &[CaseStatus]) -> Vec<CaseStatus> {
        CaseStatus::iter()
            .enumerate()
            .filter(|(bit, status)| self.0 & (1 << bit) != 0 && visible.contains(status))
            .map(|(_, status)| status)
            .collect()
    }
}

/// Cases of a follow-up action by (action id, statuses): those of the statuses asked for
/// that the caller may see, newest first.
pub struct FollowUpActionCasesLoader {
    store: Store,
    visible: Vec<CaseStatus>,
}

impl Loader<(i64, StatusSet)> for FollowUpActionCasesLoader {
    type Value = Arc<Vec<CaseRecord>>;
    type Error = Arc<Error>;

    async fn load(
        &self,
        keys: &[(i64, StatusSet)],
    ) -> Result<HashMap<(i64, StatusSet), Arc<Vec<CaseRecord>>>, Arc<Error>> {
        let mut found = HashMap::new();
        // One statement per set of statuses asked for (a request usually asks for one).
        for (statuses, action_ids) in group_by(keys, |(action_id, statuses)| (*statuses, *action_id)) {
            let mut cases = self
                .store
                .follow_up_action_cases(&action_ids, &statuses.within(&self.visible))
                .await
                .map_err(Arc::new)?;
            for action_id in action_ids {
                found.insert((action_id, statuses), Arc::new(cases.remove(&action_id).unwrap_or_default()));
            }
        }
        Ok(found)
    }
}

/// The ids of `keys` grouped by what else the key holds; `split` parts a key in two.
fn group_by<K, G: Hash + Eq>(keys: &[K], split: impl Fn(&K) -> (G, i64)) -> HashMap<G, Vec<i64>> {
    let mut groups: HashMap<G, Vec<i64>> = HashMap::new();
    for key in keys {
        let (group, id) = split(key);
        groups.entry(group).or_default().push(id);
    }
    groups
}

loader!(
    /// Attempts of a webhook delivery, oldest first, by delivery id.
    WebhookAttemptsLoader, i64, Arc<Vec<entity::webhook_attempt::Model>>, |store, keys| {
        let mut grouped: HashMap<i64, Vec<entity::webhook_attempt::Model>> = HashMap::new();
        for attempt in store.webhook_attempts(keys).await? {
            grouped.entry(attempt.delivery_id).or_default().push(attempt);
        }
        Ok(grouped.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
    }
);

/// The loaders of one request.
pub struct Loaders {
    pub webhook_attempts: DataLoader<WebhookAttemptsLoader>,
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
    /// caller may see: the loaders of case lists never read others, whatever a key asks.
    pub fn new(store: &Store, visible: Vec<CaseStatus>) -> Self {
        Self {
            webhook_attempts: new_loader(WebhookAttemptsLoader(store.clone())),
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
                visible: visible.clone(),
            }),
            related_cases: new_loader(RelatedCasesLoader { store: store.clone(), visible }),
        }
    }
}

fn new_loader<T: Send + Sync + 'static>(loader: T) -> DataLoader<T> {
    // Batches run in their own tasks: carry the request's span (and its id) into them.
    DataLoader::new(loader, |batch| tokio::spawn(tracing::Instrument::in_current_span(batch)))
        .delay(BATCH_DELAY)
}

/// Loads one key; loader errors are shared between waiting fields, so each gets a copy with
/// its code (the detail is logged where it is turned into a response error).
pub async fn load<K, T, V>(loader: &DataLoader<T>, key: K) -> Result<Option<V>, Error>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    T: Loader<K, Value = V, Error = Arc<Error>>,
    V: Send + Sync + Clone + 'static,
{
    loader.load_one(key).await.map_err(|error| error.copied())
}

/// Related case ids by (case id, how many, statuses): those of the statuses asked for that
/// the caller may see.
pub struct RelatedCasesLoader {
    store: Store,
    visible: Vec<CaseStatus>,
}

/// A key of [`RelatedCasesLoader`]: case id, how many, which statuses.
pub type RelatedCasesKey = (i64, u32, StatusSet);

impl Loader<RelatedCasesKey> for RelatedCasesLoader {
    type Value = Arc<Vec<i64>>;
    type Error = Arc<Error>;

    async fn load(
        &self,
        keys: &[RelatedCasesKey],
    ) -> Result<HashMap<RelatedCasesKey, Arc<Vec<i64>>>, Arc<Error>> {
        let mut found = HashMap::new();
        // One statement per page size and set of statuses (a request usually asks for one).
        for ((first, statuses), case_ids) in
            group_by(keys, |(case_id, first, statuses)| ((*first, *statuses), *case_id))
        {
            let mut related = self
                .store
                .related_case_ids(&case_ids, first, &statuses.within(&self.visible))
                .await
                .map_err(Arc::new)?;
            for case_id in case_ids {
                found.insert(
                    (case_id, first, statuses),
                    Arc::new(related.remove(&case_id).unwrap_or_default()),
                );
            }
        }
        Ok(found)
    }
}
