//! Reads the CSV form of cases: one case per row, named columns (any order), lists split
//! on `;`, texts in `title_<locale>`, `summary_<locale>` and `body_<locale>` columns so a
//! new locale needs no code change. Empty cells are absent values.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use csv::StringRecord;

use super::document::{CaseOrganisationRow, CaseRow, CaseText};
use super::errors::{ImportError, Position};
use super::fields::is_language_tag;
use crate::error::Result;

/// Columns every file must have.
const REQUIRED: [&str; 4] = ["slug", "collection", "category", "status"];
/// Other columns with a fixed name.
const OPTIONAL: [&str; 11] = [
    "organisations",
    "countries",
    "tags",
    "industry_chain_link",
    "sourcing_method",
    "cover_image_url",
    "published_at",
    "created_at",
    "updated_at",
    "is_sample",
    "version",
];
/// Prefixes of localised text columns.
const TEXTS: [&str; 3] = ["title", "summary", "body"];

/// The cases of a CSV file and the problems found reading it.
#[derive(Debug, Default)]
pub struct CsvCases {
    /// Each case with its line.
    pub cases: Vec<(Position, CaseRow)>,
    /// Problems of CSV syntax, headers and cells that do not fit the JSON form.
    pub errors: Vec<ImportError>,
}

/// Reads the file at `path`.
pub fn read(path: &Path) -> Result<CsvCases> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_path(path).map_err(into_error)?;
    let header = Position::Csv { line: 1 };
    let headers = reader.headers().map_err(into_error)?.clone();
    let mut errors = check_headers(&headers, &header);
    let mut cases = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = record.position().map_or(0, csv::Position::line);
                let position = Position::Csv { line };
                let cells = headers.iter().zip(record.iter());
                cases.push((position.clone(), case(cells, &position, &mut errors)));
            }
            Err(error) if matches!(error.kind(), csv::ErrorKind::Io(_)) => return Err(into_error(error)),
            Err(error) => {
                let line = error.position().map_or(0, csv::Position::line);
                errors.push(ImportError::new(&Position::Csv { line }, "", error.to_string()));
            }
        }
    }
    Ok(CsvCases { cases, errors })
}

fn into_error(error: csv::Error) -> crate::error::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error.into(),
        other => crate::error::Error::BadUserInput(format!("cannot read the CSV file: {other:?}")),
    }
}

fn check_headers(headers: &StringRecord, position: &Position) -> Vec<ImportError> {
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for name in headers {
        if !seen.insert(name) {
            errors.push(ImportError::new(position, name, "column appears twice"));
        } else if !REQUIRED.contains(&name) && !OPTIONAL.contains(&name) && text_column(name).is_none() {
            errors.push(ImportError::new(
                position,
                name,
                "unknown column (texts are title_<locale>, summary_<locale>, body_<locale>)",
            ));
        }
    }
    for name in REQUIRED {
        if !seen.contains(name) {
            errors.push(ImportError::new(position, name, "required column is missing"));
        }
    }
    errors
}

/// `("title", "zh")` for `title_zh`, when the locale is a language tag.
fn text_column(name: &str) -> Option<(&str, &str)> {
    let (text, locale) = name.split_once('_')?;
    (TEXTS.contains(&text) && is_language_tag(locale)).then_some((text, locale))
}

fn list(value: &str) -> Vec<String> {
    value.split(';').map(str::trim).filter(|item| !item.is_empty()).map(str::to_owned).collect()
}

/// One row as the JSON form of a case; problems of CSV syntax go to `errors`.
fn case<'a>(
    cells: impl Iterator<Item = (&'a str, &'a str)>,
    position: &Position,
    errors: &mut Vec<ImportError>,
) -> CaseRow {
    let mut case = CaseRow::default();
    let mut texts: BTreeMap<String, CaseText> = BTreeMap::new();
    for (column, raw) in cells {
        let value = raw.trim();
        let present = (!value.is_empty()).then(|| value.to_owned());
        if let Some((text, locale)) = text_column(column) {
            if let Some(content) = (!raw.trim().is_empty()).then(|| raw.to_owned()) {
                let entry = texts.entry(locale.to_owned()).or_default();
                match text {
                    "title" => entry.title = content,
                    "summary" => entry.summary = Some(content),
                    _ => entry.body = Some(content),
                }
            }
            continue;
        }
        match column {
            "slug" => case.slug = value.to_owned(),
            "collection" => case.collection = value.to_owned(),
            "category" => case.category = value.to_owned(),
            "status" => case.status = value.to_owned(),
            "industry_chain_link" => case.industry_chain_link = present,
            "sourcing_method" => case.sourcing_method = present,
            "cover_image_url" => case.cover_image_url = present,
            "published_at" => case.published_at = present,
            "created_at" => case.created_at = present,
            "updated_at" => case.updated_at = present,
            "countries" => case.countries = list(value),
            "tags" => case.tags = list(value),
            "organisations" => case.organisations = organisations(value, position, errors),
            "is_sample" => case.is_sample = flag(value, position, errors),
            "version" if !value.is_empty() => match value.parse() {
                Ok(version) => case.version = Some(version),
                Err(_) => errors.push(ImportError::new(
                    position,
                    "version",
                    format!("{value:?} is not a whole number"),
                )),
            },
            _ => {}
        }
    }
    case.texts = texts;
    case
}

/// `slug:ROLE;slug:ROLE`, in display order.
fn organisations(
    value: &str,
    position: &Position,
    errors: &mut Vec<ImportError>,
) -> Vec<CaseOrganisationRow> {
    let mut links = Vec::new();
    for item in list(value) {
        match item.split_once(':') {
            Some((organisation, role)) => links.push(CaseOrganisationRow {
                organisation: organisation.trim().to_owned(),
                role: role.trim().to_owned(),
            }),
            None => errors.push(ImportError::new(
                position,
                "organisations",
                format!("{item:?} is not organisation-slug:ROLE (such as acme:LEAD)"),
            )),
        }
    }
    links
}

fn flag(value: &str, position: &Position, errors: &mut Vec<ImportError>) -> bool {
    match value.to_ascii_lowercase().as_str() {
        "" | "false" | "no" | "0" => false,
        "true" | "yes" | "1" => true,
        _ => {
            errors.push(ImportError::new(position, "is_sample", format!("{value:?} is not true or false")));
            false
        }
    }
}
