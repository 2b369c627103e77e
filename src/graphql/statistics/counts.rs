//! Output types of `statistics`: one count per category, organisation type, country,
//! collection, month, tag, follow-up action kind and status.

use async_graphql::{Enum, SimpleObject};

use crate::graphql::cost_directives::cost;
use crate::graphql::types::enums::{FollowUpActionKind, FollowUpActionStatus, OrganisationType};
use crate::graphql::types::{Category, Collection, Country};
use crate::store::statistics::DateField;

/// Filtered cases in one category.
#[derive(Clone, Debug, SimpleObject)]
#[graphql(directive = cost::apply("0".to_owned()))]
pub struct CategoryCount {
    /// The category.
    pub category: Category,
    /// Number of filtered cases in it.
    pub count: i32,
    /// `count / caseCount` (0 when there are no cases).
    pub share: f64,
}

/// Filtered cases showcasing one link of the industrial chain.
#[derive(Clone, Debug, SimpleObject)]
#[graphql(directive = cost::apply("0".to_owned()))]
pub struct OrganisationTypeCount {
    /// The industry-chain link (the case's `industryChainLink`, as in the `organisationTypes`
    /// filter).
    #[graphql(name = "type")]
    pub organisation_type: OrganisationType,
    /// Its name in the request's language (English when there is none).
    pub label: String,
    /// Number of filtered cases showcasing it.
    pub count: i32,
    /// `count / caseCount` (0 when there are no cases); cases without a link are in no
    /// group, so the shares may add up to less than 1.
    pub share: f64,
}

/// Filtered cases covering one country.
#[derive(Clone, Debug, SimpleObject)]
#[graphql(directive = cost::apply("0".to_owned()))]
pub struct CountryCount {
    /// The country.
    pub country: Country,
    /// Number of filtered cases covering it.
    pub count: i32,
    /// `count / caseCount` (0 when there are no cases); a case covering several countries
    /// counts in each.
    pub share: f64,
}

/// Filtered cases in one collection.
#[derive(Clone, Debug, SimpleObject)]
#[graphql(directive = cost::apply("0".to_owned()))]
pub struct CollectionCount {
    /// The collection (edition).
    pub collection: Collection,
    /// Number of filtered cases in it.
    pub count: i32,
    /// `count / caseCount` (0 when there are no cases).
    pub share: f64,
}

/// month is YYYY-MM.
#[derive(Clone, Debug, SimpleObject)]
#[graphql(directive = cost::apply("0".to_owned()))]
pub struct MonthCount {
    /// A month in UTC, `YYYY-MM`.
    pub month: String,
    /// Number of filtered cases whose date falls in it.
    pub count: i32,
}

/// Filtered cases carrying one tag.
#[derive(Clone, Debug, SimpleObject)]
#[graphql(directive = cost::apply("0".to_owned()))]
pub struct TagCount {
    /// The tag.
    pub tag: String,
    /// Number of filtered cases carrying it.
    pub count: i32,
}

/// Follow-up actions of one kind linked to the filtered cases.
#[derive(Clone, Debug, SimpleObject)]
#[graphql(directive = cost::apply("0".to_owned()))]
pub struct FollowUpActionKindCount {
    /// The kind.
    pub kind: FollowUpActionKind,
    /// Its name in the request's language (English when there is none).
    pub label: String,
    /// Number of distinct follow-up actions of this kind linked to the filtered cases.
    pub count: i32,
}

/// Follow-up actions in one state linked to the filtered cases.
#[derive(Clone, Debug, SimpleObject)]
#[graphql(directive = cost::apply("0".to_owned()))]
pub struct FollowUpActionStatusCount {
    /// The state.
    pub status: FollowUpActionStatus,
    /// Number of distinct follow-up actions in this state linked to the filtered cases.
    pub count: i32,
}

/// Which date of a case `byMonth` groups by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Enum)]
pub enum CaseDateField {
    /// Publication (unpublished cases are left out).
    #[default]
    PublishedAt,
    /// Creation.
    CreatedAt,
    /// Last change.
    UpdatedAt,
}

impl From<CaseDateField> for DateField {
    fn from(field: CaseDateField) -> Self {
        match field {
            CaseDateField::PublishedAt => Self::PublishedAt,
            CaseDateField::CreatedAt => Self::CreatedAt,
            CaseDateField::UpdatedAt => Self::UpdatedAt,
        }
    }
}

/// A count as a GraphQL `Int` (saturating; no filter reaches 2^31 cases).
pub fn int(count: u64) -> i32 {
    i32::try_from(count).unwrap_or(i32::MAX)
}

/// `count / total`, 0 when `total` is 0.
pub fn share(count: u64, total: u64) -> f64 {
    if total == 0 { 0.0 } else { count as f64 / total as f64 }
}
