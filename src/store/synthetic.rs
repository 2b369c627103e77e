//! PLACEHOLDER being written (synthetic generator).

use super::Store;
use crate::error::Result;

/// What to generate.
#[derive(Clone, Debug)]
pub struct SyntheticOptions {
    pub cases: u64,
    pub seed: u64,
}

/// What was generated.
#[derive(Clone, Debug, Default)]
pub struct SyntheticReport {
    pub cases: u64,
    pub organisations: u64,
    pub follow_up_actions: u64,
}

/// Generates synthetic data.
pub async fn generate(_store: &Store, _options: &SyntheticOptions) -> Result<SyntheticReport> {
    Ok(SyntheticReport::default())
}
