//! Reading a list's relations ahead: when a resolver produces a list of cases (a page, or
//! the one case of `case(slug:)`), it looks at what the query selects under them and runs
//! each requested relation's batch for the whole list at once, through the same batch
//! functions the per-request loaders use. The cases then carry their relations, and their
//! field resolvers answer without a round through the loaders' scheduler (a task, a timer
//! and a channel per field of every case). A relation the look-ahead did not see (for
//! example under a field it does not know) is still read through the loaders.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Lookahead};

use super::loaders::Loaders;
use super::types::case::{Case, Related};
use crate::error::Error;
use crate::store::cases::{CaseRecord, Texts};

/// The relations a selection of cases asks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CaseNeeds {
    pub category: bool,
    pub collection: bool,
    pub organisations: bool,
    pub countries: bool,
    pub tags: bool,
}

impl CaseNeeds {
    /// What the case selections `selections` ask for (fragments included; a field under
    /// `@skip` or `@include(if: false)` counts as asked: reading it is only wasted work).
    pub fn of(selections: &[Lookahead<'_>]) -> Self {
        let asks = |name: &str| selections.iter().any(|selection| selection.field(name).exists());
        Self {
            category: asks("category"),
            collection: asks("collection"),
            organisations: asks("organisations"),
            countries: asks("countries"),
            tags: asks("tags"),
        }
    }

    /// Whether any relation is asked for.
    pub fn any(&self) -> bool {
        self.category || self.collection || self.organisations || self.countries || self.tags
    }
}

/// The texts to read for the case selections `selections`: titles only unless a summary or
/// a body is asked for.
pub fn texts_for(selections: &[Lookahead<'_>]) -> Texts {
    let asks = |name: &str| selections.iter().any(|selection| selection.field(name).exists());
    if asks("summary") || asks("body") { Texts::Full } else { Texts::Titles }
}

/// The cases of `records`, each with the relations `needs` names, read for all of them at
/// once (one statement per relation at most; categories and collections come from memory).
pub async fn cases(
    context: &Context<'_>,
    records: impl IntoIterator<Item = Arc<CaseRecord>>,
    needs: CaseNeeds,
) -> Result<Vec<Case>, Error> {
    let records: Vec<Arc<CaseRecord>> = records.into_iter().collect();
    if !needs.any() || records.is_empty() {
        return Ok(records.into_iter().map(Case::new).collect());
    }
    let loaders =
        context.data::<Loaders>().map_err(|_| Error::Internal("no loaders in context".to_owned()))?;
    let ids: Vec<i64> = records.iter().map(|record| record.model.id).collect();
    let category_ids = distinct(records.iter().map(|record| record.model.category_id));
    let collection_ids = distinct(records.iter().map(|record| record.model.collection_id));
    let (categories, collections, organisations, countries, tags) = tokio::try_join!(
        batch(needs.category, loaders.categories.loader(), &category_ids),
        batch(needs.collection, loaders.collections.loader(), &collection_ids),
        batch(needs.organisations, loaders.case_organisations.loader(), &ids),
        batch(needs.countries, loaders.case_countries.loader(), &ids),
        batch(needs.tags, loaders.case_tags.loader(), &ids),
    )?;
    Ok(records
        .into_iter()
        .map(|record| {
            let id = record.model.id;
            let related = Related {
                category: categories.as_ref().and_then(|found| found.get(&record.model.category_id).cloned()),
                collection: collections
                    .as_ref()
                    .and_then(|found| found.get(&record.model.collection_id).cloned()),
                organisations: organisations
                    .as_ref()
                    .map(|found| found.get(&id).cloned().unwrap_or_default()),
                countries: countries.as_ref().map(|found| found.get(&id).cloned().unwrap_or_default()),
                tags: tags.as_ref().map(|found| found.get(&id).cloned().unwrap_or_default()),
            };
            Case::with_related(record, related)
        })
        .collect())
}

/// Runs `loader`'s batch for `keys` when `wanted`.
async fn batch<L, V>(wanted: bool, loader: &L, keys: &[i64]) -> Result<Option<HashMap<i64, V>>, Error>
where
    L: Loader<i64, Value = V, Error = Arc<Error>>,
{
    if !wanted {
        return Ok(None);
    }
    let found: Result<HashMap<i64, V>, Arc<Error>> = loader.load(keys).await;
    found
        .map(Some)
        .map_err(|error| Arc::try_unwrap(error).unwrap_or_else(|shared| Error::Internal(shared.to_string())))
}

/// The distinct values of `values`, in first-seen order.
fn distinct(values: impl Iterator<Item = i64>) -> Vec<i64> {
    let mut seen: Vec<i64> = Vec::new();
    for value in values {
        if !seen.contains(&value) {
            seen.push(value);
        }
    }
    seen
}
