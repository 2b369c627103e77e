//! Typed, validated content as import writes it and export reads it: the same shape as the
//! file, with slugs for references and no database ids.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use entity::enums::{
    CaseStatus, FollowUpActionKind, FollowUpActionStatus, OrganisationRole, OrganisationType, SourcingMethod,
};

/// Everything a file holds (or the database, read for export).
#[derive(Debug, Default)]
pub struct Content {
    pub collections: Vec<Collection>,
    pub organisations: Vec<Organisation>,
    pub cases: Vec<Case>,
    pub follow_up_actions: Vec<FollowUpAction>,
}

/// When a row was created and last changed; `None` when a file leaves it out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stamps {
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    /// Optimistic-concurrency counter: 1 on creation, +1 per change.
    pub version: Option<i32>,
}

/// A collection with its titles and categories.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Collection {
    pub slug: String,
    pub year: i32,
    pub publisher: Option<String>,
    pub released_on: Option<NaiveDate>,
    pub released_at_event: Option<String>,
    pub declared_case_count: Option<i32>,
    pub call_for_cases_started: Option<String>,
    pub sources: Vec<String>,
    pub themes: Vec<String>,
    /// Title per locale.
    pub titles: BTreeMap<String, String>,
    pub categories: Vec<Category>,
    /// Optimistic-concurrency counter; `None` in a file (versions of collections and
    /// categories are not exported).
    pub version: Option<i32>,
}

/// A category with its texts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Category {
    pub slug: String,
    pub position: i32,
    pub texts: BTreeMap<String, NameText>,
    /// As [`Collection::version`].
    pub version: Option<i32>,
}

/// A name and an optional description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameText {
    pub name: String,
    pub description: Option<String>,
}

/// An organisation with its texts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organisation {
    pub slug: String,
    pub organisation_type: OrganisationType,
    pub country: Option<String>,
    pub region: Option<String>,
    pub website: Option<String>,
    pub is_sample: bool,
    pub stamps: Stamps,
    pub texts: BTreeMap<String, NameText>,
}

/// A case with its texts and links.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    pub slug: String,
    pub collection: String,
    pub category: String,
    pub status: CaseStatus,
    pub industry_chain_link: Option<OrganisationType>,
    pub sourcing_method: Option<SourcingMethod>,
    pub cover_image_url: Option<String>,
    pub is_sample: bool,
    pub published_at: Option<DateTime<Utc>>,
    pub stamps: Stamps,
    pub texts: BTreeMap<String, CaseText>,
    /// Organisation slugs with their roles, in display order.
    pub organisations: Vec<(String, OrganisationRole)>,
    /// Sorted country codes.
    pub countries: Vec<String>,
    /// Sorted tag names.
    pub tags: Vec<String>,
}

/// A case's title, summary and body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseText {
    pub title: String,
    pub summary: Option<String>,
    pub body: Option<String>,
}

/// A follow-up action with its texts and cases.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUpAction {
    pub slug: String,
    pub kind: FollowUpActionKind,
    pub status: FollowUpActionStatus,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub place: Option<String>,
    pub organiser: Option<String>,
    pub collection: Option<String>,
    pub is_sample: bool,
    pub stamps: Stamps,
    pub texts: BTreeMap<String, TitleText>,
    /// Sorted case slugs.
    pub cases: Vec<String>,
}

/// A title and an optional description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TitleText {
    pub title: String,
    pub description: Option<String>,
}

/// Timestamps are kept to the microsecond, what PostgreSQL stores, so that every backend
/// gives the same export.
pub fn truncate(timestamp: DateTime<Utc>) -> DateTime<Utc> {
    timestamp.trunc_subsecs(6)
}

/// What importing a row does to the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// A new slug.
    Insert,
    /// An existing slug whose content differs.
    Update,
    /// An existing slug with the same content.
    Unchanged,
}

/// A row that carries [`Stamps`].
pub trait Stamped: PartialEq {
    /// The row's stamps.
    fn stamps(&self) -> Stamps;
    /// Replaces the row's stamps.
    fn set_stamps(&mut self, stamps: Stamps);
    /// Whether the table has a version column.
    fn has_version(&self) -> bool {
        false
    }
}

/// Completes the stamps a file left out and says what the row does: new rows get
/// `now`/`now`/1; rows that differ from `existing` keep its `created_at` and get
/// `updated_at = now` and its version + 1; rows equal to it (stamps left out taken from
/// it) change nothing.
pub fn settle<R: Stamped>(row: &mut R, existing: Option<&R>, now: DateTime<Utc>) -> Change {
    let given = row.stamps();
    let versioned = row.has_version();
    let Some(existing) = existing else {
        row.set_stamps(Stamps {
            created_at: given.created_at.or(Some(now)),
            updated_at: given.updated_at.or(Some(now)),
            version: if versioned { given.version.or(Some(1)) } else { None },
        });
        return Change::Insert;
    };
    let old = existing.stamps();
    row.set_stamps(Stamps {
        created_at: given.created_at.or(old.created_at),
        updated_at: given.updated_at.or(old.updated_at),
        version: given.version.or(old.version),
    });
    if row == existing {
        return Change::Unchanged;
    }
    row.set_stamps(Stamps {
        created_at: given.created_at.or(old.created_at),
        updated_at: given.updated_at.or(Some(now)),
        version: if versioned { given.version.or(Some(old.version.unwrap_or(0) + 1)) } else { None },
    });
    Change::Update
}

impl Stamped for Organisation {
    fn stamps(&self) -> Stamps {
        self.stamps
    }
    fn set_stamps(&mut self, stamps: Stamps) {
        self.stamps = stamps;
    }
    fn has_version(&self) -> bool {
        true
    }
}

impl Stamped for Case {
    fn stamps(&self) -> Stamps {
        self.stamps
    }
    fn set_stamps(&mut self, stamps: Stamps) {
        self.stamps = stamps;
    }
    fn has_version(&self) -> bool {
        true
    }
}

impl Stamped for FollowUpAction {
    fn stamps(&self) -> Stamps {
        self.stamps
    }
    fn set_stamps(&mut self, stamps: Stamps) {
        self.stamps = stamps;
    }
    fn has_version(&self) -> bool {
        true
    }
}
