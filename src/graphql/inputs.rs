//! Input objects of the contract and their translation into store requests.

use async_graphql::{Enum, InputObject};
use chrono::{DateTime, NaiveDate, Utc};

use super::access::Access;
use super::types::enums::{
    CaseStatus, FollowUpActionKind, FollowUpActionStatus, OrderDirection, OrganisationType, SourcingMethod,
};
use crate::error::{Error, Result};
use crate::store::cases::{CaseFilter, CaseOrder};
use crate::store::directory::{FollowUpActionFilter, OrganisationFilter};

/// Which cases to list. Keys combine with AND; the values of one list with OR.
#[derive(Clone, Debug, Default, InputObject)]
#[graphql(name = "CaseFilter")]
pub struct CaseFilterInput {
    /// Collection slugs.
    pub collections: Option<Vec<String>>,
    /// Category slugs.
    pub categories: Option<Vec<String>>,
    /// Industry-chain links the cases showcase.
    pub organisation_types: Option<Vec<OrganisationType>>,
    /// Organisation slugs: cases involving any of them.
    pub organisations: Option<Vec<String>>,
    /// ISO codes: cases covering any of them.
    pub countries: Option<Vec<String>>,
    /// Default: [PUBLISHED]. Other statuses need the read:drafts scope.
    pub statuses: Option<Vec<CaseStatus>>,
    /// Cases carrying all of these tags.
    pub tags: Option<Vec<String>>,
    /// How the cases were collected.
    pub sourcing_methods: Option<Vec<SourcingMethod>>,
    /// Published at or after this instant.
    pub published_after: Option<DateTime<Utc>>,
    /// Published before this instant.
    pub published_before: Option<DateTime<Utc>>,
    /// Updated at or after this instant (incremental sync).
    pub updated_since: Option<DateTime<Utc>>,
    /// Only synthetic sample cases (true) or only real ones (false).
    pub is_sample: Option<bool>,
    /// Full-text query over title, summary, body and organisation names, any locale.
    pub search: Option<String>,
}

fn country_codes(codes: Option<Vec<String>>) -> Result<Option<Vec<String>>> {
    codes
        .map(|codes| {
            codes
                .into_iter()
                .map(|code| {
                    let upper = code.trim().to_ascii_uppercase();
                    if upper.len() == 2 && upper.chars().all(|c| c.is_ascii_uppercase()) {
                        Ok(upper)
                    } else {
                        Err(Error::BadUserInput(format!(
                            "country `{code}` is not an ISO 3166-1 alpha-2 code (two letters, e.g. CN)"
                        )))
                    }
                })
                .collect()
        })
        .transpose()
}

impl CaseFilterInput {
    /// The store filter, after checking the caller may see the statuses asked for.
    pub fn into_store(self, access: Access) -> Result<CaseFilter> {
        let statuses = access.listed_statuses(self.statuses)?;
        Ok(CaseFilter {
            collections: self.collections,
            categories: self.categories,
            organisation_types: self
                .organisation_types
                .map(|types| types.into_iter().map(Into::into).collect()),
            organisations: self.organisations,
            countries: country_codes(self.countries)?,
            statuses,
            tags: self.tags,
            sourcing_methods: self
                .sourcing_methods
                .map(|methods| methods.into_iter().map(Into::into).collect()),
            published_after: self.published_after,
            published_before: self.published_before,
            updated_since: self.updated_since,
            is_sample: self.is_sample,
            search: self.search,
            ..CaseFilter::default()
        })
    }
}

/// Fields cases can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum CaseOrderField {
    /// Publication time (drafts, unpublished, sort lowest).
    PublishedAt,
    /// Last change.
    UpdatedAt,
    /// Creation.
    CreatedAt,
    /// Title in the request's locale (English where it has none).
    Title,
    /// Full-text relevance; needs `filter.search`.
    Relevance,
}

/// A case ordering; ties are broken by a stable internal key.
#[derive(Clone, Copy, Debug, InputObject)]
#[graphql(name = "CaseOrder")]
pub struct CaseOrderInput {
    /// What to sort by.
    pub field: CaseOrderField,
    /// Which way.
    pub direction: OrderDirection,
}

impl CaseOrderInput {
    /// The store ordering; `None` gives relevance for searches and newest first otherwise.
    pub fn resolve(order: Option<Self>, has_search: bool, title_locale: &str) -> CaseOrder {
        let (field, descending) = match order {
            Some(order) => (
                match order.field {
                    CaseOrderField::PublishedAt => crate::store::cases::CaseOrderField::PublishedAt,
                    CaseOrderField::UpdatedAt => crate::store::cases::CaseOrderField::UpdatedAt,
                    CaseOrderField::CreatedAt => crate::store::cases::CaseOrderField::CreatedAt,
                    CaseOrderField::Title => crate::store::cases::CaseOrderField::Title,
                    CaseOrderField::Relevance => crate::store::cases::CaseOrderField::Relevance,
                },
                order.direction == OrderDirection::Desc,
            ),
            None if has_search => (crate::store::cases::CaseOrderField::Relevance, true),
            None => (crate::store::cases::CaseOrderField::PublishedAt, true),
        };
        CaseOrder { field, descending, title_locale: title_locale.to_owned() }
    }
}

/// Which organisations to list.
#[derive(Clone, Debug, Default, InputObject)]
#[graphql(name = "OrganisationFilter")]
pub struct OrganisationFilterInput {
    /// Organisation types (any of them).
    pub types: Option<Vec<OrganisationType>>,
    /// ISO country codes (any of them).
    pub countries: Option<Vec<String>>,
    /// Full-text query over names and descriptions, any locale.
    pub search: Option<String>,
    /// Only synthetic sample organisations (true) or only real ones (false).
    pub is_sample: Option<bool>,
}

impl OrganisationFilterInput {
    /// The store filter.
    pub fn into_store(self) -> Result<OrganisationFilter> {
        Ok(OrganisationFilter {
            types: self.types.map(|types| types.into_iter().map(Into::into).collect()),
            countries: country_codes(self.countries)?,
            search: self.search,
            is_sample: self.is_sample,
        })
    }
}

/// Fields organisations can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum OrganisationOrderField {
    /// Name in the request's locale (English where it has none).
    Name,
    /// Number of published cases involving the organisation.
    CaseCount,
    /// Creation.
    CreatedAt,
}

/// An organisation ordering; ties are broken by a stable internal key.
#[derive(Clone, Copy, Debug, InputObject)]
#[graphql(name = "OrganisationOrder")]
pub struct OrganisationOrderInput {
    /// What to sort by.
    pub field: OrganisationOrderField,
    /// Which way.
    pub direction: OrderDirection,
}

/// Which follow-up actions to list.
#[derive(Clone, Debug, Default, InputObject)]
#[graphql(name = "FollowUpActionFilter")]
pub struct FollowUpActionFilterInput {
    /// Kinds (any of them).
    pub kinds: Option<Vec<FollowUpActionKind>>,
    /// Statuses (any of them).
    pub statuses: Option<Vec<FollowUpActionStatus>>,
    /// Collection slugs.
    pub collections: Option<Vec<String>>,
    /// Case slugs.
    pub cases: Option<Vec<String>>,
    /// Starting on or after this date (`YYYY-MM-DD`).
    pub starts_after: Option<String>,
    /// Starting before this date (`YYYY-MM-DD`).
    pub starts_before: Option<String>,
}

fn date(name: &str, value: Option<String>) -> Result<Option<NaiveDate>> {
    value
        .map(|text| {
            NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| {
                Error::BadUserInput(format!("`{name}` must be a date as YYYY-MM-DD, got `{text}`"))
            })
        })
        .transpose()
}

impl FollowUpActionFilterInput {
    /// The store filter.
    pub fn into_store(self) -> Result<FollowUpActionFilter> {
        Ok(FollowUpActionFilter {
            kinds: self.kinds.map(|kinds| kinds.into_iter().map(Into::into).collect()),
            statuses: self.statuses.map(|statuses| statuses.into_iter().map(Into::into).collect()),
            collections: self.collections,
            cases: self.cases,
            starts_after: date("startsAfter", self.starts_after)?,
            starts_before: date("startsBefore", self.starts_before)?,
        })
    }
}

/// Fields follow-up actions can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum FollowUpActionOrderField {
    /// Start date (undated actions sort lowest).
    StartsOn,
    /// Creation.
    CreatedAt,
}

/// A follow-up action ordering; ties are broken by a stable internal key.
#[derive(Clone, Copy, Debug, InputObject)]
#[graphql(name = "FollowUpActionOrder")]
pub struct FollowUpActionOrderInput {
    /// What to sort by.
    pub field: FollowUpActionOrderField,
    /// Which way.
    pub direction: OrderDirection,
}
