//! Orderings of case lists.

use entity::{case, case_translation};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Order, Query};

use crate::error::{Error, Result};
use crate::locale::DEFAULT_LOCALE;
use crate::store::brief::Detail;
use crate::store::sql::page::{CursorKey, Keyset, SortKind, SortValue};

/// What a case list is sorted by; `id` always breaks ties in the same direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseOrderField {
    PublishedAt,
    UpdatedAt,
    CreatedAt,
    /// The title in the request's locale, falling back to English.
    Title,
    /// Full-text relevance (only with a search).
    Relevance,
}

/// A case ordering: field, direction and, for titles, the locale they are compared in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseOrder {
    pub field: CaseOrderField,
    pub descending: bool,
    pub title_locale: String,
}

/// Alias of the full-text match subquery joined to `cases`.
pub const SEARCH_ALIAS: &str = "search_match";
/// Alias of the computed sort value column.
pub const SORT_ALIAS: &str = "sort_value";

/// `(SELECT title FROM case_translation WHERE …)` of the listed case: in `locale`, or in the
/// locale that sorts first (what `Case.title` falls back to).
fn title_in(locale: Option<&str>) -> Expr {
    let text = Alias::new("t");
    let mut select = Query::select();
    select
        .column((text.clone(), case_translation::Column::Title))
        .from_as(case_translation::Entity, text.clone())
        .and_where(
            Expr::col((text.clone(), case_translation::Column::CaseId))
                .equals((case::Entity, case::Column::Id)),
        );
    match locale {
        Some(locale) => select.and_where(Expr::col((text, case_translation::Column::Locale)).eq(locale)),
        None => select.order_by((text, case_translation::Column::Locale), Order::Asc).limit(1),
    };
    Expr::SubQuery(None, Box::new(select.into()))
}

impl CaseOrder {
    /// The ordering a cursor is bound to.
    pub fn cursor_ordering(&self) -> String {
        let direction = if self.descending { "DESC" } else { "ASC" };
        match self.field {
            CaseOrderField::PublishedAt => format!("case:PUBLISHED_AT:{direction}"),
            CaseOrderField::UpdatedAt => format!("case:UPDATED_AT:{direction}"),
            CaseOrderField::CreatedAt => format!("case:CREATED_AT:{direction}"),
            CaseOrderField::Title => format!("case:TITLE:{direction}:{}", self.title_locale),
            CaseOrderField::Relevance => format!("case:RELEVANCE:{direction}"),
        }
    }

    /// Rejects orderings that make no sense for the filter.
    pub fn validate(&self, has_search: bool) -> Result<()> {
        if self.field == CaseOrderField::Relevance && !has_search {
            return Err(Error::BadUserInput("orderBy RELEVANCE needs a `search` in the filter".to_owned()));
        }
        Ok(())
    }

    /// Whether the sort value is computed (and selected as `sort_value`).
    pub fn is_computed(&self) -> bool {
        matches!(self.field, CaseOrderField::Title | CaseOrderField::Relevance)
    }

    /// The SQL expression sorted by.
    pub fn expression(&self) -> Expr {
        match self.field {
            CaseOrderField::PublishedAt => Expr::col((case::Entity, case::Column::PublishedAt)),
            CaseOrderField::UpdatedAt => Expr::col((case::Entity, case::Column::UpdatedAt)),
            CaseOrderField::CreatedAt => Expr::col((case::Entity, case::Column::CreatedAt)),
            CaseOrderField::Title => Func::coalesce([
                title_in(Some(&self.title_locale)),
                title_in(Some(DEFAULT_LOCALE)),
                title_in(None),
                Expr::val(""),
            ])
            .into(),
            CaseOrderField::Relevance => Expr::col((Alias::new(SEARCH_ALIAS), Alias::new("score"))),
        }
    }

    /// The keyset of this ordering.
    pub fn keyset(&self) -> Keyset {
        let kind = match self.field {
            CaseOrderField::Title => SortKind::Text,
            CaseOrderField::Relevance => SortKind::Number,
            _ => SortKind::Time,
        };
        Keyset {
            expression: self.expression(),
            id: Expr::col((case::Entity, case::Column::Id)),
            nullable: self.field == CaseOrderField::PublishedAt,
            kind,
            descending: self.descending,
        }
    }

    /// The detail to read a page's cases with, given the `wanted` one: a brief read leaves
    /// out the creation and update times, which are the cursor keys of those orderings.
    pub fn detail_for_keys(&self, wanted: Detail) -> Detail {
        match self.field {
            CaseOrderField::CreatedAt | CaseOrderField::UpdatedAt => Detail::Full,
            _ => wanted,
        }
    }

    /// The cursor value of a row: from the model, or the selected `sort_value`.
    pub fn key_of(&self, model: &case::Model, computed: Option<SortValue>) -> CursorKey {
        let value = match self.field {
            CaseOrderField::PublishedAt => SortValue::time(model.published_at),
            CaseOrderField::UpdatedAt => SortValue::time(Some(model.updated_at)),
            CaseOrderField::CreatedAt => SortValue::time(Some(model.created_at)),
            CaseOrderField::Title | CaseOrderField::Relevance => computed.unwrap_or(SortValue::Null),
        };
        CursorKey { value, id: model.id }
    }
}
