//! Translations in a change: texts set per locale (replacing that locale's text whole) and
//! locales removed.

use std::collections::{BTreeMap, HashSet};

use super::problems::{Problem, ProblemCode};

/// A name and an optional description in one locale (organisations, categories).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameText {
    pub locale: String,
    pub name: String,
    pub description: Option<String>,
}

/// A title and an optional description in one locale (follow-up actions).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TitleText {
    pub locale: String,
    pub title: String,
    pub description: Option<String>,
}

/// The locale every case keeps a text in.
pub const ENGLISH: &str = "en";

/// Sets each text of `set` (locale, text) in `texts` and removes the locales of `remove`;
/// `kept` names a locale that may not be removed. Records every problem (a locale set
/// twice, set and removed, or removed without a text) in `problems`. Returns the locales
/// of `set` in input order: where each text's problems are reported.
pub fn apply<T>(
    texts: &mut BTreeMap<String, T>,
    set: Vec<(String, T)>,
    remove: &[String],
    kept: Option<&str>,
    problems: &mut Vec<Problem>,
) -> Vec<String> {
    let mut locales = Vec::with_capacity(set.len());
    let mut seen = HashSet::new();
    for (index, (locale, text)) in set.into_iter().enumerate() {
        if !seen.insert(locale.clone()) {
            problems.push(Problem::at(
                &["translations".to_owned(), index.to_string(), "locale".to_owned()],
                ProblemCode::Duplicate,
                format!("the locale {locale:?} is given twice"),
            ));
        }
        locales.push(locale.clone());
        texts.insert(locale, text);
    }
    for (index, locale) in remove.iter().enumerate() {
        let path = ["removeTranslations".to_owned(), index.to_string()];
        if Some(locale.as_str()) == kept {
            problems.push(Problem::at(
                &path,
                ProblemCode::Invalid,
                format!("the {locale:?} text may not be removed"),
            ));
        } else if seen.contains(locale) {
            problems.push(Problem::at(
                &path,
                ProblemCode::Invalid,
                format!("the {locale:?} text is both set and removed"),
            ));
        } else if texts.remove(locale).is_none() {
            problems.push(Problem::at(
                &path,
                ProblemCode::NotFound,
                format!("there is no {locale:?} text to remove"),
            ));
        }
    }
    locales
}
