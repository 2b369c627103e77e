//! A search as the engines see it: terms (words, or phrases of CJK characters), all required.

use super::tokens::{Token, tokenize};
use crate::error::{Error, Result};

/// Longest search text accepted, in characters.
pub const MAX_SEARCH_CHARS: usize = 2_000;
/// Terms beyond this many are ignored.
const MAX_TERMS: usize = 32;

/// One required term: a word, or consecutive CJK characters that must appear in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term(pub Vec<String>);

/// A parsed full-text search. User text is data, never syntax: operators, quotes and
/// SQL metacharacters are just separators here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchQuery {
    pub terms: Vec<Term>,
}

impl SearchQuery {
    /// Parses user text; `Ok(None)` when it holds no searchable word.
    pub fn parse(text: &str) -> Result<Option<Self>> {
        if text.chars().count() > MAX_SEARCH_CHARS {
            return Err(Error::BadUserInput(format!(
                "search text is too long: at most {MAX_SEARCH_CHARS} characters"
            )));
        }
        let mut terms: Vec<Term> = Vec::new();
        let mut phrase: Vec<String> = Vec::new();
        let mut last_end = usize::MAX;
        let push = |terms: &mut Vec<Term>, term: Term| {
            if !term.0.is_empty() && !terms.contains(&term) {
                terms.push(term);
            }
        };
        for Token { term, start, end, ideograph } in tokenize(text) {
            if ideograph {
                if start != last_end && !phrase.is_empty() {
                    push(&mut terms, Term(std::mem::take(&mut phrase)));
                }
                phrase.push(term);
            } else {
                push(&mut terms, Term(std::mem::take(&mut phrase)));
                push(&mut terms, Term(vec![term]));
            }
            last_end = end;
        }
        push(&mut terms, Term(phrase));
        terms.truncate(MAX_TERMS);
        Ok((!terms.is_empty()).then_some(Self { terms }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_and_quotes_are_plain_separators() {
        let query = SearchQuery::parse(r#"logistics" OR 1=1; DROP TABLE cases; -- NEAR(*"#).ok().flatten();
        let terms = query.map(|query| query.terms.len()).unwrap_or(0);
        assert!(terms >= 5);
    }

    #[test]
    fn punctuation_only_is_no_search_and_huge_text_an_error() {
        assert_eq!(SearchQuery::parse("!!! ***").ok().flatten(), None);
        assert!(SearchQuery::parse(&"a".repeat(10_240)).is_err());
    }
}
