//! Text analysis, identical on every engine and free of SQL: the tokeniser and stemmer
//! ([`tokens`]), a search as terms ([`query`]) and the highlighter that marks those terms
//! in a text ([`highlight`]); and Markdown bodies rendered to sanitised HTML
//! ([`markdown`]). The store's search indexes and the snippets in
//! the GraphQL layer both read it, so what is indexed, searched and highlighted agrees.

mod highlight;
mod markdown;
mod query;
mod tokens;

pub use highlight::snippet;
pub use markdown::to_safe_html;
pub use query::{MAX_SEARCH_CHARS, SearchQuery, Term};
pub use tokens::{terms, tokenize};
