//! `statistics(filter)`: counts and breakdowns of the filtered cases, for dashboards.
//!
//! `CaseStatistics` is lazy: it holds the filter, and each field runs its one SQL statement
//! only when the query selects it. Every computed field goes through the response cache
//! ([`cache`]), keyed by filter, locale, scope and content generation.

mod cache;
mod counts;
mod follow_up_actions;
mod support;

/// Largest `first` of `byCountry` and `byTag`.
pub const MAX_FIRST: u64 = 250;

use std::future::Future;
use std::sync::Arc;

use async_graphql::{Context, Object, Result};
use sea_orm::ActiveEnum;

pub use self::cache::StatisticsCache;
use self::cache::{Field, Scope};
pub use self::counts::{
    CaseDateField, CategoryCount, CollectionCount, CountryCount, FollowUpActionKindCount,
    FollowUpActionStatusCount, MonthCount, OrganisationTypeCount, TagCount,
};
use self::counts::{int, share};
pub use self::follow_up_actions::FollowUpActionStatistics;
use self::support::{DEFAULT_FIRST, data, first_argument, futures_join, label};
use super::access::Access;
use super::cost_directives::{
    TYPICAL_CATEGORIES, TYPICAL_COLLECTIONS, TYPICAL_MONTHS, TYPICAL_ORGANISATION_TYPES, list_size, max_items,
};
use super::inputs::CaseFilterInput;
use super::loaders::Loaders;
use super::types::localised::preference;
use super::types::{Category, Collection, Country};
use crate::error::Error;
use crate::reference::Vocabulary;
use crate::store::Store;
use crate::store::cases::CaseFilter;
use crate::store::statistics::{Distinct, Group};

/// What every field of one `statistics` request shares.
#[derive(Debug)]
struct Request {
    filter: CaseFilter,
    scope: Arc<Scope>,
}

/// Counts and breakdowns of the cases a filter covers. Each field costs one SQL statement
/// when selected (none when not), and its answer is cached until the content changes.
#[derive(Clone, Debug)]
pub struct CaseStatistics(Arc<Request>);

impl CaseStatistics {
    /// Checks the filter (statuses need `read:drafts`) and reads the content generation.
    pub async fn resolve(context: &Context<'_>, filter: Option<CaseFilterInput>) -> Result<Self, Error> {
        let store = data::<Store>(context)?;
        let access = Access::of(context);
        let filter = filter.unwrap_or_default().into_store(access)?;
        // A search that cannot be run is the caller's error, before anything is computed.
        filter.search_query()?;
        let scope = Scope {
            generation: store.content_generation().await?,
            read_drafts: access.read_drafts,
            locale: preference(context).tags().to_vec(),
            filter: format!("{filter:?}"),
        };
        Ok(Self(Arc::new(Request { filter, scope: Arc::new(scope) })))
    }

    async fn cached<T, F>(&self, context: &Context<'_>, field: Field, compute: F) -> Result<T, Error>
    where
        T: Clone + Send + Sync + 'static,
        F: Future<Output = Result<T, Error>>,
    {
        data::<StatisticsCache>(context)?.get_or_compute(&self.0.scope, field, compute).await
    }

    /// `caseCount`, computed once per request and cache entry (shares need it).
    async fn total(&self, context: &Context<'_>) -> Result<u64, Error> {
        let store = data::<Store>(context)?;
        self.cached(context, Field::CaseCount, store.statistics_case_count(&self.0.filter)).await
    }

    async fn distinct(&self, context: &Context<'_>, distinct: Distinct) -> Result<u64, Error> {
        let store = data::<Store>(context)?;
        let compute = store.statistics_distinct_count(&self.0.filter, distinct);
        self.cached(context, Field::Distinct(distinct), compute).await
    }
}

#[Object]
impl CaseStatistics {
    /// Number of cases the filter covers (the `totalCount` of `cases(filter)`).
    async fn case_count(&self, context: &Context<'_>) -> Result<i32> {
        Ok(int(self.total(context).await?))
    }

    /// Number of distinct organisations (lead or partner) involved in the filtered cases.
    async fn organisation_count(&self, context: &Context<'_>) -> Result<i32> {
        Ok(int(self.distinct(context, Distinct::Organisations).await?))
    }

    /// Number of distinct countries the filtered cases cover.
    async fn country_count(&self, context: &Context<'_>) -> Result<i32> {
        Ok(int(self.distinct(context, Distinct::Countries).await?))
    }

    /// Filtered cases per category, most first (ties by internal id). Categories without
    /// filtered cases are left out.
    #[graphql(directive = list_size::apply(Some(TYPICAL_CATEGORIES), None, None))]
    async fn by_category(&self, context: &Context<'_>) -> Result<Vec<CategoryCount>> {
        let store = data::<Store>(context)?;
        let compute = async {
            let (counts, total) =
                futures_join(store.cases_by_category(&self.0.filter), self.total(context)).await?;
            let loaders = data::<Loaders>(context)?;
            let records = loaders
                .categories
                .load_many(counts.iter().map(|(id, _)| *id))
                .await
                .map_err(|error| error.copied())?;
            Ok(counts
                .into_iter()
                .filter_map(|(id, count)| {
                    records.get(&id).map(|record| CategoryCount {
                        category: Category(Arc::clone(record)),
                        count: int(count),
                        share: share(count, total),
                    })
                })
                .collect::<Vec<_>>())
        };
        Ok(self.cached(context, Field::Group(Group::Category), compute).await?)
    }

    /// Filtered cases per industry-chain link (the same meaning as the `organisationTypes`
    /// filter), most first (ties by code). Cases without a link are left out.
    #[graphql(directive = list_size::apply(Some(TYPICAL_ORGANISATION_TYPES), None, None))]
    async fn by_organisation_type(&self, context: &Context<'_>) -> Result<Vec<OrganisationTypeCount>> {
        let store = data::<Store>(context)?;
        let locale = preference(context);
        let compute = async {
            let (counts, total) =
                futures_join(store.cases_by_organisation_type(&self.0.filter), self.total(context)).await?;
            counts
                .into_iter()
                .map(|(organisation_type, count)| {
                    Ok(OrganisationTypeCount {
                        label: label(locale, Vocabulary::OrganisationType, &organisation_type.to_value())?,
                        organisation_type: organisation_type.into(),
                        count: int(count),
                        share: share(count, total),
                    })
                })
                .collect::<Result<Vec<_>, Error>>()
        };
        Ok(self.cached(context, Field::Group(Group::OrganisationType), compute).await?)
    }

    /// The countries covered by most filtered cases, most first (ties by ISO code).
    #[graphql(
        directive = list_size::apply(Some(DEFAULT_FIRST), Some(vec!["first".to_owned()]), Some(false)),
        directive = max_items::apply(MAX_FIRST as i32)
    )]
    async fn by_country(
        &self,
        context: &Context<'_>,
        #[graphql(desc = "How many countries (default 20, at most 250).")] first: Option<i32>,
    ) -> Result<Vec<CountryCount>> {
        let store = data::<Store>(context)?;
        let limit = first_argument(first)?;
        let compute = async {
            let (counts, total) =
                futures_join(store.cases_by_country(&self.0.filter, limit), self.total(context)).await?;
            Ok(counts
                .into_iter()
                .map(|(code, count)| CountryCount {
                    country: Country(code),
                    count: int(count),
                    share: share(count, total),
                })
                .collect::<Vec<_>>())
        };
        Ok(self.cached(context, Field::Group(Group::Country { limit }), compute).await?)
    }

    /// Filtered cases per collection, most first (ties by internal id).
    #[graphql(directive = list_size::apply(Some(TYPICAL_COLLECTIONS), None, None))]
    async fn by_collection(&self, context: &Context<'_>) -> Result<Vec<CollectionCount>> {
        let store = data::<Store>(context)?;
        let compute = async {
            let (counts, total) =
                futures_join(store.cases_by_collection(&self.0.filter), self.total(context)).await?;
            let loaders = data::<Loaders>(context)?;
            let records = loaders
                .collections
                .load_many(counts.iter().map(|(id, _)| *id))
                .await
                .map_err(|error| error.copied())?;
            Ok(counts
                .into_iter()
                .filter_map(|(id, count)| {
                    records.get(&id).map(|record| CollectionCount {
                        collection: Collection(Arc::clone(record)),
                        count: int(count),
                        share: share(count, total),
                    })
                })
                .collect::<Vec<_>>())
        };
        Ok(self.cached(context, Field::Group(Group::Collection), compute).await?)
    }

    /// Filtered cases per month (UTC) of the chosen date, oldest first; months without
    /// cases are left out, and so are cases without the date (unpublished ones).
    #[graphql(directive = list_size::apply(Some(TYPICAL_MONTHS), None, None))]
    async fn by_month(
        &self,
        context: &Context<'_>,
        #[graphql(
            desc = "Which date of a case to group by (null means PUBLISHED_AT).",
            default_with = "Some(CaseDateField::PublishedAt)"
        )]
        field: Option<CaseDateField>,
    ) -> Result<Vec<MonthCount>> {
        let store = data::<Store>(context)?;
        let field = field.unwrap_or_default().into();
        let compute = async {
            let counts = store.cases_by_month(&self.0.filter, field).await?;
            Ok(counts
                .into_iter()
                .map(|(month, count)| MonthCount { month, count: int(count) })
                .collect::<Vec<_>>())
        };
        Ok(self.cached(context, Field::Group(Group::Month(field)), compute).await?)
    }

    /// The tags carried by most filtered cases, most first (ties by tag).
    #[graphql(
        directive = list_size::apply(Some(DEFAULT_FIRST), Some(vec!["first".to_owned()]), Some(false)),
        directive = max_items::apply(MAX_FIRST as i32)
    )]
    async fn by_tag(
        &self,
        context: &Context<'_>,
        #[graphql(desc = "How many tags (default 20, at most 250).")] first: Option<i32>,
    ) -> Result<Vec<TagCount>> {
        let store = data::<Store>(context)?;
        let limit = first_argument(first)?;
        let compute = async {
            let counts = store.cases_by_tag(&self.0.filter, limit).await?;
            Ok(counts.into_iter().map(|(tag, count)| TagCount { tag, count: int(count) }).collect::<Vec<_>>())
        };
        Ok(self.cached(context, Field::Group(Group::Tag { limit }), compute).await?)
    }

    /// Follow-up actions linked to the filtered cases.
    async fn follow_up_actions(&self) -> FollowUpActionStatistics {
        FollowUpActionStatistics(self.clone())
    }
}
