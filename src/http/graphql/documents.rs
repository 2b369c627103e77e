//! Parsed operations by their text. Partner sites, dashboards and apps send the same few
//! documents over and over (with different variables), and parsing one costs more than
//! copying a parsed one: parsing was a twentieth of a case-by-slug request.
//!
//! Only documents that parse are kept, by the byte length of their text up to
//! [`MAX_TEXT_BYTES`] in all (least recently used leave first), so a client sending a new
//! document with every request gains nothing and costs one copy per request.

use std::sync::Arc;

use async_graphql::Request;
use async_graphql::parser::types::ExecutableDocument;
use moka::sync::Cache;

/// Total length of the texts whose parsed documents are kept: thousands of typical
/// operations, or fifty of the longest the server accepts.
pub const MAX_TEXT_BYTES: u64 = 1024 * 1024;

/// Parsed documents by text, shared by every request.
#[derive(Clone)]
pub struct Documents {
    parsed: Cache<Arc<str>, Arc<ExecutableDocument>>,
}

impl std::fmt::Debug for Documents {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Documents").field("entries", &self.parsed.entry_count()).finish()
    }
}

impl Default for Documents {
    fn default() -> Self {
        Self::new(MAX_TEXT_BYTES)
    }
}

impl Documents {
    /// A cache of documents whose texts total at most `max_text_bytes`.
    pub fn new(max_text_bytes: u64) -> Self {
        Self {
            parsed: Cache::builder()
                .max_capacity(max_text_bytes)
                .weigher(|text: &Arc<str>, _| u32::try_from(text.len()).unwrap_or(u32::MAX))
                .build(),
        }
    }

    /// Gives `request` its parsed document: a copy of the one parsed before for the same
    /// text, or the one parsed now (kept when it parses). A text that does not parse is
    /// left for the engine to report.
    pub fn prepare(&self, request: &mut Request) {
        if let Some(document) = self.parsed.get(request.query.as_str()) {
            request.set_parsed_query(ExecutableDocument::clone(&document));
            return;
        }
        if let Ok(document) = request.parsed_query() {
            let document = Arc::new(document.clone());
            self.parsed.insert(Arc::from(request.query.as_str()), document);
        }
    }

    /// Number of documents kept (after pending maintenance).
    pub fn len(&self) -> u64 {
        self.parsed.run_pending_tasks();
        self.parsed.entry_count()
    }

    /// Whether no document is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_parsed_once_and_a_broken_one_never_kept() {
        let documents = Documents::default();
        let text = "query A($slug: String!) { case(slug: $slug) { slug } } query B { __typename }";
        let mut first = Request::new(text);
        documents.prepare(&mut first);
        assert_eq!(documents.len(), 1);
        let mut second = Request::new(text).operation_name("B");
        documents.prepare(&mut second);
        assert_eq!(documents.len(), 1);
        let names = match second.parsed_query().map(|document| &document.operations) {
            Ok(async_graphql::parser::types::DocumentOperations::Multiple(operations)) => {
                let mut names: Vec<String> = operations.keys().map(ToString::to_string).collect();
                names.sort();
                names
            }
            _ => Vec::new(),
        };
        assert_eq!(names, ["A", "B"]);

        let mut broken = Request::new("{ case(slug: ");
        documents.prepare(&mut broken);
        assert_eq!(documents.len(), 1);
        assert!(broken.parsed_query().is_err());
    }

    #[test]
    fn texts_beyond_the_budget_push_out_the_oldest() {
        let documents = Documents::new(64);
        for n in 0..10 {
            let mut request = Request::new(format!("{{ a{n}: __typename b: __typename c: __typename }}"));
            documents.prepare(&mut request);
        }
        assert!(documents.len() <= 2, "{} documents kept", documents.len());
    }
}
