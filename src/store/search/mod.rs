//! Full-text search in English, Chinese and Arabic on each engine's own index (SQLite FTS5,
//! PostgreSQL tsvector). The text analysis both engines share is [`crate::text`]; this room
//! writes its terms into the indexes and its queries in each engine's language.

mod index;
mod matching;
mod syntax;

pub use index::{
    Analysed, analyse, index_loaded, loaded_documents, reindex_cases, reindex_cases_of_organisations,
    reindex_follow_up_actions, reindex_organisations, remove, write_analysed,
};
pub use matching::{Indexed, match_ids, matches, statuses_in_index};
pub use syntax::fts5;
