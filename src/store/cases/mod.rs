//! Cases: filtered, ordered, keyset-paginated lists, counts and lookups.

pub mod filter;
pub mod order;

use std::collections::HashMap;

use entity::{case, case_translation};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, FromQueryResult, Iterable, QueryFilter,
    QueryOrder,
};

pub use filter::CaseFilter;
pub use order::{CaseOrder, CaseOrderField};

use super::Store;
use super::catalogue::group_by;
use super::page::{CursorKey, Page, SortValue, Window, finish_page};
use super::search::{self, Indexed, SearchQuery};
use crate::error::Result;
use order::{SEARCH_ALIAS, SORT_ALIAS};

/// A case with its texts in every locale present.
#[derive(Clone, Debug)]
pub struct CaseRecord {
    pub model: case::Model,
    pub translations: Vec<case_translation::Model>,
    /// Relevance, when the list came from a search.
    pub score: Option<f64>,
}

/// A case list request: which cases, in what order.
#[derive(Clone, Debug)]
pub struct CaseListing {
    pub filter: CaseFilter,
    pub order: CaseOrder,
}

impl CaseListing {
    fn search(&self) -> Result<Option<SearchQuery>> {
        self.filter.search_query()
    }

    /// `SELECT … FROM cases [JOIN search] WHERE filter`, without ordering; `ranked` joins
    /// the search's scores (only a page needs them).
    fn base(&self, select: &mut SelectStatement, backend: DatabaseBackend, ranked: bool) -> Result<()> {
        self.filter.restrict_matches(select, backend, ranked)
    }
}

impl CaseFilter {
    /// The parsed full-text query; `None` without a search or with no searchable word.
    pub fn search_query(&self) -> Result<Option<SearchQuery>> {
        self.search.as_deref().map(SearchQuery::parse).transpose().map(Option::flatten)
    }

    /// Makes `select` read exactly the cases this filter covers: `FROM cases [JOIN search]
    /// WHERE filter`. Lists, counts and statistics all start here, so they agree; callers
    /// may join more tables to `cases` and group.
    pub fn restrict(&self, select: &mut SelectStatement, backend: DatabaseBackend) -> Result<()> {
        self.restrict_matches(select, backend, false)
    }

    /// [`Self::restrict`], with the search's scores joined as `search_match.score` when
    /// `ranked`.
    fn restrict_matches(
        &self,
        select: &mut SelectStatement,
        backend: DatabaseBackend,
        ranked: bool,
    ) -> Result<()> {
        select.from(case::Entity).cond_where(self.condition());
        if let Some(query) = self.search_query()? {
            let matches = if ranked {
                search::matches(backend, Indexed::Case, &query)
            } else {
                search::match_ids(backend, Indexed::Case, &query)
            };
            select.join_subquery(
                JoinType::InnerJoin,
                matches,
                Alias::new(SEARCH_ALIAS),
                Expr::col((Alias::new(SEARCH_ALIAS), Alias::new("id")))
                    .equals((case::Entity, case::Column::Id)),
            );
        } else if self.search.is_some() {
            // A search with no searchable term matches nothing.
            select.and_where(Expr::val(1).eq(0));
        }
        Ok(())
    }
}

impl Store {
    /// One page of cases for `listing` within `window`.
    pub async fn case_page(&self, listing: &CaseListing, window: &Window) -> Result<Page<CaseRecord>> {
        listing.order.validate(listing.filter.search.is_some())?;
        if listing.filter.search.is_some() && listing.search()?.is_none() {
            // A search without a searchable word matches nothing.
            return Ok(finish_page(Vec::new(), window));
        }
        let order = &listing.order;
        let mut select = Query::select();
        select.columns(case::Column::iter().map(|column| (case::Entity, column)));
        if order.is_computed() {
            select.expr_as(order.expression(), Alias::new(SORT_ALIAS));
        }
        if listing.search()?.is_some() {
            select.expr_as(Expr::col((Alias::new(SEARCH_ALIAS), Alias::new("score"))), Alias::new("score"));
        }
        listing.base(&mut select, self.backend(), true)?;
        let keyset = order.keyset();
        keyset.bound(&mut select, window)?;
        keyset.apply(&mut select, window.backward);
        select.limit(window.limit + 1);

        let rows = self.connection().query_all(&select).await?;
        let mut models: Vec<(CaseRecord, CursorKey)> = Vec::with_capacity(rows.len());
        for row in &rows {
            let model = case::Model::from_query_result(row, "")?;
            let computed = match order.field {
                CaseOrderField::Title => Some(SortValue::Text(row.try_get::<String>("", SORT_ALIAS)?)),
                CaseOrderField::Relevance => Some(SortValue::Number(row.try_get::<f64>("", SORT_ALIAS)?)),
                _ => None,
            };
            let score =
                if listing.filter.search.is_some() { Some(row.try_get::<f64>("", "score")?) } else { None };
            let key = order.key_of(&model, computed);
            models.push((CaseRecord { model, translations: Vec::new(), score }, key));
        }
        let mut page = finish_page(models, window);
        let mut texts = self.case_translations(page.rows.iter().map(|(record, _)| record.model.id)).await?;
        for (record, _) in &mut page.rows {
            record.translations = texts.remove(&record.model.id).unwrap_or_default();
        }
        Ok(page)
    }

    /// Number of cases matching `listing`'s filter.
    pub async fn count_cases(&self, listing: &CaseListing) -> Result<u64> {
        let mut select = Query::select();
        select.expr_as(Expr::col((case::Entity, case::Column::Id)).count(), Alias::new("total"));
        listing.base(&mut select, self.backend(), false)?;
        let row = self.connection().query_one(&select).await?;
        let total: i64 = match row {
            Some(row) => row.try_get("", "total")?,
            None => 0,
        };
        Ok(u64::try_from(total).unwrap_or(0))
    }

    /// Whether any case of `listing` lies at or before `key` (`towards_start`), or at or
    /// after it: `hasPreviousPage` after an `after` cursor, `hasNextPage` before a `before` one.
    pub async fn case_exists_beyond(
        &self,
        listing: &CaseListing,
        key: &CursorKey,
        towards_start: bool,
    ) -> Result<bool> {
        let keyset = listing.order.keyset();
        let mut select = Query::select();
        select.expr(Expr::val(1));
        // The keyset of a relevance order compares scores.
        listing.base(&mut select, self.backend(), listing.order.field == CaseOrderField::Relevance)?;
        select.cond_where(if towards_start { keyset.at_or_before(key)? } else { keyset.at_or_after(key)? });
        select.limit(1);
        Ok(self.connection().query_one(&select).await?.is_some())
    }

    /// Cases by id (any status), with their texts, in any order.
    pub async fn cases_by_ids(&self, ids: &[i64]) -> Result<Vec<CaseRecord>> {
        let models = case::Entity::find()
            .filter(case::Column::Id.is_in(ids.iter().copied()))
            .all(self.connection())
            .await?;
        self.with_case_translations(models).await
    }

    /// The case with this slug (any status; callers check visibility).
    pub async fn case_by_slug(&self, slug: &str) -> Result<Option<CaseRecord>> {
        let models = case::Entity::find().filter(case::Column::Slug.eq(slug)).all(self.connection()).await?;
        Ok(self.with_case_translations(models).await?.into_iter().next())
    }

    async fn with_case_translations(&self, models: Vec<case::Model>) -> Result<Vec<CaseRecord>> {
        let mut texts = self.case_translations(models.iter().map(|model| model.id)).await?;
        Ok(models
            .into_iter()
            .map(|model| CaseRecord {
                translations: texts.remove(&model.id).unwrap_or_default(),
                model,
                score: None,
            })
            .collect())
    }

    async fn case_translations(
        &self,
        ids: impl Iterator<Item = i64>,
    ) -> Result<HashMap<i64, Vec<case_translation::Model>>> {
        let ids: Vec<i64> = ids.collect();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = case_translation::Entity::find()
            .filter(case_translation::Column::CaseId.is_in(ids))
            .order_by_asc(case_translation::Column::Locale)
            .all(self.connection())
            .await?;
        Ok(group_by(rows, |translation| translation.case_id))
    }
}
