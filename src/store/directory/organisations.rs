//! Organisation lists: filtered, ordered (name, published case count, creation, relevance),
//! keyset-paginated, with their texts.

use std::collections::HashMap;

use entity::enums::CaseStatus;
use entity::{organisation, organisation_translation};
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, Func, JoinType, Order, Query, SelectStatement};
use sea_orm::{
    ActiveEnum, ColumnTrait, DatabaseBackend, EntityTrait, FromQueryResult, Iterable, QueryFilter, QueryOrder,
};

use super::{Listing, OrganisationFilter, SEARCH_ALIAS, SORT_ALIAS, nothing, search_score};
use crate::error::{Error, Result};
use crate::locale::DEFAULT_LOCALE;
use crate::store::Store;
use crate::store::brief::Detail;
use crate::store::catalogue::group_by;
use crate::store::records::OrganisationRecord;
use crate::store::search::{self, Indexed};
use crate::store::sql::page::{CursorKey, Keyset, Page, SortKind, SortValue, Window, finish_page};
use crate::text::SearchQuery;

/// What an organisation list is sorted by; `id` always breaks ties in the same direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrganisationOrderField {
    /// The name in the request's locale, falling back to English, then to any locale.
    Name,
    /// Number of published cases involving the organisation.
    CaseCount,
    CreatedAt,
    /// Full-text relevance (only with a search).
    Relevance,
}

/// An organisation ordering: field, direction and, for names, the locale compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrganisationOrder {
    pub field: OrganisationOrderField,
    pub descending: bool,
    pub name_locale: String,
}

/// An organisation list request: which organisations, in what order.
#[derive(Clone, Debug)]
pub struct OrganisationListing {
    pub filter: OrganisationFilter,
    pub order: OrganisationOrder,
}

fn organisations(column: organisation::Column) -> Expr {
    Expr::col((organisation::Entity, column))
}

/// `(SELECT name FROM organisation_translation WHERE …)` of the listed organisation: in
/// `locale`, or in the locale that sorts first (what `Organisation.name` falls back to).
fn name_in(locale: Option<&str>) -> Expr {
    let text = Alias::new("t");
    let mut select = Query::select();
    select
        .column((text.clone(), organisation_translation::Column::Name))
        .from_as(organisation_translation::Entity, text.clone())
        .and_where(
            Expr::col((text.clone(), organisation_translation::Column::OrganisationId))
                .equals((organisation::Entity, organisation::Column::Id)),
        );
    match locale {
        Some(locale) => {
            select.and_where(Expr::col((text, organisation_translation::Column::Locale)).eq(locale))
        }
        None => select.order_by((text, organisation_translation::Column::Locale), Order::Asc).limit(1),
    };
    Expr::SubQuery(None, Box::new(select.into()))
}

impl OrganisationOrder {
    /// The ordering a cursor is bound to.
    pub fn cursor_ordering(&self) -> String {
        let direction = if self.descending { "DESC" } else { "ASC" };
        match self.field {
            OrganisationOrderField::Name => format!("organisation:NAME:{direction}:{}", self.name_locale),
            OrganisationOrderField::CaseCount => format!("organisation:CASE_COUNT:{direction}"),
            OrganisationOrderField::CreatedAt => format!("organisation:CREATED_AT:{direction}"),
            OrganisationOrderField::Relevance => format!("organisation:RELEVANCE:{direction}"),
        }
    }

    /// Whether the sort value is computed (and selected as `sort_value`).
    fn is_computed(&self) -> bool {
        self.field != OrganisationOrderField::CreatedAt
    }

    /// The SQL expression sorted by.
    fn expression(&self) -> Expr {
        match self.field {
            OrganisationOrderField::Name => Func::coalesce([
                name_in(Some(&self.name_locale)),
                name_in(Some(DEFAULT_LOCALE)),
                name_in(None),
                Expr::val(""),
            ])
            .into(),
            // The status is one of our own enum codes, never caller text.
            OrganisationOrderField::CaseCount => Expr::cust(format!(
                "(SELECT COUNT(*) FROM case_organisation co JOIN cases c ON c.id = co.case_id \
                 WHERE co.organisation_id = organisation.id AND c.status = '{}')",
                CaseStatus::Published.to_value()
            )),
            OrganisationOrderField::CreatedAt => organisations(organisation::Column::CreatedAt),
            OrganisationOrderField::Relevance => search_score(),
        }
    }

    /// The keyset of this ordering.
    fn keyset(&self) -> Keyset {
        let kind = match self.field {
            OrganisationOrderField::Name => SortKind::Text,
            OrganisationOrderField::CaseCount | OrganisationOrderField::Relevance => SortKind::Number,
            OrganisationOrderField::CreatedAt => SortKind::Time,
        };
        Keyset {
            expression: self.expression(),
            id: organisations(organisation::Column::Id),
            nullable: false,
            kind,
            descending: self.descending,
        }
    }

    /// The cursor value of a fetched row.
    fn key_of(&self, model: &organisation::Model, row: &sea_orm::QueryResult) -> Result<CursorKey> {
        let value = match self.field {
            OrganisationOrderField::Name => SortValue::Text(row.try_get::<String>("", SORT_ALIAS)?),
            // Counts stay far below 2^53, so a float carries them exactly.
            OrganisationOrderField::CaseCount => {
                SortValue::Number(row.try_get::<i64>("", SORT_ALIAS)? as f64)
            }
            OrganisationOrderField::CreatedAt => SortValue::time(Some(model.created_at)),
            OrganisationOrderField::Relevance => SortValue::Number(row.try_get::<f64>("", SORT_ALIAS)?),
        };
        Ok(CursorKey { value, id: model.id })
    }
}

impl OrganisationFilter {
    /// The WHERE condition on the `organisation` table (without the full-text part).
    fn condition(&self) -> Condition {
        let mut all = Condition::all();
        if let Some(types) = &self.types {
            all = all.add(
                organisations(organisation::Column::OrganisationType)
                    .is_in(types.iter().map(ActiveEnum::to_value)),
            );
        }
        if let Some(codes) = &self.countries {
            let codes: Vec<String> = codes.iter().map(|code| code.to_ascii_uppercase()).collect();
            all = all.add(organisations(organisation::Column::Country).is_in(codes));
        }
        if let Some(is_sample) = self.is_sample {
            all = all.add(organisations(organisation::Column::IsSample).eq(is_sample));
        }
        all
    }
}

impl OrganisationListing {
    fn search(&self) -> Result<Option<SearchQuery>> {
        self.filter.search.as_deref().map(SearchQuery::parse).transpose().map(Option::flatten)
    }

    /// Rejects orderings that make no sense for the filter.
    fn validate(&self) -> Result<()> {
        if self.order.field == OrganisationOrderField::Relevance && self.filter.search.is_none() {
            return Err(Error::BadUserInput(
                "ordering by relevance needs a `search` in the filter".to_owned(),
            ));
        }
        Ok(())
    }
}

impl Listing for OrganisationListing {
    fn base(&self, select: &mut SelectStatement, backend: DatabaseBackend) -> Result<()> {
        select.from(organisation::Entity).cond_where(self.filter.condition());
        if let Some(query) = self.search()? {
            select.join_subquery(
                JoinType::InnerJoin,
                search::matches(backend, Indexed::Organisation, &query, &[]),
                Alias::new(SEARCH_ALIAS),
                Expr::col((Alias::new(SEARCH_ALIAS), Alias::new("id")))
                    .equals((organisation::Entity, organisation::Column::Id)),
            );
        } else if self.filter.search.is_some() {
            // A search with no searchable word matches nothing.
            select.and_where(nothing());
        }
        Ok(())
    }

    fn keyset(&self) -> Keyset {
        self.order.keyset()
    }
}

impl Store {
    /// One page of organisations for `listing` within `window`, with their texts.
    pub async fn organisation_page(
        &self,
        listing: &OrganisationListing,
        window: &Window,
    ) -> Result<Page<OrganisationRecord>> {
        listing.validate()?;
        if listing.filter.search.is_some() && listing.search()?.is_none() {
            // A search with no searchable word matches nothing (and has no relevance).
            return Ok(Page { rows: Vec::new(), has_more: false });
        }
        let order = &listing.order;
        let mut select = Query::select();
        select.columns(organisation::Column::iter().map(|column| (organisation::Entity, column)));
        if order.is_computed() {
            select.expr_as(order.expression(), Alias::new(SORT_ALIAS));
        }
        listing.base(&mut select, self.backend())?;
        let keyset = order.keyset();
        keyset.bound(&mut select, window)?;
        keyset.apply(&mut select, window.backward);
        select.limit(window.limit + 1);

        let rows = crate::store::sql::statement::query_all(self.connection(), &select).await?;
        let mut records = Vec::with_capacity(rows.len());
        for row in &rows {
            let model = organisation::Model::from_query_result(row, "")?;
            let key = order.key_of(&model, row)?;
            records.push((OrganisationRecord { model, translations: Vec::new(), detail: Detail::Full }, key));
        }
        let mut page = finish_page(records, window);
        let mut texts =
            self.organisation_translations(page.rows.iter().map(|(record, _)| record.model.id)).await?;
        for (record, _) in &mut page.rows {
            record.translations = texts.remove(&record.model.id).unwrap_or_default();
        }
        Ok(page)
    }

    /// Number of organisations matching `listing`'s filter.
    pub async fn count_organisations(&self, listing: &OrganisationListing) -> Result<u64> {
        self.count_listed(listing).await
    }

    /// Whether any organisation of `listing` lies at or before `key` (`towards_start`), or
    /// at or after it.
    pub async fn organisation_exists_beyond(
        &self,
        listing: &OrganisationListing,
        key: &CursorKey,
        towards_start: bool,
    ) -> Result<bool> {
        if listing.filter.search.is_some() && listing.search()?.is_none() {
            return Ok(false);
        }
        self.listed_beyond(listing, key, towards_start).await
    }

    async fn organisation_translations(
        &self,
        ids: impl Iterator<Item = i64>,
    ) -> Result<HashMap<i64, Vec<organisation_translation::Model>>> {
        let ids: Vec<i64> = ids.collect();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = organisation_translation::Entity::find()
            .filter(organisation_translation::Column::OrganisationId.is_in(ids))
            .order_by_asc(organisation_translation::Column::Locale)
            .all(self.connection())
            .await?;
        Ok(group_by(rows, |translation| translation.organisation_id))
    }
}
