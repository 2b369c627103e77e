//! Cases: filtered, ordered, keyset-paginated lists, counts and lookups.

pub mod filter;
pub mod order;

use std::collections::HashMap;

use entity::{case, case_translation};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Order, Query, SelectStatement};
use sea_orm::{DatabaseBackend, Statement};

pub use filter::CaseFilter;
pub use order::{CaseOrder, CaseOrderField};

use super::Store;
use super::brief::{self, BriefCase, Detail};
use super::search::{self, Indexed};
use super::sql::joined::grouped_statement;
use super::sql::page::{CursorKey, Page, SortValue, Window, finish_page};
use super::sql::positional::{Cursor, Positional, select_columns};
use super::sql::statement;
use crate::error::Result;
use crate::text::SearchQuery;
use order::{SEARCH_ALIAS, SORT_ALIAS};

/// A case with its texts in every locale present.
#[derive(Clone, Debug)]
pub struct CaseRecord {
    pub model: case::Model,
    pub translations: Vec<case_translation::Model>,
    /// Relevance, when the list came from a search.
    pub score: Option<f64>,
    /// How much of the case was read: [`Detail::Brief`] leaves out the summaries and
    /// bodies (most of a case's bytes) and the columns outside [`brief::CASE_COLUMNS`].
    pub detail: Detail,
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
    /// the search's scores (only a page needs them). When [`Self::index_only`], the
    /// matches alone: `SELECT … FROM (matches) AS search_match`.
    fn base(
        &self,
        select: &mut SelectStatement,
        backend: DatabaseBackend,
        ranked: bool,
        index_only: bool,
    ) -> Result<()> {
        match self.search()? {
            Some(query) if index_only => {
                let matches = if ranked {
                    search::matches(backend, Indexed::Case, &query, &self.filter.statuses)
                } else {
                    search::match_ids(backend, Indexed::Case, &query, &self.filter.statuses)
                };
                select.from_subquery(matches, Alias::new(SEARCH_ALIAS));
                Ok(())
            }
            _ => self.filter.restrict_matches(select, backend, ranked),
        }
    }

    /// Whether the full-text index alone answers this listing: a search constrained
    /// otherwise only by statuses, on an engine whose case index holds them, and (when
    /// `ordered`) ranked by relevance. Then `cases` is not read until the page's own rows.
    fn index_only(&self, backend: DatabaseBackend, ordered: bool) -> Result<bool> {
        Ok(search::statuses_in_index(backend, Indexed::Case)
            && self.filter.constrains_only_statuses()
            && self.search()?.is_some()
            && (!ordered || self.order.field == CaseOrderField::Relevance))
    }
}

/// The listed case's id: `cases.id`, or the match's id when the index alone answers.
fn case_id(index_only: bool) -> Expr {
    if index_only {
        Expr::col((Alias::new(SEARCH_ALIAS), Alias::new("id")))
    } else {
        Expr::col((case::Entity, case::Column::Id))
    }
}

impl CaseFilter {
    /// Whether nothing but the statuses (and a search) constrains this filter.
    fn constrains_only_statuses(&self) -> bool {
        *self == Self { statuses: self.statuses.clone(), search: self.search.clone(), ..Self::default() }
    }

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
                search::matches(backend, Indexed::Case, &query, &self.statuses)
            } else {
                search::match_ids(backend, Indexed::Case, &query, &self.statuses)
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
    pub async fn case_page(
        &self,
        listing: &CaseListing,
        window: &Window,
        detail: Detail,
    ) -> Result<Page<CaseRecord>> {
        listing.order.validate(listing.filter.search.is_some())?;
        if listing.filter.search.is_some() && listing.search()?.is_none() {
            // A search without a searchable word matches nothing.
            return Ok(finish_page(Vec::new(), window));
        }
        let order = &listing.order;
        let detail = order.detail_for_keys(detail);
        // The page is found on narrow rows (id, sort value, score), so a search sorts its
        // thousands of matches without carrying whole cases. Ordered by a column of the
        // case, the page's ids are a subquery of the statement that reads its rows; a
        // computed order or a search reads them afterwards, in a second statement.
        let index_only = listing.index_only(self.backend(), true)?;
        let mut select = Query::select();
        select.expr_as(case_id(index_only), Alias::new("id"));
        if order.is_computed() {
            select.expr_as(order.expression(), Alias::new(SORT_ALIAS));
        }
        let searching = listing.search()?.is_some();
        if searching {
            select.expr_as(Expr::col((Alias::new(SEARCH_ALIAS), Alias::new("score"))), Alias::new("score"));
        }
        listing.base(&mut select, self.backend(), true, index_only)?;
        let mut keyset = order.keyset();
        keyset.id = case_id(index_only);
        keyset.bound(&mut select, window)?;
        keyset.apply(&mut select, window.backward);
        select.limit(window.limit + 1);

        if !searching && !order.is_computed() {
            let rows = self
                .cases_where(
                    Expr::col((case::Entity, case::Column::Id)).in_subquery(select),
                    detail,
                    |outer| order.keyset().apply(outer, window.backward),
                )
                .await?;
            let models = rows
                .into_iter()
                .map(|record| {
                    let key = order.key_of(&record.model, None);
                    (record, key)
                })
                .collect();
            return Ok(finish_page(models, window));
        }

        let rows = crate::store::sql::statement::query_all(self.connection(), &select).await?;
        let mut found: Vec<(i64, Option<SortValue>, Option<f64>)> = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = row.try_get("", "id")?;
            let computed = match order.field {
                CaseOrderField::Title => Some(SortValue::Text(row.try_get::<String>("", SORT_ALIAS)?)),
                CaseOrderField::Relevance => Some(SortValue::Number(row.try_get::<f64>("", SORT_ALIAS)?)),
                _ => None,
            };
            let score = if searching { Some(row.try_get::<f64>("", "score")?) } else { None };
            found.push((id, computed, score));
        }
        let ids: Vec<i64> = found.iter().map(|(id, _, _)| *id).collect();
        let mut records: HashMap<i64, CaseRecord> = self
            .cases_by_ids_with(&ids, detail)
            .await?
            .into_iter()
            .map(|record| (record.model.id, record))
            .collect();
        // A case deleted between the two statements is left out of the page.
        let models: Vec<(CaseRecord, CursorKey)> = found
            .into_iter()
            .filter_map(|(id, computed, score)| {
                let mut record = records.remove(&id)?;
                record.score = score;
                let key = order.key_of(&record.model, computed);
                Some((record, key))
            })
            .collect();
        Ok(finish_page(models, window))
    }

    /// Number of cases matching `listing`'s filter.
    pub async fn count_cases(&self, listing: &CaseListing) -> Result<u64> {
        let index_only = listing.index_only(self.backend(), false)?;
        let mut select = Query::select();
        select.expr_as(case_id(index_only).count(), Alias::new("total"));
        listing.base(&mut select, self.backend(), false, index_only)?;
        let row = crate::store::sql::statement::query_one(self.connection(), &select).await?;
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
        let index_only = listing.index_only(self.backend(), true)?;
        let mut keyset = listing.order.keyset();
        keyset.id = case_id(index_only);
        let mut select = Query::select();
        select.expr(Expr::val(1));
        // The keyset of a relevance order compares scores.
        listing.base(
            &mut select,
            self.backend(),
            listing.order.field == CaseOrderField::Relevance,
            index_only,
        )?;
        select.cond_where(if towards_start { keyset.at_or_before(key)? } else { keyset.at_or_after(key)? });
        select.limit(1);
        Ok(crate::store::sql::statement::query_one(self.connection(), &select).await?.is_some())
    }

    /// Cases by id (any status), with their texts, ordered by id.
    pub async fn cases_by_ids(&self, ids: &[i64]) -> Result<Vec<CaseRecord>> {
        self.cases_by_ids_with(ids, Detail::Full).await
    }

    /// Cases by id (any status), read with `detail`, ordered by id.
    pub async fn cases_by_ids_with(&self, ids: &[i64], detail: Detail) -> Result<Vec<CaseRecord>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.cases_where(
            Expr::col((case::Entity, case::Column::Id)).is_in(ids.iter().copied()),
            detail,
            by_id,
        )
        .await
    }

    /// The case with this slug (any status; callers check visibility), read with `detail`.
    pub async fn case_by_slug(&self, slug: &str, detail: Detail) -> Result<Option<CaseRecord>> {
        let shape = match detail {
            Detail::Full => "case_by_slug",
            Detail::Brief => "case_by_slug_brief",
        };
        let statement = self.shapes().by_values(self.backend(), shape, vec![slug.into()], || {
            cases_select(Expr::col((case::Entity, case::Column::Slug)).eq(slug), detail, by_id)
        });
        Ok(self.cases_of(statement, detail).await?.into_iter().next())
    }

    /// Cases meeting `condition`, in the order `order` adds, each with its texts in every
    /// locale, in one statement: `cases` LEFT JOIN `case_translation`, read by position.
    async fn cases_where(
        &self,
        condition: Expr,
        detail: Detail,
        order: impl FnOnce(&mut SelectStatement),
    ) -> Result<Vec<CaseRecord>> {
        let select = cases_select(condition, detail, order);
        self.cases_of(statement::build(self.backend(), &select), detail).await
    }

    /// The cases a statement built by [`cases_select`] (with `detail`) reads.
    async fn cases_of(&self, statement: Statement, detail: Detail) -> Result<Vec<CaseRecord>> {
        match detail {
            Detail::Full => {
                self.case_groups::<case::Model>(statement, detail, case_translation::Model::read_optional)
                    .await
            }
            Detail::Brief => self.case_groups::<BriefCase>(statement, detail, brief::title_optional).await,
        }
    }

    /// The cases of `statement`, each read as a `P` followed by its translations.
    async fn case_groups<P: Positional + Into<case::Model>>(
        &self,
        statement: Statement,
        detail: Detail,
        translation: impl Fn(&mut Cursor<'_>) -> Result<Option<case_translation::Model>>,
    ) -> Result<Vec<CaseRecord>> {
        let groups =
            grouped_statement(self.connection(), statement, |row| row.peek::<i64>(), P::read, translation)
                .await?;
        Ok(groups
            .into_iter()
            .map(|(_, model, translations)| {
                let model: case::Model = model.into();
                let translations = brief::owned_by(model.id, translations);
                CaseRecord { model, translations, score: None, detail }
            })
            .collect())
    }
}

/// `cases` LEFT JOIN `case_translation` where `condition` holds, in the order `order` adds
/// then by locale: every column for [`Detail::Full`], the brief ones for [`Detail::Brief`].
fn cases_select(
    condition: Expr,
    detail: Detail,
    order: impl FnOnce(&mut SelectStatement),
) -> SelectStatement {
    let mut select = Query::select();
    select.from(case::Entity);
    match detail {
        Detail::Full => {
            select_columns::<case::Entity>(&mut select);
            select_columns::<case_translation::Entity>(&mut select);
        }
        Detail::Brief => {
            brief::select_columns::<case::Entity>(&mut select, &brief::CASE_COLUMNS);
            brief::select_columns::<case_translation::Entity>(&mut select, &brief::CASE_TEXT_COLUMNS);
        }
    }
    select
        .left_join(
            case_translation::Entity,
            Expr::col((case_translation::Entity, case_translation::Column::CaseId))
                .equals((case::Entity, case::Column::Id)),
        )
        .and_where(condition);
    order(&mut select);
    select.order_by((case_translation::Entity, case_translation::Column::Locale), Order::Asc);
    select
}

/// Orders cases by id.
fn by_id(select: &mut SelectStatement) {
    select.order_by((case::Entity, case::Column::Id), Order::Asc);
}
