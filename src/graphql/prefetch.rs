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
use crate::store::Store;
use crate::store::brief::Detail;
use crate::store::cases::CaseRecord;
use crate::store::relations::CaseOrganisationRecord;

/// The relations a selection of cases asks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CaseNeeds {
    pub category: bool,
    pub collection: bool,
    /// The organisations, and how much of them the selection shows.
    pub organisations: Option<Detail>,
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
            organisations: asks("organisations").then(|| {
                let organisations: Vec<Lookahead<'_>> = selections
                    .iter()
                    .map(|selection| selection.field("organisations").field("organisation"))
                    .collect();
                detail_for(&organisations, ORGANISATION_BRIEF_FIELDS)
            }),
            countries: asks("countries"),
            tags: asks("tags"),
        }
    }

    /// Whether any relation is asked for.
    pub fn any(&self) -> bool {
        self.category || self.collection || self.organisations.is_some() || self.countries || self.tags
    }
}

/// The fields of `Case` a brief read answers (see [`Detail::Brief`]): its brief columns,
/// its titles, and what is read from other tables.
const CASE_BRIEF_FIELDS: &[&str] = &[
    "__typename",
    "id",
    "slug",
    "title",
    "collection",
    "category",
    "organisations",
    "countries",
    "tags",
    "status",
    "isSample",
    "publishedAt",
    "followUpActions",
    "relatedCases",
    "locale",
    "direction",
    "availableLocales",
];

/// The fields of `Organisation` a brief read answers: its id, slug and names, and its cases.
const ORGANISATION_BRIEF_FIELDS: &[&str] =
    &["__typename", "id", "slug", "name", "cases", "locale", "direction", "availableLocales"];

/// How much to read of the cases selected by `selections`: [`Detail::Brief`] when every
/// field selected (fragments included) is one a brief read answers.
pub fn case_detail(selections: &[Lookahead<'_>]) -> Detail {
    detail_for(selections, CASE_BRIEF_FIELDS)
}

/// [`Detail::Brief`] when every field `selections` select is in `brief`, else
/// [`Detail::Full`]. A field under `@skip` or `@include(if: false)` counts as selected.
fn detail_for(selections: &[Lookahead<'_>], brief: &[&str]) -> Detail {
    let all_brief = selections
        .iter()
        .flat_map(Lookahead::selection_fields)
        .all(|selected| selected.selection_set().all(|field| brief.contains(&field.name())));
    if all_brief { Detail::Brief } else { Detail::Full }
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
        organisations(context, needs.organisations, &ids),
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

/// The organisations of the cases `ids`, read with `detail`, when one is given. (Not through
/// the loader: its cache holds fully read organisations, for the fields that need them.)
async fn organisations(
    context: &Context<'_>,
    detail: Option<Detail>,
    ids: &[i64],
) -> Result<Option<HashMap<i64, Arc<Vec<CaseOrganisationRecord>>>>, Error> {
    let Some(detail) = detail else {
        return Ok(None);
    };
    let store = context.data::<Store>().map_err(|_| Error::Internal("no store in context".to_owned()))?;
    let found = store.case_organisations(ids, detail).await?;
    Ok(Some(found.into_iter().map(|(id, records)| (id, Arc::new(records))).collect()))
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
    found.map(Some).map_err(|error| Arc::try_unwrap(error).unwrap_or_else(|shared| shared.copied()))
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
