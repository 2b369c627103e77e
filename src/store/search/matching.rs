//! The engine-specific SQL that finds and ranks matches: SQLite FTS5 (bm25) or PostgreSQL
//! full-text search (ts_rank over a pre-analysed tsvector). Both yield `(id, score)`,
//! higher scores first.

use sea_orm::DatabaseBackend;
use sea_orm::sea_query::{Alias, Expr, Query, SelectStatement};

use super::SearchQuery;

/// A searchable kind of object and its index table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Indexed {
    Case,
    Organisation,
    FollowUpAction,
}

impl Indexed {
    /// The index table (an FTS5 virtual table on SQLite, a tsvector table on PostgreSQL).
    pub fn table(self) -> &'static str {
        match self {
            Self::Case => "case_search",
            Self::Organisation => "organisation_search",
            Self::FollowUpAction => "follow_up_action_search",
        }
    }

    /// The indexed fields, in column order, with their bm25 weights.
    pub fn fields(self) -> &'static [(&'static str, f64)] {
        match self {
            Self::Case => &[("title", 8.0), ("summary", 4.0), ("body", 1.0), ("organisations", 2.0)],
            Self::Organisation => &[("name", 8.0), ("description", 2.0)],
            Self::FollowUpAction => &[("title", 8.0), ("description", 2.0), ("place", 1.0)],
        }
    }
}

/// Larger than any index: a LIMIT that limits nothing.
const UNBOUNDED: u64 = i64::MAX as u64;

/// `SELECT id, score FROM <index> WHERE <matches query>`. Custom SQL placeholders are the
/// engine's own: `$1` in the PostgreSQL branch, `?` in the SQLite one.
pub fn matches(backend: DatabaseBackend, indexed: Indexed, query: &SearchQuery) -> SelectStatement {
    select_matches(backend, indexed, query, true)
}

/// `SELECT id FROM <index> WHERE <matches query>`: the matches without their scores, for
/// counts and filters (ranking is most of a search's cost).
pub fn match_ids(backend: DatabaseBackend, indexed: Indexed, query: &SearchQuery) -> SelectStatement {
    select_matches(backend, indexed, query, false)
}

fn select_matches(
    backend: DatabaseBackend,
    indexed: Indexed,
    query: &SearchQuery,
    scored: bool,
) -> SelectStatement {
    let table = indexed.table();
    match backend {
        DatabaseBackend::Postgres => {
            let tsquery = query.tsquery();
            let mut select = Query::select();
            select.expr_as(Expr::cust("owner_id"), Alias::new("id"));
            if scored {
                select.expr_as(
                    Expr::cust_with_values(
                        "CAST(ts_rank(document, CAST($1 AS tsquery)) AS double precision)",
                        [tsquery.clone()],
                    ),
                    Alias::new("score"),
                );
            }
            select
                .from(Alias::new(table))
                .and_where(Expr::cust_with_values("document @@ CAST($1 AS tsquery)", [tsquery]))
                .to_owned()
        }
        _ => {
            let weights: Vec<String> =
                indexed.fields().iter().map(|(_, weight)| format!("{weight:.1}")).collect();
            let mut select = Query::select();
            select.expr_as(Expr::cust("rowid"), Alias::new("id"));
            if scored {
                select.expr_as(
                    Expr::cust(format!("-bm25({table}, {})", weights.join(", "))),
                    Alias::new("score"),
                );
            }
            select
                .from(Alias::new(table))
                .and_where(Expr::cust_with_values(format!("{table} MATCH ?"), [query.fts5()]))
                // A LIMIT keeps SQLite from flattening this subquery into the join, where it
                // would run the MATCH once per candidate row (seconds at 100,000 cases)
                // instead of once.
                .limit(UNBOUNDED)
                .to_owned()
        }
    }
}
