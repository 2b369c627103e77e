//! One search across cases, organisations and follow-up actions: the three full-text
//! matches in one `UNION ALL`, ranked by score, then kind, then id, so one keyset pages
//! through all of them and one statement counts them.

use std::collections::HashMap;

use entity::case;
use entity::enums::CaseStatus;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement, UnionType};
use sea_orm::{ActiveEnum, DatabaseBackend};

use super::{Listing, nothing};
use crate::error::Result;
use crate::store::Store;
use crate::store::cases::CaseRecord;
use crate::store::records::{FollowUpActionRecord, OrganisationRecord};
use crate::store::search::{self, Indexed};
use crate::store::sql::page::{CursorKey, Keyset, Page, SortKind, SortValue, Window, finish_page};
use crate::text::SearchQuery;

/// A result's position packs its kind above its id (ids stay far below 2^40), so that
/// `(score, position)` is the keyset `(score, kind, id)`.
const KIND_SPAN: i64 = 1 << 40;
/// Alias of the union of matches.
const RESULTS: &str = "results";
/// Alias of one kind's match subquery.
const MATCH: &str = "m";

/// What a search result is; on equal scores cases come first, then organisations, then
/// follow-up actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Case = 3,
    Organisation = 2,
    FollowUpAction = 1,
}

impl Kind {
    fn of_position(position: i64) -> Option<(Self, i64)> {
        let id = position % KIND_SPAN;
        match position / KIND_SPAN {
            3 => Some((Self::Case, id)),
            2 => Some((Self::Organisation, id)),
            1 => Some((Self::FollowUpAction, id)),
            _ => None,
        }
    }
}

/// The object a search found.
#[derive(Clone, Debug)]
pub enum SearchHit {
    Case(CaseRecord),
    Organisation(OrganisationRecord),
    FollowUpAction(FollowUpActionRecord),
}

/// A search result with its relevance (higher is better).
#[derive(Clone, Debug)]
pub struct SearchResultRecord {
    pub hit: SearchHit,
    pub score: f64,
}

/// A search over everything: the parsed text and the statuses of the cases to find.
#[derive(Clone, Debug)]
pub struct SiteSearch {
    /// `None` when the text holds no searchable word (nothing matches).
    pub query: Option<SearchQuery>,
    pub case_statuses: Vec<CaseStatus>,
}

impl SiteSearch {
    /// Parses `text` (a typed error when it is too long).
    pub fn new(text: &str, case_statuses: Vec<CaseStatus>) -> Result<Self> {
        Ok(Self { query: SearchQuery::parse(text)?, case_statuses })
    }

    /// The ordering a cursor is bound to: results of this search (as analysed), so a cursor
    /// of another search is refused.
    pub fn cursor_ordering(&self) -> String {
        let terms = self.query.as_ref().map(search::fts5).unwrap_or_default();
        // FNV-1a: stable across builds, unlike the standard library's hasher.
        let hash = terms.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        format!("search:{hash:016x}")
    }

    /// `SELECT id, score, position FROM <matches of one kind>`.
    fn branch(
        &self,
        backend: DatabaseBackend,
        query: &SearchQuery,
        indexed: Indexed,
        kind: Kind,
    ) -> SelectStatement {
        let matched = |column: &str| Expr::col((Alias::new(MATCH), Alias::new(column)));
        let mut select = Query::select();
        select
            .expr_as(matched("id"), Alias::new("id"))
            .expr_as(matched("score"), Alias::new("score"))
            // Integers of our own: nothing from the caller is spliced into SQL text.
            .expr_as(
                Expr::cust(format!("{} * {KIND_SPAN} + {MATCH}.id", kind as i64)),
                Alias::new("position"),
            )
            .from_subquery(search::matches(backend, indexed, query, &self.case_statuses), Alias::new(MATCH));
        if kind == Kind::Case && !search::statuses_in_index(backend, indexed) {
            select
                .inner_join(
                    case::Entity,
                    Expr::col((case::Entity, case::Column::Id)).equals((Alias::new(MATCH), Alias::new("id"))),
                )
                .and_where(
                    Expr::col((case::Entity, case::Column::Status))
                        .is_in(self.case_statuses.iter().map(ActiveEnum::to_value)),
                );
        }
        select
    }
}

fn results(column: &str) -> Expr {
    Expr::col((Alias::new(RESULTS), Alias::new(column)))
}

impl Listing for SiteSearch {
    fn base(&self, select: &mut SelectStatement, backend: DatabaseBackend) -> Result<()> {
        let Some(query) = &self.query else {
            select.from(case::Entity).and_where(nothing());
            return Ok(());
        };
        let mut union = self.branch(backend, query, Indexed::Case, Kind::Case);
        union
            .union(UnionType::All, self.branch(backend, query, Indexed::Organisation, Kind::Organisation))
            .union(
                UnionType::All,
                self.branch(backend, query, Indexed::FollowUpAction, Kind::FollowUpAction),
            );
        select.from_subquery(union, Alias::new(RESULTS));
        Ok(())
    }

    fn keyset(&self) -> Keyset {
        Keyset {
            expression: results("score"),
            id: results("position"),
            nullable: false,
            kind: SortKind::Number,
            descending: true,
        }
    }
}

impl Store {
    /// One page of results of `search` within `window`, best first, with their texts.
    pub async fn search_page(
        &self,
        search: &SiteSearch,
        window: &Window,
    ) -> Result<Page<SearchResultRecord>> {
        if search.query.is_none() {
            return Ok(Page { rows: Vec::new(), has_more: false });
        }
        let mut select = Query::select();
        select
            .expr_as(results("score"), Alias::new("score"))
            .expr_as(results("position"), Alias::new("position"));
        search.base(&mut select, self.backend())?;
        let keyset = search.keyset();
        keyset.bound(&mut select, window)?;
        keyset.apply(&mut select, window.backward);
        select.limit(window.limit + 1);

        let mut found: Vec<(f64, CursorKey)> = Vec::new();
        for row in crate::store::sql::statement::query_all(self.connection(), &select).await? {
            let score: f64 = row.try_get("", "score")?;
            let position: i64 = row.try_get("", "position")?;
            found.push((score, CursorKey { value: SortValue::Number(score), id: position }));
        }
        let page = finish_page(found, window);

        let mut ids: HashMap<i64, Vec<i64>> = HashMap::new();
        for (_, key) in &page.rows {
            if let Some((kind, id)) = Kind::of_position(key.id) {
                ids.entry(kind as i64).or_default().push(id);
            }
        }
        let ids_of = |kind: Kind| ids.get(&(kind as i64)).cloned().unwrap_or_default();
        let mut cases: HashMap<i64, CaseRecord> = HashMap::new();
        let mut organisations: HashMap<i64, OrganisationRecord> = HashMap::new();
        let mut actions: HashMap<i64, FollowUpActionRecord> = HashMap::new();
        let case_ids = ids_of(Kind::Case);
        if !case_ids.is_empty() {
            cases = self.cases_by_ids(&case_ids).await?.into_iter().map(|r| (r.model.id, r)).collect();
        }
        let organisation_ids = ids_of(Kind::Organisation);
        if !organisation_ids.is_empty() {
            organisations = self
                .organisations_by_ids(&organisation_ids)
                .await?
                .into_iter()
                .map(|r| (r.model.id, r))
                .collect();
        }
        let action_ids = ids_of(Kind::FollowUpAction);
        if !action_ids.is_empty() {
            actions = self
                .follow_up_actions_by_ids(&action_ids)
                .await?
                .into_iter()
                .map(|r| (r.model.id, r))
                .collect();
        }

        let mut rows = Vec::with_capacity(page.rows.len());
        for (score, key) in page.rows {
            // A row deleted between the two statements is left out of the page.
            let hit = match Kind::of_position(key.id) {
                Some((Kind::Case, id)) => cases.remove(&id).map(SearchHit::Case),
                Some((Kind::Organisation, id)) => organisations.remove(&id).map(SearchHit::Organisation),
                Some((Kind::FollowUpAction, id)) => actions.remove(&id).map(SearchHit::FollowUpAction),
                None => None,
            };
            if let Some(hit) = hit {
                rows.push((SearchResultRecord { hit, score }, key));
            }
        }
        Ok(Page { rows, has_more: page.has_more })
    }

    /// Number of results of `search` (all pages).
    pub async fn count_search_results(&self, search: &SiteSearch) -> Result<u64> {
        if search.query.is_none() {
            return Ok(0);
        }
        self.count_listed(search).await
    }

    /// Whether any result of `search` lies at or before `key` (`towards_start`), or at or
    /// after it.
    pub async fn search_result_exists_beyond(
        &self,
        search: &SiteSearch,
        key: &CursorKey,
        towards_start: bool,
    ) -> Result<bool> {
        if search.query.is_none() {
            return Ok(false);
        }
        self.listed_beyond(search, key, towards_start).await
    }
}
