//! A parsed search written in each engine's query language: an FTS5 MATCH expression, a
//! PostgreSQL `tsquery`, and the quoting of a lexeme in `tsvector`/`tsquery` literals.

use crate::text::{SearchQuery, Term};

/// The FTS5 MATCH expression: every term a quoted phrase (terms hold only letters and
/// digits, so no quote can appear inside).
pub fn fts5(query: &SearchQuery) -> String {
    query.terms.iter().map(|Term(parts)| format!("\"{}\"", parts.join(" "))).collect::<Vec<_>>().join(" AND ")
}

/// The PostgreSQL `tsquery` literal: terms joined by `&`, phrases by `<->`.
pub fn tsquery(query: &SearchQuery) -> String {
    query
        .terms
        .iter()
        .map(|Term(parts)| {
            let lexemes: Vec<String> = parts.iter().map(|part| quote_lexeme(part)).collect();
            if lexemes.len() == 1 { lexemes.join("") } else { format!("({})", lexemes.join(" <-> ")) }
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

/// Quotes a lexeme for a `tsvector`/`tsquery` literal.
pub fn quote_lexeme(lexeme: &str) -> String {
    format!("'{}'", lexeme.replace('\\', "\\\\").replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_runs_become_phrases() {
        let query = SearchQuery::parse("跨境 物流").ok().flatten().map(|query| fts5(&query));
        assert_eq!(query.as_deref(), Some("\"跨 境\" AND \"物 流\""));
    }

    #[test]
    fn tsquery_joins_terms_and_phrases() {
        let query = SearchQuery::parse("cold chain 物流").ok().flatten().map(|query| tsquery(&query));
        assert_eq!(query.as_deref(), Some("'cold' & 'chain' & ('物' <-> '流')"));
    }
}
