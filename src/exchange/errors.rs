//! The errors of a rejected import: every bad row, each with its position, field and
//! message.

use std::fmt;

/// Most problems printed; the rest are counted.
pub const PRINTED_ERRORS: usize = 100;

/// Where a problem is in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Position {
    /// A row of a JSON file: its path (`cases[12]`) and slug when it has one.
    Json { path: String, slug: Option<String> },
    /// A row of a CSV file, by line (the header is line 1).
    Csv { line: u64 },
    /// A place in the file's text (JSON syntax and type errors).
    Text { line: usize, column: usize },
    /// The file as a whole.
    File,
}

impl Position {
    /// A JSON row, named by its path and slug (when not empty).
    pub fn json(path: String, slug: &str) -> Self {
        Self::Json { path, slug: (!slug.is_empty()).then(|| slug.to_owned()) }
    }

    /// The name of `field` (a JSON path such as `texts.en.title`) at this position: the
    /// JSON path in JSON files, the column name (`title_en`) in CSV files.
    fn field_name(&self, field: &str) -> String {
        match self {
            Self::Csv { .. } => csv_column(field),
            _ => field.to_owned(),
        }
    }
}

/// The CSV column of a JSON field path: `texts.en.title` → `title_en`,
/// `organisations[2].role` → `organisations`, `industryChainLink` → `industry_chain_link`.
fn csv_column(field: &str) -> String {
    if let Some(rest) = field.strip_prefix("texts.")
        && let Some((locale, text)) = rest.split_once('.')
    {
        return format!("{text}_{locale}");
    }
    let base = field.split(['[', '.']).next().unwrap_or(field);
    let mut column = String::with_capacity(base.len() + 4);
    for character in base.chars() {
        if character.is_ascii_uppercase() {
            column.push('_');
            column.push(character.to_ascii_lowercase());
        } else {
            column.push(character);
        }
    }
    column
}

impl fmt::Display for Position {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Json { path, slug: Some(slug) } => write!(formatter, "{path} (slug {slug:?})"),
            Self::Json { path, slug: None } => write!(formatter, "{path}"),
            Self::Csv { line } => write!(formatter, "line {line}"),
            Self::Text { line, column } => write!(formatter, "line {line}, column {column}"),
            Self::File => write!(formatter, "file"),
        }
    }
}

/// What kind of problem a value has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// A required value is missing or empty.
    Required,
    /// The value breaks a rule of its field (format, length, characters, range).
    Invalid,
    /// The value names an object that does not exist.
    NotFound,
    /// The value is already taken, or listed twice.
    Duplicate,
}

/// One problem in one row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    pub position: Position,
    /// The field or column at fault; empty when the whole row or file is.
    pub field: String,
    pub message: String,
    pub kind: ProblemKind,
}

impl ImportError {
    /// A problem with `field` (a JSON path) of the row at `position`.
    pub fn new(position: &Position, field: &str, message: impl Into<String>) -> Self {
        Self::of_kind(position, field, ProblemKind::Invalid, message)
    }

    /// A problem of `kind` with `field` of the row at `position`.
    pub fn of_kind(position: &Position, field: &str, kind: ProblemKind, message: impl Into<String>) -> Self {
        Self { field: position.field_name(field), position: position.clone(), message: message.into(), kind }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if matches!(self.position, Position::Csv { .. }) { "column" } else { "field" };
        if self.field.is_empty() {
            write!(formatter, "{}: {}", self.position, self.message)
        } else {
            write!(formatter, "{}, {kind} {:?}: {}", self.position, self.field, self.message)
        }
    }
}

/// Every bad row of a rejected import; nothing was written.
#[derive(Debug)]
pub struct ImportErrors {
    /// The file, as given on the command line.
    pub file: String,
    pub errors: Vec<ImportError>,
}

impl std::error::Error for ImportErrors {}

impl From<ImportErrors> for crate::error::Error {
    fn from(errors: ImportErrors) -> Self {
        Self::Import(Box::new(errors))
    }
}

impl fmt::Display for ImportErrors {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.errors.len();
        let noun = if count == 1 { "problem" } else { "problems" };
        write!(formatter, "import of {} rejected, nothing was written: {count} {noun}", self.file)?;
        for error in self.errors.iter().take(PRINTED_ERRORS) {
            write!(formatter, "\n  - {error}")?;
        }
        if count > PRINTED_ERRORS {
            write!(formatter, "\n  … and {} more", count - PRINTED_ERRORS)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_errors_name_the_column() {
        let position = Position::Csv { line: 12 };
        let error = ImportError::new(&position, "texts.zh.title", "empty title");
        assert_eq!(error.to_string(), r#"line 12, column "title_zh": empty title"#);
        assert_eq!(csv_column("industryChainLink"), "industry_chain_link");
        assert_eq!(csv_column("organisations[1].role"), "organisations");
    }

    #[test]
    fn json_errors_name_the_row_its_slug_and_the_field() {
        let position = Position::json("cases[3]".to_owned(), "demo");
        let error = ImportError::new(&position, "category", "unknown");
        assert_eq!(error.to_string(), r#"cases[3] (slug "demo"), field "category": unknown"#);
    }

    #[test]
    fn long_lists_are_cut_after_a_hundred_problems() {
        let position = Position::Csv { line: 2 };
        let errors = ImportErrors {
            file: "cases.csv".to_owned(),
            errors: (0..150).map(|_| ImportError::new(&position, "slug", "empty slug")).collect(),
        };
        let text = errors.to_string();
        assert_eq!(text.lines().count(), 1 + PRINTED_ERRORS + 1);
        assert!(text.ends_with("… and 50 more"));
    }
}
