//! Organisation and follow-up action lists (filters, orderings, keyset pages, exact counts)
//! and the search across every kind of object.

pub mod follow_up_actions;
pub mod organisations;
pub mod site_search;

use chrono::NaiveDate;
use entity::enums::{FollowUpActionKind, FollowUpActionStatus, OrganisationType};
use sea_orm::DatabaseBackend;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};

pub use follow_up_actions::{FollowUpActionListing, FollowUpActionOrder, FollowUpActionOrderField};
pub use organisations::{OrganisationListing, OrganisationOrder, OrganisationOrderField};
pub use site_search::{SearchHit, SearchResultRecord, SiteSearch};

use super::Store;
use super::sql::page::{CursorKey, Keyset};
use crate::error::Result;

/// Which organisations a list covers (`None` keys do not constrain; the values of one list
/// key match any of them, an empty list matches nothing).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OrganisationFilter {
    pub types: Option<Vec<OrganisationType>>,
    pub countries: Option<Vec<String>>,
    pub search: Option<String>,
    pub is_sample: Option<bool>,
}

/// Which follow-up actions a list covers (`None` keys do not constrain; the values of one
/// list key match any of them, an empty list matches nothing).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FollowUpActionFilter {
    pub kinds: Option<Vec<FollowUpActionKind>>,
    pub statuses: Option<Vec<FollowUpActionStatus>>,
    pub collections: Option<Vec<String>>,
    /// Case slugs.
    pub cases: Option<Vec<String>>,
    /// Starting on or after (inclusive).
    pub starts_after: Option<NaiveDate>,
    /// Starting strictly before.
    pub starts_before: Option<NaiveDate>,
}

/// A keyset-paginated listing: what its rows are and how they are ordered. Counts and the
/// `hasPreviousPage`/`hasNextPage` probes are the same for every listing.
pub(crate) trait Listing {
    /// `FROM … WHERE filter`, without ordering or columns.
    fn base(&self, select: &mut SelectStatement, backend: DatabaseBackend) -> Result<()>;

    /// The ordering's keyset.
    fn keyset(&self) -> Keyset;
}

/// Alias of a full-text match subquery joined to a listed table.
pub(crate) const SEARCH_ALIAS: &str = "search_match";
/// Alias of a computed sort value column.
pub(crate) const SORT_ALIAS: &str = "sort_value";
/// Alias of the relevance column of a search.
pub(crate) const SCORE_ALIAS: &str = "score";

/// `search_match.score`.
pub(crate) fn search_score() -> Expr {
    Expr::col((Alias::new(SEARCH_ALIAS), Alias::new(SCORE_ALIAS)))
}

impl Store {
    /// Number of rows of `listing` (all pages).
    pub(crate) async fn count_listed(&self, listing: &impl Listing) -> Result<u64> {
        let mut select = Query::select();
        select.expr_as(Expr::cust("COUNT(*)"), Alias::new("total"));
        listing.base(&mut select, self.backend())?;
        let total: i64 = match crate::store::sql::statement::query_one(self.connection(), &select).await? {
            Some(row) => row.try_get("", "total")?,
            None => 0,
        };
        Ok(u64::try_from(total).unwrap_or(0))
    }

    /// Whether any row of `listing` lies at or before `key` (`towards_start`), or at or
    /// after it: `hasPreviousPage` after an `after` cursor, `hasNextPage` before a `before` one.
    pub(crate) async fn listed_beyond(
        &self,
        listing: &impl Listing,
        key: &CursorKey,
        towards_start: bool,
    ) -> Result<bool> {
        let keyset = listing.keyset();
        let mut select = Query::select();
        select.expr(Expr::val(1));
        listing.base(&mut select, self.backend())?;
        select.cond_where(if towards_start { keyset.at_or_before(key)? } else { keyset.at_or_after(key)? });
        select.limit(1);
        Ok(crate::store::sql::statement::query_one(self.connection(), &select).await?.is_some())
    }
}

/// A condition that no row meets (a search without a searchable word finds nothing).
pub(crate) fn nothing() -> Expr {
    Expr::val(1).eq(0)
}
