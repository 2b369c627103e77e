//! Full-text search in English, Chinese and Arabic on each engine's own index (SQLite FTS5,
//! PostgreSQL tsvector), with one text analysis in Rust so both engines agree.

mod highlight;
mod index;
mod matching;
mod query;
mod text;

pub use highlight::snippet;
pub use index::{
    reindex_cases, reindex_cases_of_organisations, reindex_follow_up_actions, reindex_organisations,
};
pub use matching::{Indexed, match_ids, matches, statuses_in_index};
pub use query::{MAX_SEARCH_CHARS, SearchQuery};
