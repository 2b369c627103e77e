//! `casegraph export` and `casegraph import`: all content as one JSON document (see
//! `docs/import-format.md` and `schemas/casegraph-export.schema.json`), and cases as CSV.
//!
//! Export reads every table once and writes a deterministic file. Import parses and checks
//! the whole file against itself and the database first, collecting every problem; only a
//! clean file is written, in one transaction, idempotently by slug. Exporting, importing
//! into an empty database and exporting again gives the same bytes.

mod collections;
mod csv;
pub mod document;
mod edit;
mod entries;
mod errors;
mod export;
mod fields;
mod import;
mod known;
mod models;
mod record;
mod rows;
mod snapshot;
mod validate;
mod write;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::Utc;
use sea_orm::TransactionTrait;

pub use self::edit::{Edit, Removal, remove};
pub use self::errors::{ImportError, ImportErrors, Position, ProblemKind};
pub use self::export::format_timestamp;
pub use self::fields::{
    BODY_BYTES, DESCRIPTION_LENGTH, LINE_LENGTH, SUMMARY_LENGTH, TITLE_LENGTH, URL_LENGTH,
};
pub use self::import::Outcome;
pub use self::snapshot::{Ids, Selection};
pub use self::write::Counts;
use crate::config::ImportFormat;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::journal::{self, Actor, Journal, Origin};

/// What `casegraph import` did.
#[derive(Clone, Debug)]
pub struct ImportReport {
    pub file: PathBuf,
    pub outcome: Outcome,
    pub elapsed: Duration,
}

/// What `casegraph export` wrote.
#[derive(Clone, Debug)]
pub struct ExportReport {
    pub file: PathBuf,
    pub collections: usize,
    pub categories: usize,
    pub organisations: usize,
    pub cases: usize,
    pub follow_up_actions: usize,
    pub bytes: u64,
    pub elapsed: Duration,
}

/// Imports the file at `path`: checks it whole, then writes it in one transaction. A file
/// with any bad row is rejected with [`Error::Import`] listing every problem, and nothing
/// is written.
pub async fn import_file(store: &Store, path: &Path, format: ImportFormat) -> Result<ImportReport> {
    let started = Instant::now();
    let rejected = |errors: Vec<ImportError>| ImportErrors { file: path.display().to_string(), errors };
    let owned = path.to_owned();
    let parsed = tokio::task::spawn_blocking(move || read(&owned, format))
        .await
        .map_err(|error| Error::Internal(format!("reading the import file failed: {error}")))??;
    // One transaction on one connection, rows by COPY on PostgreSQL.
    let load = store.begin_load().await?;
    let transaction = load.connection();
    // First the journal's lock: nothing else writes until this import commits.
    let seq = journal::begin(transaction).await?;
    let now = record::truncate(Utc::now());
    let journal = Journal { origin: Origin::new(Actor::command_line(), "import", None), seq: Some(seq), now };
    let snapshot = snapshot::read(transaction).await?;
    let content = match parsed {
        Parsed::Document(document) => validate::document(document, &snapshot.ids),
        Parsed::Cases(cases, errors) => {
            validate::cases(cases, errors, &snapshot.ids).map_err(|mut errors| {
                errors.sort_by_key(|error| match error.position {
                    Position::Csv { line } => line,
                    _ => 0,
                });
                errors
            })
        }
        Parsed::Broken(error) => Err(vec![error]),
    }
    .map_err(rejected)?;
    let (outcome, _) = import::write(transaction, content, snapshot, &journal).await?;
    load.commit().await?;
    store.content_changed();
    Ok(ImportReport { file: path.to_owned(), outcome, elapsed: started.elapsed() })
}

/// A file as read, before it is checked against the database.
enum Parsed {
    Document(document::Document),
    Cases(Vec<(Position, document::CaseRow)>, Vec<ImportError>),
    /// Not valid JSON, or a value of the wrong type.
    Broken(ImportError),
}

fn read(path: &Path, format: ImportFormat) -> Result<Parsed> {
    match format {
        ImportFormat::Csv => {
            let file = csv::read(path)?;
            Ok(Parsed::Cases(file.cases, file.errors))
        }
        ImportFormat::Json => {
            let bytes = std::fs::read(path)?;
            match serde_json::from_slice::<document::Document>(&bytes) {
                Ok(document) => Ok(Parsed::Document(document)),
                Err(error) => {
                    let (line, column) = (error.line(), error.column());
                    let message = error.to_string();
                    let suffix = format!(" at line {line} column {column}");
                    let message = message.strip_suffix(&suffix).unwrap_or(&message).to_owned();
                    Ok(Parsed::Broken(ImportError::new(&Position::Text { line, column }, "", message)))
                }
            }
        }
    }
}

/// Writes all content to `path` as one JSON document.
pub async fn export_file(store: &Store, path: &Path) -> Result<ExportReport> {
    let started = Instant::now();
    // One read transaction, so the file is a consistent picture of the database.
    let transaction = store.pool().begin().await?;
    let snapshot = snapshot::read(&transaction).await?;
    transaction.commit().await?;
    let content = snapshot.content;
    let mut report = ExportReport {
        file: path.to_owned(),
        collections: content.collections.len(),
        categories: content.collections.iter().map(|collection| collection.categories.len()).sum(),
        organisations: content.organisations.len(),
        cases: content.cases.len(),
        follow_up_actions: content.follow_up_actions.len(),
        bytes: 0,
        elapsed: Duration::ZERO,
    };
    let owned = path.to_owned();
    report.bytes = tokio::task::spawn_blocking(move || export::write(&export::document(content), &owned))
        .await
        .map_err(|error| Error::Internal(format!("writing the export failed: {error}")))??;
    report.elapsed = started.elapsed();
    Ok(report)
}

impl fmt::Display for ImportReport {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let outcome = &self.outcome;
        write!(formatter, "imported {} in {:.1} s", self.file.display(), self.elapsed.as_secs_f64())?;
        let kinds = [
            ("collections", outcome.collections),
            ("categories", outcome.categories),
            ("organisations", outcome.organisations),
            ("cases", outcome.cases),
            ("follow-up actions", outcome.follow_up_actions),
        ];
        for (kind, counts) in kinds {
            if counts != Counts::default() {
                write!(
                    formatter,
                    "\n  {kind}: {} created, {} updated, {} unchanged",
                    counts.created, counts.updated, counts.unchanged
                )?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for ExportReport {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "exported {} collections, {} categories, {} organisations, {} cases and {} follow-up actions \
             to {} ({} bytes) in {:.1} s",
            self.collections,
            self.categories,
            self.organisations,
            self.cases,
            self.follow_up_actions,
            self.file.display(),
            self.bytes,
            self.elapsed.as_secs_f64()
        )
    }
}
