//! The engine-specific SQL that finds and ranks matches: SQLite FTS5 (bm25) or PostgreSQL
//! full-text search (ts_rank over a pre-analysed tsvector). Both yield `(id, score)`,
//! higher scores first.

use entity::enums::CaseStatus;
use sea_orm::sea_query::{Alias, Expr, Query, SelectStatement};
use sea_orm::{ActiveEnum, DatabaseBackend};

use super::syntax;
use crate::text::{SearchQuery, Term};

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

    /// The FTS5 column (SQLite) holding each case's status as one lower-case token, after
    /// the text fields; searched only through [`statuses_in_index`], never by user text.
    pub fn status_column(self) -> Option<&'static str> {
        (self == Self::Case).then_some("status")
    }
}

/// Whether `matches`/`match_ids` of `indexed` on `backend` keep only the `visible`
/// statuses themselves (SQLite's case index holds the status); otherwise callers join
/// `cases` and filter the status there.
pub fn statuses_in_index(backend: DatabaseBackend, indexed: Indexed) -> bool {
    backend == DatabaseBackend::Sqlite && indexed.status_column().is_some()
}

/// Larger than any index: a LIMIT that limits nothing.
const UNBOUNDED: u64 = i64::MAX as u64;

/// `SELECT id, score FROM <index> WHERE <matches query>`. Custom SQL placeholders are the
/// engine's own: `$1` in the PostgreSQL branch, `?` in the SQLite one. `visible` restricts
/// the matches to those case statuses where [`statuses_in_index`] says the index can.
pub fn matches(
    backend: DatabaseBackend,
    indexed: Indexed,
    query: &SearchQuery,
    visible: &[CaseStatus],
) -> SelectStatement {
    select_matches(backend, indexed, query, visible, true)
}

/// `SELECT id FROM <index> WHERE <matches query>`: the matches without their scores, for
/// counts and filters (ranking is most of a search's cost).
pub fn match_ids(
    backend: DatabaseBackend,
    indexed: Indexed,
    query: &SearchQuery,
    visible: &[CaseStatus],
) -> SelectStatement {
    select_matches(backend, indexed, query, visible, false)
}

/// The FTS5 MATCH expression: every term a quoted phrase, confined to the text columns when
/// the index has a status column, and then the `visible` statuses as one more required
/// group (none visible: nothing matches).
fn fts5_expression(indexed: Indexed, query: &SearchQuery, visible: &[CaseStatus]) -> String {
    let Some(status) = indexed.status_column() else {
        return syntax::fts5(query);
    };
    let columns: Vec<&str> = indexed.fields().iter().map(|(name, _)| *name).collect();
    let columns = columns.join(" ");
    let mut parts: Vec<String> =
        query.terms.iter().map(|Term(words)| format!("{{{columns}}} : \"{}\"", words.join(" "))).collect();
    // No visible status: a token no case carries, so nothing matches.
    let statuses: Vec<String> = if visible.is_empty() {
        vec!["none".to_owned()]
    } else {
        visible.iter().map(|case_status| case_status.to_value().to_lowercase()).collect()
    };
    let statuses: Vec<String> = statuses.iter().map(|token| format!("{status} : \"{token}\"")).collect();
    parts.push(format!("({})", statuses.join(" OR ")));
    parts.join(" AND ")
}

fn select_matches(
    backend: DatabaseBackend,
    indexed: Indexed,
    query: &SearchQuery,
    visible: &[CaseStatus],
    scored: bool,
) -> SelectStatement {
    let table = indexed.table();
    match backend {
        DatabaseBackend::Postgres => {
            let tsquery = syntax::tsquery(query);
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
            let mut weights: Vec<String> =
                indexed.fields().iter().map(|(_, weight)| format!("{weight:.1}")).collect();
            if indexed.status_column().is_some() {
                weights.push("0.0".to_owned());
            }
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
                .and_where(Expr::cust_with_values(
                    format!("{table} MATCH ?"),
                    [fts5_expression(indexed, query, visible)],
                ))
                // A LIMIT keeps SQLite from flattening this subquery into the join, where it
                // would run the MATCH once per candidate row (seconds at 100,000 cases)
                // instead of once.
                .limit(UNBOUNDED)
                .to_owned()
        }
    }
}
