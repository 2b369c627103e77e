//! Checks of single values (slugs, locales, country codes, enums, dates, timestamps), each
//! recording a problem against its row and field instead of stopping.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ActiveEnum;

use super::errors::{ImportError, Position};
use super::record::truncate;

/// Longest slug of collections and categories (their column width).
pub const SHORT_SLUG: usize = 120;
/// Longest slug of organisations, cases and follow-up actions.
pub const LONG_SLUG: usize = 160;
/// Longest tag name.
pub const TAG_LENGTH: usize = 80;
/// Longest locale tag.
const LOCALE_LENGTH: usize = 16;

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

    /// Records a problem with `field`.
    pub fn error(&mut self, field: &str, message: impl Into<String>) {
        self.found += 1;
        self.errors.push(ImportError::new(&self.position, field, message));
    }

    /// Whether no problem was found in this row so far.
    pub fn is_clean(&self) -> bool {
        self.found == 0
    }

    /// A slug: not empty, only `a-z`, `0-9` and `-`, at most `longest` characters.
    pub fn slug(&mut self, field: &str, value: &str, longest: usize) {
        if value.is_empty() {
            self.error(field, "must not be empty");
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

    /// A text that must not be empty nor longer than `longest` characters.
    pub fn required_text(&mut self, field: &str, value: &str, longest: Option<usize>) {
        if value.trim().is_empty() {
            self.error(field, "must not be empty");
        } else if let Some(longest) = longest
            && value.chars().count() > longest
        {
            self.error(field, format!("is longer than {longest} characters"));
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
