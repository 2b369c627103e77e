//! PLACEHOLDER being written (import/export).

use std::path::Path;

use super::Store;
use crate::config::ImportFormat;
use crate::error::Result;

/// Every bad row of a rejected import.
#[derive(Debug, thiserror::Error)]
#[error("import rejected")]
pub struct ImportErrors;

/// Imports a file.
pub async fn import_file(_store: &Store, _path: &Path, _format: ImportFormat) -> Result<String> {
    Ok(String::new())
}

/// Exports to a file.
pub async fn export_file(_store: &Store, _path: &Path) -> Result<String> {
    Ok(String::new())
}
