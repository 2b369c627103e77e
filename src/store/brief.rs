//! Brief reads: the columns a list usually shows, and no others.
//!
//! A page of cases with their organisations reads hundreds of joined rows, and every value
//! of every row is copied out of the database and decoded, whether or not the query shows
//! it. A [`Detail::Brief`] read selects only the columns a list of cases (or of a case's
//! organisations) needs: keys, slug, status, dates that order lists, and titles or names.
//! The record still carries a whole model, with the unread fields left at neutral values;
//! a resolver of a field a brief read leaves out asks for the full record first (the
//! GraphQL layer reads a record briefly only when its look-ahead shows that no such field
//! is selected, so that second read is a safety net, not a plan).

use chrono::{DateTime, Utc};
use entity::enums::OrganisationType;
use entity::{case, case_translation, organisation, organisation_translation};
use sea_orm::EntityTrait;
use sea_orm::sea_query::{Expr, SelectStatement};

use super::sql::positional::{Cursor, Positional};
use crate::error::Result;

/// How much of a record a read fetched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    /// Every column, and every text (summaries, bodies, descriptions).
    Full,
    /// The brief columns ([`CASE_COLUMNS`], [`ORGANISATION_COLUMNS`]) and the titles or
    /// names; the other fields of the model hold neutral values, not what is stored.
    Brief,
}

/// What a brief read leaves in the timestamps it does not read.
const UNREAD_TIME: DateTime<Utc> = DateTime::UNIX_EPOCH;

/// The columns of a case a brief read selects, in the order [`BriefCase`] reads them.
pub const CASE_COLUMNS: [case::Column; 7] = [
    case::Column::Id,
    case::Column::Slug,
    case::Column::CollectionId,
    case::Column::CategoryId,
    case::Column::Status,
    case::Column::IsSample,
    case::Column::PublishedAt,
];

/// The columns of a case's translation a brief read selects, in the order
/// [`title_optional`] reads them. Not its case id: that is the case's own, read before it
/// (the reader of the rows sets it, see [`owned_by`]).
pub const CASE_TEXT_COLUMNS: [case_translation::Column; 2] =
    [case_translation::Column::Locale, case_translation::Column::Title];

/// The columns of an organisation a brief read selects, in the order [`BriefOrganisation`]
/// reads them.
pub const ORGANISATION_COLUMNS: [organisation::Column; 2] =
    [organisation::Column::Id, organisation::Column::Slug];

/// The columns of an organisation's translation a brief read selects, in the order
/// [`name_optional`] reads them (not its organisation id, as for [`CASE_TEXT_COLUMNS`]).
pub const ORGANISATION_TEXT_COLUMNS: [organisation_translation::Column; 2] =
    [organisation_translation::Column::Locale, organisation_translation::Column::Name];

/// Adds `columns` of `E`, in order, to `select`.
pub fn select_columns<E: EntityTrait>(select: &mut SelectStatement, columns: &[E::Column]) {
    for column in columns {
        select.expr(Expr::col((E::default(), *column)));
    }
}

/// A case read from [`CASE_COLUMNS`].
pub struct BriefCase(pub case::Model);

impl Positional for BriefCase {
    const COLUMNS: usize = CASE_COLUMNS.len();

    fn read(cursor: &mut Cursor<'_>) -> Result<Self> {
        Ok(Self(case::Model {
            id: cursor.take()?,
            slug: cursor.take()?,
            collection_id: cursor.take()?,
            category_id: cursor.take()?,
            status: cursor.take()?,
            is_sample: cursor.take()?,
            published_at: cursor.take()?,
            industry_chain_link: None,
            sourcing_method: None,
            cover_image_url: None,
            created_at: UNREAD_TIME,
            updated_at: UNREAD_TIME,
            version: 0,
        }))
    }
}

/// An organisation read from [`ORGANISATION_COLUMNS`].
pub struct BriefOrganisation(pub organisation::Model);

impl Positional for BriefOrganisation {
    const COLUMNS: usize = ORGANISATION_COLUMNS.len();

    fn read(cursor: &mut Cursor<'_>) -> Result<Self> {
        Ok(Self(organisation::Model {
            id: cursor.take()?,
            slug: cursor.take()?,
            organisation_type: OrganisationType::Government,
            country: None,
            region: None,
            website: None,
            is_sample: false,
            created_at: UNREAD_TIME,
            updated_at: UNREAD_TIME,
            version: 0,
        }))
    }
}

impl From<BriefCase> for case::Model {
    fn from(brief: BriefCase) -> Self {
        brief.0
    }
}

impl From<BriefOrganisation> for organisation::Model {
    fn from(brief: BriefOrganisation) -> Self {
        brief.0
    }
}

/// A case translation read from [`CASE_TEXT_COLUMNS`], or `None` when the LEFT JOIN found
/// none (its locale is then NULL). Its `case_id` is left at 0 for [`owned_by`] to set.
pub fn title_optional(row: &mut Cursor<'_>) -> Result<Option<case_translation::Model>> {
    let locale: Option<String> = row.take()?;
    let title: Option<String> = row.take()?;
    Ok(match (locale, title) {
        (Some(locale), Some(title)) => {
            Some(case_translation::Model { case_id: 0, locale, title, summary: None, body: None })
        }
        _ => None,
    })
}

/// An organisation translation read from [`ORGANISATION_TEXT_COLUMNS`], or `None` when the
/// LEFT JOIN found none. Its `organisation_id` is left at 0 for [`owned_by`] to set.
pub fn name_optional(row: &mut Cursor<'_>) -> Result<Option<organisation_translation::Model>> {
    let locale: Option<String> = row.take()?;
    let name: Option<String> = row.take()?;
    Ok(match (locale, name) {
        (Some(locale), Some(name)) => {
            Some(organisation_translation::Model { organisation_id: 0, locale, name, description: None })
        }
        _ => None,
    })
}

/// A translation whose owner's id a brief read takes from the owner's row.
pub trait Owned {
    /// Sets the owner's id.
    fn set_owner(&mut self, id: i64);
}

impl Owned for case_translation::Model {
    fn set_owner(&mut self, id: i64) {
        self.case_id = id;
    }
}

impl Owned for organisation_translation::Model {
    fn set_owner(&mut self, id: i64) {
        self.organisation_id = id;
    }
}

/// `translations` of the owner `id`, each with its owner's id set.
pub fn owned_by<T: Owned>(id: i64, mut translations: Vec<T>) -> Vec<T> {
    for translation in &mut translations {
        translation.set_owner(id);
    }
    translations
}
