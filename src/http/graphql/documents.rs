//! Parsed operations by their text. Partner sites, dashboards and apps send the same few
//! documents over and over (with different variables), and parsing one costs more than
//! copying a parsed one: parsing was a twentieth of a case-by-slug request.
//!
//! Only documents that parse are kept, by the byte length of their text up to
//! [`MAX_TEXT_BYTES`] in all (least recently used leave first), so a client sending a new
//! document with every request gains nothing and costs one copy per request.
//!
//! A kept document also remembers the cost analysis of each of its operations whose
//! analysis read no variable (most: a case by slug, a page of a fixed size): it is the
//! same for every request, and it was a twentieth of a case-by-slug request.

use std::sync::{Arc, Mutex};

use async_graphql::Request;
use async_graphql::parser::types::ExecutableDocument;
use moka::sync::Cache;

/// Total length of the texts whose parsed documents are kept: thousands of typical
/// operations, or fifty of the longest the server accepts.
pub const MAX_TEXT_BYTES: u64 = 1024 * 1024;

use crate::protection::cost::Analysis;

/// Operations a kept document remembers analyses for, at most (a document names few).
const ANALYSES_KEPT: usize = 16;

/// Parsed documents by text, shared by every request.
#[derive(Clone)]
pub struct Documents {
    parsed: Cache<Arc<str>, Arc<Prepared>>,
}

/// A parsed document, and the analyses of its operations that do not depend on variables.
#[derive(Debug)]
pub struct Prepared {
    document: ExecutableDocument,
    /// By operation name (`None`: the document's only operation).
    analyses: Mutex<Vec<(Option<String>, Analysis)>>,
    /// Its operations that passed every validation rule, by name (see `graphql::Schemas`).
    valid: Mutex<Vec<Option<String>>>,
}

impl Prepared {
    /// Whether `operation_name` (as the request names it) passed every validation rule
    /// before.
    pub fn is_valid(&self, operation_name: Option<&str>) -> bool {
        self.valid.lock().is_ok_and(|valid| valid.iter().any(|name| name.as_deref() == operation_name))
    }

    /// Remembers that `operation_name` passed every validation rule.
    pub fn remember_valid(&self, operation_name: Option<&str>) {
        if let Ok(mut valid) = self.valid.lock()
            && valid.len() < ANALYSES_KEPT
            && !valid.iter().any(|name| name.as_deref() == operation_name)
        {
            valid.push(operation_name.map(str::to_owned));
        }
    }

    /// The remembered analysis of `operation_name`, if any.
    pub fn analysis(&self, operation_name: Option<&str>) -> Option<Analysis> {
        let analyses = self.analyses.lock().ok()?;
        analyses
            .iter()
            .find(|(name, _)| name.as_deref() == operation_name)
            .map(|(_, analysis)| analysis.clone())
    }

    /// Remembers `analysis` for `operation_name`: only an analysis that read no variable.
    pub fn remember(&self, operation_name: Option<&str>, analysis: &Analysis) {
        if let Ok(mut analyses) = self.analyses.lock()
            && analyses.len() < ANALYSES_KEPT
            && !analyses.iter().any(|(name, _)| name.as_deref() == operation_name)
        {
            analyses.push((operation_name.map(str::to_owned), analysis.clone()));
        }
    }
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
    /// left for the engine to report. Returns the kept document, when there is one.
    pub fn prepare(&self, request: &mut Request) -> Option<Arc<Prepared>> {
        if let Some(prepared) = self.parsed.get(request.query.as_str()) {
            request.set_parsed_query(prepared.document.clone());
            return Some(prepared);
        }
        let document = request.parsed_query().ok()?;
        let prepared = Arc::new(Prepared {
            document: document.clone(),
            analyses: Mutex::new(Vec::new()),
            valid: Mutex::new(Vec::new()),
        });
        self.parsed.insert(Arc::from(request.query.as_str()), Arc::clone(&prepared));
        Some(prepared)
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
