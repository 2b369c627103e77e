//! Reading joined rows by position. The hot read paths (cases, their organisations and
//! follow-up actions) select each entity's columns in declaration order and read them back
//! in the same order: no `<prefix><column>` name is built and looked up per value, which is
//! what sea-orm's by-name `FromQueryResult` does and what dominated a page of cases.
//!
//! The order is the model's field order, which is also the order of its `Column` enum
//! (`DeriveEntityModel` derives one from the other); a test reads every entity both ways.

use entity::{
    case, case_translation, category, category_translation, collection, collection_translation,
    follow_up_action, follow_up_action_translation, organisation, organisation_translation,
};
use sea_orm::sea_query::{Expr, SelectStatement};
use sea_orm::{EntityTrait, Iterable, QueryResult, TryGetable};

use crate::error::Result;

/// A row and the position of the next value to read.
pub struct Cursor<'a> {
    row: &'a QueryResult,
    next: usize,
}

impl<'a> Cursor<'a> {
    /// Reading `row` from its first value.
    pub fn new(row: &'a QueryResult) -> Self {
        Self { row, next: 0 }
    }

    /// The next value.
    pub fn take<T: TryGetable>(&mut self) -> Result<T> {
        let value = self.row.try_get_by_index(self.next)?;
        self.next += 1;
        Ok(value)
    }

    /// The next value, without moving past it.
    pub fn peek<T: TryGetable>(&self) -> Result<T> {
        Ok(self.row.try_get_by_index(self.next)?)
    }

    /// Passes over `count` values.
    pub fn skip(&mut self, count: usize) {
        self.next += count;
    }
}

/// Adds every column of `E`, in declaration order, to `select`.
pub fn select_columns<E: EntityTrait>(select: &mut SelectStatement) {
    for column in E::Column::iter() {
        select.expr(Expr::col((E::default(), column)));
    }
}

/// A model read from the columns [`select_columns`] adds for its entity.
pub trait Positional: Sized {
    /// Number of columns read.
    const COLUMNS: usize;

    /// Reads the model at the cursor, moving past it.
    fn read(cursor: &mut Cursor<'_>) -> Result<Self>;

    /// Reads the model of a LEFT JOIN, or `None` (moving past its columns) when the join
    /// found no row: its first column, a key, is then NULL.
    fn read_optional(cursor: &mut Cursor<'_>) -> Result<Option<Self>> {
        let present: Option<i64> = cursor.row.try_get_by_index(cursor.next)?;
        if present.is_some() {
            Self::read(cursor).map(Some)
        } else {
            cursor.skip(Self::COLUMNS);
            Ok(None)
        }
    }
}

/// Implements [`Positional`] for a model from its fields, listed in declaration order (a
/// missing field does not compile; a misplaced one fails the round-trip test).
macro_rules! positional {
    ($($model:ty { $($field:ident),+ $(,)? })+) => {$(
        impl Positional for $model {
            const COLUMNS: usize = [$(stringify!($field)),+].len();

            fn read(cursor: &mut Cursor<'_>) -> Result<Self> {
                Ok(Self { $($field: cursor.take()?),+ })
            }
        }
    )+};
}

positional! {
    case::Model {
        id, slug, collection_id, category_id, industry_chain_link, sourcing_method,
        cover_image_url, status, is_sample, published_at, created_at, updated_at, version,
    }
    case_translation::Model { case_id, locale, title, summary, body }
    organisation::Model {
        id, slug, organisation_type, country, region, website, is_sample, created_at, updated_at,
        version,
    }
    organisation_translation::Model { organisation_id, locale, name, description }
    follow_up_action::Model {
        id, slug, kind, status, starts_on, ends_on, place, organiser_id, collection_id, is_sample,
        created_at, updated_at, version,
    }
    follow_up_action_translation::Model { follow_up_action_id, locale, title, description }
    collection::Model {
        id, slug, year, publisher, released_on, released_at_event, declared_case_count,
        call_for_cases_started, sources, themes, created_at, updated_at, version,
    }
    collection_translation::Model { collection_id, locale, title }
    category::Model { id, collection_id, slug, position, version }
    category_translation::Model { category_id, locale, name, description }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_is_read() {
        fn columns<E: EntityTrait>() -> usize {
            E::Column::iter().count()
        }
        assert_eq!(case::Model::COLUMNS, columns::<case::Entity>());
        assert_eq!(case_translation::Model::COLUMNS, columns::<case_translation::Entity>());
        assert_eq!(organisation::Model::COLUMNS, columns::<organisation::Entity>());
        assert_eq!(organisation_translation::Model::COLUMNS, columns::<organisation_translation::Entity>());
        assert_eq!(follow_up_action::Model::COLUMNS, columns::<follow_up_action::Entity>());
        assert_eq!(
            follow_up_action_translation::Model::COLUMNS,
            columns::<follow_up_action_translation::Entity>()
        );
        assert_eq!(collection::Model::COLUMNS, columns::<collection::Entity>());
        assert_eq!(collection_translation::Model::COLUMNS, columns::<collection_translation::Entity>());
        assert_eq!(category::Model::COLUMNS, columns::<category::Entity>());
        assert_eq!(category_translation::Model::COLUMNS, columns::<category_translation::Entity>());
    }
}
