//! Checks of single values (slugs, locales, country codes, enums, dates, timestamps), each
//! recording a problem against its row and field instead of stopping.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ActiveEnum;

use super::errors::{ImportError, Position, ProblemKind};
use super::record::truncate;

/// Longest slug of collections and categories (their column width).
pub const SHORT_SLUG: usize = 120;
/// Longest slug of organisations, cases and follow-up actions.
pub const LONG_SLUG: usize = 160;
/// Longest tag name.
pub const TAG_LENGTH: usize = 80;
/// Longest locale tag.
const LOCALE_LENGTH: usize = 16;
/// Longest title or name, in characters.
pub const TITLE_LENGTH: usize = 300;
/// Longest one-line text (place, region, publisher, event, theme), in characters.
pub const LINE_LENGTH: usize = 300;
/// Longest summary, in characters.
pub const SUMMARY_LENGTH: usize = 2_000;
/// Longest description, in characters.
pub const DESCRIPTION_LENGTH: usize = 20_000;
/// Largest Markdown body, in bytes of UTF-8.
pub const BODY_BYTES: usize = 200_000;
/// Longest URL, in characters.
pub const URL_LENGTH: usize = 2_000;

/// Whether a text may hold line breaks and tabs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lines {
    /// One line: no control character at all.
    One,
    /// Several lines: line feeds, carriage returns and tabs are allowed.
    Many,
}

/// One row being checked: problems found go to the shared list.
pub struct Row<'a> {
    pub position: Position,
    errors: &'a mut Vec<ImportError>,
    found: usize,
}

impl<'a> Row<'a> {
    /// Starts checking the row at `position`.
    pub fn new(position: Position, errors: &'a mut Vec<ImportError>) -> Self {
        Self { position, errors, found: 0 }
    }

    /// Records a problem with `field` (a value breaking its field's rules).
    pub fn error(&mut self, field: &str, message: impl Into<String>) {
        self.problem(field, ProblemKind::Invalid, message);
    }

    /// Records a problem of `kind` with `field`.
    pub fn problem(&mut self, field: &str, kind: ProblemKind, message: impl Into<String>) {
        self.found += 1;
        self.errors.push(ImportError::of_kind(&self.position, field, kind, message));
    }

    /// Whether no problem was found in this row so far.
    pub fn is_clean(&self) -> bool {
        self.found == 0
    }

    /// A slug: not empty, only `a-z`, `0-9` and `-`, at most `longest` characters.
    pub fn slug(&mut self, field: &str, value: &str, longest: usize) {
        if value.is_empty() {
            self.problem(field, ProblemKind::Required, "must not be empty");
        } else if !value
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
        {
            self.error(field, format!("{value:?} has characters outside a-z, 0-9 and \"-\""));
        } else if value.len() > longest {
            self.error(field, format!("is longer than {longest} characters"));
        }
    }

    /// A locale key: a language tag such as `en`, `zh`, `zh-hant` or `pt-BR`.
    pub fn locale(&mut self, field: &str, value: &str) {
        if !is_language_tag(value) {
            self.error(field, format!("{value:?} is not a language tag (such as en, zh, ar or pt-br)"));
        }
    }

    /// A country: two upper-case ASCII letters (ISO 3166-1 alpha-2).
    pub fn country(&mut self, field: &str, value: &str) {
        if !(value.len() == 2 && value.bytes().all(|byte| byte.is_ascii_uppercase())) {
            self.error(field, format!("{value:?} is not a country code (two upper-case letters such as CN)"));
        }
    }

    /// A one-line text that must not be empty nor longer than `longest` characters.
    pub fn required_text(&mut self, field: &str, value: &str, longest: usize) {
        if value.trim().is_empty() {
            self.problem(field, ProblemKind::Required, "must not be empty");
        } else {
            self.text(field, value, longest, Lines::One);
        }
    }

    /// A text of at most `longest` characters, without NUL or other control characters
    /// (but line breaks and tabs where `lines` allows them).
    pub fn text(&mut self, field: &str, value: &str, longest: usize, lines: Lines) {
        if let Some(bad) = value.chars().find(|character| {
            character.is_control() && !(lines == Lines::Many && matches!(character, '\n' | '\r' | '\t'))
        }) {
            self.error(field, format!("holds the control character U+{:04X}", u32::from(bad)));
        } else if value.chars().count() > longest {
            self.error(field, format!("is longer than {longest} characters"));
        }
    }

    /// An optional text, as [`Row::text`].
    pub fn optional_text(&mut self, field: &str, value: Option<&str>, longest: usize, lines: Lines) {
        if let Some(value) = value {
            self.text(field, value, longest, lines);
        }
    }

    /// A Markdown body: at most [`BODY_BYTES`] bytes, no control characters but line breaks
    /// and tabs.
    pub fn body(&mut self, field: &str, value: Option<&str>) {
        let Some(value) = value else { return };
        if value.len() > BODY_BYTES {
            self.error(field, format!("is larger than {BODY_BYTES} bytes"));
        } else {
            self.text(field, value, usize::MAX, Lines::Many);
        }
    }

    /// An absolute `https://` URL with a host, at most [`URL_LENGTH`] characters: what
    /// partner pages load or link to (cover images, websites).
    pub fn https_url(&mut self, field: &str, value: &str) {
        self.url(field, value, &["https"]);
    }

    /// An absolute `https://` or `http://` URL with a host: a citation of a source page
    /// (some official announcements are served over plain HTTP only). Never `javascript:`,
    /// `data:` or any other scheme.
    pub fn citation_url(&mut self, field: &str, value: &str) {
        self.url(field, value, &["https", "http"]);
    }

    fn url(&mut self, field: &str, value: &str, schemes: &[&str]) {
        let parsed = url::Url::parse(value);
        if value.chars().count() > URL_LENGTH {
            self.error(field, format!("is longer than {URL_LENGTH} characters"));
        } else if !parsed
            .as_ref()
            .is_ok_and(|url| schemes.contains(&url.scheme()) && url.host_str().is_some())
        {
            let schemes: Vec<String> = schemes.iter().map(|scheme| format!("{scheme}://")).collect();
            self.error(field, format!("{value:?} is not an {} URL", schemes.join(" or ")));
        }
    }

    /// A value of one of Casegraph's enums, by its `SCREAMING_SNAKE_CASE` name.
    pub fn enumeration<E: ActiveEnum<Value = String>>(&mut self, field: &str, value: &str) -> Option<E> {
        let parsed = E::try_from_value(&value.to_owned()).ok();
        if parsed.is_none() {
            self.error(field, format!("{value:?} is not one of {}", E::values().join(", ")));
        }
        parsed
    }

    /// An optional enum value.
    pub fn optional_enumeration<E: ActiveEnum<Value = String>>(
        &mut self,
        field: &str,
        value: Option<&str>,
    ) -> Option<Option<E>> {
        match value {
            None => Some(None),
            Some(value) => self.enumeration(field, value).map(Some),
        }
    }

    /// An optional date, `YYYY-MM-DD`.
    pub fn date(&mut self, field: &str, value: Option<&str>) -> Option<Option<NaiveDate>> {
        let Some(value) = value else { return Some(None) };
        match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
            Ok(date) if value.len() == 10 => Some(Some(date)),
            _ => {
                self.error(field, format!("{value:?} is not a date (YYYY-MM-DD)"));
                None
            }
        }
    }

    /// An optional RFC 3339 timestamp, converted to UTC and kept to the microsecond.
    pub fn timestamp(&mut self, field: &str, value: Option<&str>) -> Option<Option<DateTime<Utc>>> {
        let Some(value) = value else { return Some(None) };
        match DateTime::parse_from_rfc3339(value) {
            Ok(timestamp) => Some(Some(truncate(timestamp.with_timezone(&Utc)))),
            Err(_) => {
                self.error(
                    field,
                    format!("{value:?} is not an RFC 3339 timestamp (such as 2024-04-16T08:00:00Z)"),
                );
                None
            }
        }
    }
}

/// Whether `value` is a language tag as Casegraph stores them: a primary language of 2 or 3
/// lower-case letters, then subtags of 1 to 8 letters or digits, at most 16 characters.
pub fn is_language_tag(value: &str) -> bool {
    let mut parts = value.split('-');
    let primary = parts.next().unwrap_or_default();
    value.len() <= LOCALE_LENGTH
        && (2..=3).contains(&primary.len())
        && primary.bytes().all(|byte| byte.is_ascii_lowercase())
        && parts.all(|part| {
            (1..=8).contains(&part.len()) && part.bytes().all(|byte| byte.is_ascii_alphanumeric())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use entity::enums::CaseStatus;

    fn check(action: impl FnOnce(&mut Row<'_>)) -> Vec<String> {
        let mut errors = Vec::new();
        let mut row = Row::new(Position::json("cases[0]".to_owned(), "x"), &mut errors);
        action(&mut row);
        errors.into_iter().map(|error| error.message).collect()
    }

    #[test]
    fn language_tags_are_lower_case_primaries_with_optional_subtags() {
        for good in ["en", "zh", "ckb", "zh-hant", "pt-BR", "es-419"] {
            assert!(is_language_tag(good), "{good}");
        }
        for bad in ["", "e", "EN", "english", "en_GB", "en-", "zh--x", "en-toolongsubtag"] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }

    #[test]
    fn bad_values_are_reported_with_what_was_expected() {
        assert_eq!(check(|row| row.slug("slug", "Ab c", LONG_SLUG)).len(), 1);
        assert_eq!(check(|row| row.country("countries[0]", "cn")).len(), 1);
        assert_eq!(check(|row| row.country("countries[0]", "CN")).len(), 0);
        let messages = check(|row| {
            row.enumeration::<CaseStatus>("status", "LIVE");
        });
        assert_eq!(messages, [r#""LIVE" is not one of DRAFT, PUBLISHED, ARCHIVED"#]);
        assert_eq!(
            check(|row| {
                row.date("startsOn", Some("2024-2-30"));
            })
            .len(),
            1
        );
        assert_eq!(
            check(|row| {
                row.timestamp("createdAt", Some("2024-02-01 10:00"));
            })
            .len(),
            1
        );
    }

    #[test]
    fn timestamps_with_offsets_are_converted_to_utc() {
        let mut errors = Vec::new();
        let mut row = Row::new(Position::File, &mut errors);
        let parsed = row.timestamp("createdAt", Some("2024-04-16T16:00:00.1234567+08:00"));
        assert_eq!(
            parsed.flatten().map(super::super::export::format_timestamp).as_deref(),
            Some("2024-04-16T08:00:00.123456Z")
        );
    }
}
