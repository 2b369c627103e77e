//! The file format of `casegraph export` and `casegraph import` (JSON), as serde types.
//!
//! Values stay as written here (enums, dates and timestamps are strings) so that every bad
//! value can be reported with its row and field instead of failing the whole parse; the
//! validator turns rows into typed records. Field order is the key order of the file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Value of the top-level `format` key.
pub const FORMAT: &str = "casegraph";
/// Value of the top-level `formatVersion` key this code reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// The whole file.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Document {
    /// Always `casegraph`.
    #[serde(default)]
    pub format: String,
    /// Always 1 for now.
    #[serde(default)]
    pub format_version: u32,
    /// Collections with their categories, by slug.
    #[serde(default)]
    pub collections: Vec<CollectionRow>,
    /// Organisations, by slug.
    #[serde(default)]
    pub organisations: Vec<OrganisationRow>,
    /// Cases, by slug.
    #[serde(default)]
    pub cases: Vec<CaseRow>,
    /// Follow-up actions, by slug.
    #[serde(default)]
    pub follow_up_actions: Vec<FollowUpActionRow>,
}

/// One edition of the case collection.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CollectionRow {
    #[serde(default)]
    pub slug: String,
    pub year: i32,
    /// Title per locale.
    #[serde(default)]
    pub texts: BTreeMap<String, CollectionText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub released_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub released_at_event: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_case_count: Option<i32>,
    /// Free text such as `2024-01`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_for_cases_started: Option<String>,
    /// Source URLs.
    #[serde(default)]
    pub sources: Vec<String>,
    /// Announced themes.
    #[serde(default)]
    pub themes: Vec<String>,
    /// The collection's categories, by slug.
    #[serde(default)]
    pub categories: Vec<CategoryRow>,
}

/// A collection's texts in one locale.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CollectionText {
    #[serde(default)]
    pub title: String,
}

/// One aspect of a collection.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CategoryRow {
    #[serde(default)]
    pub slug: String,
    pub position: i32,
    /// Name and description per locale.
    #[serde(default)]
    pub texts: BTreeMap<String, NameText>,
}

/// A name and an optional description in one locale (categories, organisations).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NameText {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// An actor of the industrial chain.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrganisationRow {
    #[serde(default)]
    pub slug: String,
    /// An `OrganisationType` value such as `LOGISTICS`.
    #[serde(default)]
    pub organisation_type: String,
    /// ISO 3166-1 alpha-2, upper case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(default)]
    pub is_sample: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
    /// Name and description per locale.
    #[serde(default)]
    pub texts: BTreeMap<String, NameText>,
}

/// A practice case.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaseRow {
    #[serde(default)]
    pub slug: String,
    /// Slug of the collection.
    #[serde(default)]
    pub collection: String,
    /// Slug of a category of that collection.
    #[serde(default)]
    pub category: String,
    /// `DRAFT`, `PUBLISHED` or `ARCHIVED`.
    #[serde(default)]
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry_chain_link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sourcing_method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover_image_url: Option<String>,
    #[serde(default)]
    pub is_sample: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
    /// Title, summary and body per locale.
    #[serde(default)]
    pub texts: BTreeMap<String, CaseText>,
    /// Organisations in display order.
    #[serde(default)]
    pub organisations: Vec<CaseOrganisationRow>,
    /// Country codes, sorted.
    #[serde(default)]
    pub countries: Vec<String>,
    /// Tag names, sorted.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A case's texts in one locale.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CaseText {
    #[serde(default)]
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Markdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// An organisation involved in a case.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CaseOrganisationRow {
    /// Slug of the organisation.
    #[serde(default)]
    pub organisation: String,
    /// `LEAD` or `PARTNER`.
    #[serde(default)]
    pub role: String,
}

/// A follow-up measure announced with a collection.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FollowUpActionRow {
    #[serde(default)]
    pub slug: String,
    /// A `FollowUpActionKind` value such as `SHOWCASE`.
    #[serde(default)]
    pub kind: String,
    /// A `FollowUpActionStatus` value such as `PLANNED`.
    #[serde(default)]
    pub status: String,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_on: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// Slug of the organising organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organiser: Option<String>,
    /// Slug of the collection it was announced with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection: Option<String>,
    #[serde(default)]
    pub is_sample: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
    /// Title and description per locale.
    #[serde(default)]
    pub texts: BTreeMap<String, TitleText>,
    /// Slugs of the cases it concerns, sorted.
    #[serde(default)]
    pub cases: Vec<String>,
}

/// A title and an optional description in one locale (follow-up actions).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TitleText {
    #[serde(default)]
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}
