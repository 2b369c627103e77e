//! The reference data of `data/reference.json` (collections, categories, vocabulary labels in
//! en/ar/zh), embedded in the binary so nothing outside it is read at run time.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::error::{Error, Result};

/// The embedded reference document.
pub const REFERENCE_JSON: &str = include_str!("../data/reference.json");

/// Parsed reference data.
#[derive(Debug, Deserialize)]
pub struct Reference {
    /// The published editions.
    pub collections: Vec<ReferenceCollection>,
    /// The aspects cases are classified under (the same 9 in every edition so far).
    pub categories: Vec<ReferenceTerm>,
    /// Labels of `OrganisationType` values.
    pub organisation_types: Vec<ReferenceTerm>,
    /// Labels of `FollowUpActionKind` values.
    pub follow_up_action_kinds: Vec<ReferenceTerm>,
    /// Labels of `SourcingMethod` values.
    pub sourcing_methods: Vec<ReferenceTerm>,
}

/// One edition as the reference data describes it.
#[derive(Debug, Deserialize)]
pub struct ReferenceCollection {
    pub slug: String,
    pub year: i32,
    /// Title per locale; `null` where no translation is known.
    pub title: BTreeMap<String, Option<String>>,
    pub publisher: Option<String>,
    pub released_on: Option<String>,
    pub released_at_event: Option<String>,
    pub declared_case_count: Option<i32>,
    pub call_for_cases_started: Option<String>,
    #[serde(default)]
    pub themes: Vec<String>,
    #[serde(default)]
    pub sources: Vec<String>,
}

/// A term with its label in several locales (`en`, `ar`, `zh`, …).
#[derive(Debug, Deserialize)]
pub struct ReferenceTerm {
    /// Slug (categories) or enum code (vocabularies).
    #[serde(alias = "code")]
    pub slug: Option<String>,
    pub position: Option<i32>,
    /// Every other string field is a label keyed by its locale.
    #[serde(flatten)]
    pub labels: BTreeMap<String, serde_json::Value>,
}

impl ReferenceTerm {
    /// The labels, locale → text, skipping non-text fields such as `zh_official`.
    pub fn texts(&self) -> BTreeMap<&str, &str> {
        self.labels
            .iter()
            .filter(|(key, _)| is_locale_key(key))
            .filter_map(|(key, value)| value.as_str().map(|text| (key.as_str(), text)))
            .collect()
    }
}

/// Locale keys are short language tags (`en`, `zh`, `ar`, `pt-br`).
fn is_locale_key(key: &str) -> bool {
    let primary = key.split('-').next().unwrap_or(key);
    (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_lowercase())
}

impl Reference {
    /// The embedded reference data, parsed once.
    pub fn embedded() -> Result<&'static Reference> {
        static PARSED: OnceLock<std::result::Result<Reference, String>> = OnceLock::new();
        PARSED
            .get_or_init(|| serde_json::from_str(REFERENCE_JSON).map_err(|error| error.to_string()))
            .as_ref()
            .map_err(|error| Error::Internal(format!("embedded reference data is invalid: {error}")))
    }

    /// Labels of an organisation type, follow-up action kind or sourcing method by its code.
    pub fn label(&self, vocabulary: Vocabulary, code: &str) -> Option<BTreeMap<&str, &str>> {
        let terms = match vocabulary {
            Vocabulary::OrganisationType => &self.organisation_types,
            Vocabulary::FollowUpActionKind => &self.follow_up_action_kinds,
            Vocabulary::SourcingMethod => &self.sourcing_methods,
        };
        terms.iter().find(|term| term.slug.as_deref() == Some(code)).map(ReferenceTerm::texts)
    }
}

/// The closed vocabularies whose labels come from the reference data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vocabulary {
    OrganisationType,
    FollowUpActionKind,
    SourcingMethod,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_reference_data_parses_with_nine_categories_in_three_locales() {
        let reference = Reference::embedded().expect("reference data parses");
        assert_eq!(reference.collections.len(), 2);
        assert_eq!(reference.categories.len(), 9);
        for category in &reference.categories {
            let texts = category.texts();
            assert_eq!(texts.keys().copied().collect::<Vec<_>>(), ["ar", "en", "zh"]);
        }
        let label = reference.label(Vocabulary::OrganisationType, "LOGISTICS").expect("label exists");
        assert_eq!(label.get("en"), Some(&"Logistics enterprise"));
    }
}
