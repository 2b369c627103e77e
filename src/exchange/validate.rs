//! Checks a whole file before anything is written: every row, every reference (to the
//! database or to the same file), duplicate slugs. Collects every problem, in file order.

use std::collections::HashMap;

use super::document::{CaseRow, Document, FORMAT, FORMAT_VERSION};
use super::errors::{ImportError, Position, ProblemKind};
use super::fields::Row;
use super::known::Known;
use super::record::Content;
use super::rows;
use super::snapshot::Ids;

/// Where each slug of one kind was first seen, to report duplicates.
#[derive(Default)]
struct FirstSeen(HashMap<String, String>);

impl FirstSeen {
    fn check(&mut self, row: &mut Row<'_>, slug: &str) {
        if slug.is_empty() {
            return;
        }
        let here = match &row.position {
            Position::Json { path, .. } => path.clone(),
            other => other.to_string(),
        };
        if let Some(first) = self.0.get(slug) {
            row.problem("slug", ProblemKind::Duplicate, format!("duplicate slug {slug:?}, first at {first}"));
        } else {
            self.0.insert(slug.to_owned(), here);
        }
    }
}

/// Checks every row of `source`, keeping the records of good rows.
fn each<T, R>(
    errors: &mut Vec<ImportError>,
    source: impl IntoIterator<Item = (Position, T)>,
    slug: impl Fn(&T) -> &str,
    mut check: impl FnMut(&mut Row<'_>, T) -> Option<R>,
) -> Vec<R> {
    let mut seen = FirstSeen::default();
    let mut records = Vec::new();
    for (position, item) in source {
        let mut row = Row::new(position, errors);
        seen.check(&mut row, slug(&item));
        if let Some(record) = check(&mut row, item) {
            records.push(record);
        }
    }
    records
}

fn numbered<T>(kind: &'static str, items: Vec<T>, slug: impl Fn(&T) -> &str) -> Vec<(Position, T)> {
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| (Position::json(format!("{kind}[{index}]"), slug(&item)), item))
        .collect()
}

/// Checks a JSON document against itself and the database's `ids`.
pub fn document(document: Document, ids: &Ids) -> Result<Content, Vec<ImportError>> {
    let mut errors = Vec::new();
    if document.format != FORMAT {
        errors.push(ImportError::new(&Position::File, "format", format!("must be {FORMAT:?}")));
    }
    if document.format_version != FORMAT_VERSION {
        errors.push(ImportError::new(
            &Position::File,
            "formatVersion",
            format!("must be {FORMAT_VERSION}, not {}", document.format_version),
        ));
    }
    let mut known = Known::new(ids);
    known.add(&document);
    let collections = numbered("collections", document.collections, |row| &row.slug);
    let organisations = numbered("organisations", document.organisations, |row| &row.slug);
    let cases = numbered("cases", document.cases, |row| &row.slug);
    let actions = numbered("followUpActions", document.follow_up_actions, |row| &row.slug);
    let content = Content {
        collections: each(&mut errors, collections, |row| &row.slug, rows::collection),
        organisations: each(&mut errors, organisations, |row| &row.slug, rows::organisation),
        cases: each(&mut errors, cases, |row| &row.slug, |row, case| rows::case(row, case, &known)),
        follow_up_actions: each(
            &mut errors,
            actions,
            |row| &row.slug,
            |row, action| rows::follow_up_action(row, action, &known),
        ),
    };
    if errors.is_empty() { Ok(content) } else { Err(errors) }
}

/// Checks cases read from a CSV file (whose reading found `errors` already) against the
/// database's `ids`: collections, categories and organisations must exist there.
pub fn cases(
    cases: Vec<(Position, CaseRow)>,
    mut errors: Vec<ImportError>,
    ids: &Ids,
) -> Result<Content, Vec<ImportError>> {
    let known = Known::new(ids);
    let cases = each(&mut errors, cases, |row| &row.slug, |row, case| rows::case(row, case, &known));
    if errors.is_empty() { Ok(Content { cases, ..Content::default() }) } else { Err(errors) }
}
