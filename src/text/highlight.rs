//! Highlighted snippets: the original text around the first match, HTML-escaped, with every
//! matched term wrapped in `<mark>…</mark>`. Computed from the same analysis the indexes
//! use, so what matched is what is marked, on every engine.

use std::collections::HashSet;

use super::query::{SearchQuery, Term};
use super::tokens::tokenize_stemming;

/// Characters of context kept on each side of the first match.
const CONTEXT_CHARS: usize = 60;
/// Longest snippet, in characters of the original text.
const SNIPPET_CHARS: usize = 200;

/// The snippet of `text` for `query`, or `None` when no term occurs in it.
pub fn snippet(text: &str, query: &SearchQuery) -> Option<String> {
    let words: HashSet<&str> = query
        .terms
        .iter()
        .filter(|Term(parts)| parts.len() == 1)
        .map(|Term(parts)| parts[0].as_str())
        .collect();
    // Stemming keeps a word's first letter: only words starting like a term can match.
    let initials: HashSet<char> = words.iter().filter_map(|word| word.chars().next()).collect();
    let tokens =
        tokenize_stemming(text, |word| word.chars().next().is_some_and(|first| initials.contains(&first)));
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut index = 0;
    while index < tokens.len() {
        let phrase = query.terms.iter().filter(|Term(parts)| parts.len() > 1).find(|Term(parts)| {
            parts
                .iter()
                .enumerate()
                .all(|(offset, part)| tokens.get(index + offset).is_some_and(|t| &t.term == part))
        });
        if let Some(Term(parts)) = phrase {
            spans.push((tokens[index].start, tokens[index + parts.len() - 1].end));
            index += parts.len();
        } else {
            if words.contains(tokens[index].term.as_str()) {
                spans.push((tokens[index].start, tokens[index].end));
            }
            index += 1;
        }
    }
    let (first_start, _) = *spans.first()?;
    let window_start = back_by_chars(text, first_start, CONTEXT_CHARS);
    let window_end = forward_by_chars(text, window_start, SNIPPET_CHARS);
    let mut out = String::new();
    if window_start > 0 {
        out.push('…');
    }
    let mut cursor = window_start;
    for (start, end) in spans.into_iter().filter(|(start, end)| *start >= window_start && *end <= window_end)
    {
        out.push_str(&escape(&text[cursor..start]));
        out.push_str("<mark>");
        out.push_str(&escape(&text[start..end]));
        out.push_str("</mark>");
        cursor = end;
    }
    out.push_str(&escape(&text[cursor..window_end]));
    if window_end < text.len() {
        out.push('…');
    }
    Some(out)
}

fn back_by_chars(text: &str, from: usize, chars: usize) -> usize {
    text[..from].char_indices().rev().nth(chars.saturating_sub(1)).map_or(0, |(offset, _)| offset)
}

fn forward_by_chars(text: &str, from: usize, chars: usize) -> usize {
    text[from..].char_indices().nth(chars).map_or(text.len(), |(offset, _)| from + offset)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(text: &str) -> SearchQuery {
        SearchQuery::parse(text).ok().flatten().unwrap_or(SearchQuery { terms: Vec::new() })
    }

    #[test]
    fn english_matches_are_marked_whatever_their_form() {
        assert_eq!(
            snippet("Cross-border <Logistics> hub", &query("logistic")).as_deref(),
            Some("Cross-border &lt;<mark>Logistics</mark>&gt; hub")
        );
    }

    #[test]
    fn chinese_phrases_are_marked_as_one_span() {
        assert_eq!(
            snippet("发展跨境物流枢纽", &query("物流")).as_deref(),
            Some("发展跨境<mark>物流</mark>枢纽")
        );
    }

    #[test]
    fn arabic_matches_ignore_tashkeel() {
        let marked = snippet("مركز التِّجَارَة الإلكترونية", &query("التجارة"));
        assert_eq!(marked.as_deref(), Some("مركز <mark>التِّجَارَة</mark> الإلكترونية"));
    }

    #[test]
    fn no_match_no_snippet() {
        assert_eq!(snippet("nothing here", &query("logistics")), None);
    }
}
