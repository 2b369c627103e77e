//! Problems with a change's input: where (a path from the input object), what kind, and
//! a message. The import's problems (named by import-format fields) are placed on the
//! input's fields here.

use std::collections::BTreeMap;

use crate::exchange::{ImportError, ProblemKind};

/// The outcome of a change: the value, or every problem with the input (nothing written).
pub type Edited<T> = std::result::Result<T, Vec<Problem>>;

/// What is wrong with an input value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemCode {
    Required,
    Invalid,
    NotFound,
    Duplicate,
    /// The object changed since the version the caller read.
    VersionConflict,
    /// The change does not apply in the object's current state.
    InvalidTransition,
    /// The object is still referred to.
    InUse,
}

/// One problem with the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Path from the input object: `["translations", "2", "title"]`.
    pub path: Vec<String>,
    pub code: ProblemCode,
    pub message: String,
    /// The object's current version (with [`ProblemCode::VersionConflict`]).
    pub current_version: Option<i32>,
}

impl Problem {
    /// A problem with the input value at `path`.
    pub fn at<S: ToString>(path: &[S], code: ProblemCode, message: impl Into<String>) -> Self {
        Self {
            path: path.iter().map(ToString::to_string).collect(),
            code,
            message: message.into(),
            current_version: None,
        }
    }

    /// The object is at `current`, not at the `expected` version the caller sent.
    pub fn version_conflict(what: &str, expected: i32, current: i32) -> Self {
        Self {
            current_version: Some(current),
            ..Self::at(
                &["expectedVersion"],
                ProblemCode::VersionConflict,
                format!("the {what} is at version {current}, not {expected}: read it again and retry"),
            )
        }
    }

    /// The object the input's `field` names does not exist.
    pub fn not_found(field: &str, what: &str) -> Self {
        Self::at(&[field], ProblemCode::NotFound, format!("no {what} has this id"))
    }
}

/// Where the input's translations are: the locales of each `translations` list, in input
/// order, at the top (`""`) and in nested objects (`"categories[2]"`).
#[derive(Clone, Debug, Default)]
pub struct Layout {
    pub locales: BTreeMap<String, Vec<String>>,
}

impl Layout {
    /// A layout with one top-level `translations` list.
    pub fn of(locales: Vec<String>) -> Self {
        let mut layout = Self::default();
        layout.locales.insert(String::new(), locales);
        layout
    }
}

/// The import's problems as problems of the input.
pub fn from_import(errors: Vec<ImportError>, layout: &Layout) -> Vec<Problem> {
    errors
        .into_iter()
        .map(|error| {
            let code = match error.kind {
                ProblemKind::Required => ProblemCode::Required,
                ProblemKind::Invalid => ProblemCode::Invalid,
                ProblemKind::NotFound => ProblemCode::NotFound,
                ProblemKind::Duplicate => ProblemCode::Duplicate,
            };
            Problem { path: path(&error.field, layout), code, message: error.message, current_version: None }
        })
        .collect()
}

/// The input path of an import-format field: `texts.ar.title` → `translations.<index of
/// ar>.title`, `organisations[1].role` → `organisations.1.role`, `categories[2].texts.zh`
/// → `categories.2.translations.<index>.locale`. A text the input did not give is named
/// by its list (`translations`).
fn path(field: &str, layout: &Layout) -> Vec<String> {
    let mut path = Vec::new();
    let mut level = String::new();
    let mut parts = field.split('.').peekable();
    while let Some(part) = parts.next() {
        let (name, index) = match part.split_once('[') {
            Some((name, rest)) => (name, Some(rest.trim_end_matches(']'))),
            None => (part, None),
        };
        if name == "texts" {
            path.push("translations".to_owned());
            let Some(locale) = parts.next() else { break };
            let found = layout
                .locales
                .get(&level)
                .and_then(|locales| locales.iter().position(|known| known == locale));
            let Some(position) = found else { break };
            path.push(position.to_string());
            if parts.peek().is_none() {
                path.push("locale".to_owned());
            }
            continue;
        }
        path.push(name.to_owned());
        if let Some(index) = index {
            path.push(index.to_owned());
            level = format!("{name}[{index}]");
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_fields_become_input_paths() {
        let mut layout = Layout::of(vec!["en".to_owned(), "ar".to_owned()]);
        layout.locales.insert("categories[1]".to_owned(), vec!["zh".to_owned()]);
        assert_eq!(path("texts.ar.title", &layout), ["translations", "1", "title"]);
        assert_eq!(path("texts.ar", &layout), ["translations", "1", "locale"]);
        assert_eq!(path("texts.fr.title", &layout), ["translations"]);
        assert_eq!(path("texts", &layout), ["translations"]);
        assert_eq!(path("organisations[2].role", &layout), ["organisations", "2", "role"]);
        assert_eq!(path("countries[0]", &layout), ["countries", "0"]);
        assert_eq!(path("coverImageUrl", &layout), ["coverImageUrl"]);
        assert_eq!(
            path("categories[1].texts.zh.name", &layout),
            ["categories", "1", "translations", "0", "name"]
        );
    }
}
