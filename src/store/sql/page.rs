//! Keyset pagination: opaque cursors, page windows and the row-value predicates that let
//! page 5,000 cost what page 1 costs.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Page size when the caller gives neither `first` nor `last`.
pub const DEFAULT_PAGE_SIZE: u64 = crate::config::defaults::PAGE;
/// Largest `first` / `last` accepted when the server sets no other (`--max-page`).
pub const MAX_PAGE_SIZE: u64 = crate::config::defaults::MAX_PAGE;

/// A value an ordering sorts by, as carried in a cursor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "CursorValue", into = "CursorValue")]
pub enum SortValue {
    /// SQL NULL (sorts after every value, in either direction's "ascending" sense).
    Null,
    /// A number (relevance score, count).
    Number(f64),
    /// A timestamp, date or text.
    Text(String),
}

/// How a [`SortValue`] is written in a cursor. A number travels as the bits of its IEEE 754
/// double, a JSON integer, so it comes back exactly: the next page starts at the row whose
/// score equals it and breaks the tie by id. A decimal fraction would not: serde_json reads
/// one back to the nearest double only with its `float_roundtrip` feature, which the server
/// does not enable (test builds get it from the `jsonschema` dev-dependency, which hid the
/// fault from them), and a score one unit in the last place off repeats or skips the rows
/// next to the cursor.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum CursorValue {
    Null,
    Bits(u64),
    Text(String),
}

impl From<SortValue> for CursorValue {
    fn from(value: SortValue) -> Self {
        match value {
            SortValue::Null => Self::Null,
            SortValue::Number(number) => Self::Bits(number.to_bits()),
            SortValue::Text(text) => Self::Text(text),
        }
    }
}

impl From<CursorValue> for SortValue {
    fn from(value: CursorValue) -> Self {
        match value {
            CursorValue::Null => Self::Null,
            CursorValue::Bits(bits) => Self::Number(f64::from_bits(bits)),
            CursorValue::Text(text) => Self::Text(text),
        }
    }
}

impl SortValue {
    /// The cursor form of a timestamp.
    pub fn time(value: Option<DateTime<Utc>>) -> Self {
        value.map_or(Self::Null, |time| Self::Text(time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)))
    }

    /// Reads a timestamp back; `None` for NULL.
    pub fn as_time(&self) -> Result<Option<DateTime<Utc>>> {
        match self {
            Self::Null => Ok(None),
            Self::Text(text) => DateTime::parse_from_rfc3339(text)
                .map(|time| Some(time.with_timezone(&Utc)))
                .map_err(|_| invalid_cursor()),
            Self::Number(_) => Err(invalid_cursor()),
        }
    }

    /// Reads a text back; `None` for NULL.
    pub fn as_text(&self) -> Result<Option<&str>> {
        match self {
            Self::Null => Ok(None),
            Self::Text(text) => Ok(Some(text)),
            Self::Number(_) => Err(invalid_cursor()),
        }
    }

    /// Reads a number back.
    pub fn as_number(&self) -> Result<f64> {
        match self {
            Self::Number(number) if number.is_finite() => Ok(*number),
            _ => Err(invalid_cursor()),
        }
    }
}

/// The position of a row in one ordering: its sort value and its id (the tiebreak).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CursorKey {
    #[serde(rename = "v")]
    pub value: SortValue,
    #[serde(rename = "i")]
    pub id: i64,
}

#[derive(Serialize, Deserialize)]
struct CursorEnvelope {
    /// Which connection and ordering the cursor belongs to, e.g. `case:PUBLISHED_AT:DESC`.
    #[serde(rename = "o")]
    ordering: String,
    #[serde(flatten)]
    key: CursorKey,
}

/// Encodes `key` as an opaque cursor valid for `ordering` only.
pub fn encode_cursor(ordering: &str, key: &CursorKey) -> String {
    let envelope = CursorEnvelope { ordering: ordering.to_owned(), key: key.clone() };
    // Serialising plain data cannot fail; an empty cursor would be rejected on the way back.
    let json = serde_json::to_vec(&envelope).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

/// Decodes a cursor made by [`encode_cursor`] for the same `ordering`.
pub fn decode_cursor(ordering: &str, cursor: &str) -> Result<CursorKey> {
    if cursor.len() > 1024 {
        return Err(invalid_cursor());
    }
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid_cursor())?;
    let envelope: CursorEnvelope = serde_json::from_slice(&bytes).map_err(|_| invalid_cursor())?;
    if envelope.ordering != ordering {
        return Err(Error::BadUserInput(
            "this cursor belongs to another list or ordering; request the first page again".to_owned(),
        ));
    }
    if envelope.key.id <= 0 {
        return Err(invalid_cursor());
    }
    Ok(envelope.key)
}

fn invalid_cursor() -> Error {
    Error::BadUserInput("invalid cursor: pass a cursor exactly as this API returned it".to_owned())
}

/// Raw pagination arguments as a client sent them.
#[derive(Clone, Debug, Default)]
pub struct PageArguments {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
    /// Largest `first`/`last` accepted (the server's `--max-page`); `MAX_PAGE_SIZE` when unset.
    pub max: Option<u64>,
}

/// A validated request for one page of an ordering.
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    /// Rows wanted.
    pub limit: u64,
    /// Paging backwards (`last`): fetch in reverse order, then flip.
    pub backward: bool,
    /// Only rows after this key.
    pub after: Option<CursorKey>,
    /// Only rows before this key.
    pub before: Option<CursorKey>,
}

impl Window {
    /// Validates `arguments` against the cursor ordering `ordering`.
    pub fn from_arguments(arguments: &PageArguments, ordering: &str) -> Result<Self> {
        let max = arguments.max.unwrap_or(MAX_PAGE_SIZE);
        let size = |name: &str, value: i32| -> Result<u64> {
            let out_of_range =
                || Error::BadUserInput(format!("`{name}` must be between 0 and {max}, got {value}"));
            let value = u64::try_from(value).map_err(|_| out_of_range())?;
            if value > max {
                return Err(out_of_range());
            }
            Ok(value)
        };
        let (limit, backward) = match (arguments.first, arguments.last) {
            (Some(_), Some(_)) => {
                return Err(Error::BadUserInput("pass either `first` or `last`, not both".to_owned()));
            }
            (Some(first), None) => (size("first", first)?, false),
            (None, Some(last)) => (size("last", last)?, true),
            (None, None) => (DEFAULT_PAGE_SIZE, arguments.before.is_some() && arguments.after.is_none()),
        };
        let after = arguments.after.as_deref().map(|cursor| decode_cursor(ordering, cursor)).transpose()?;
        let before = arguments.before.as_deref().map(|cursor| decode_cursor(ordering, cursor)).transpose()?;
        Ok(Self { limit, backward, after, before })
    }
}

/// One page of rows with their keys, in the requested order.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub rows: Vec<(T, CursorKey)>,
    /// More rows follow the last one (exact when paging forward; see `has_next_page`).
    pub has_more: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arguments(first: Option<i32>, last: Option<i32>) -> PageArguments {
        PageArguments { first, last, ..PageArguments::default() }
    }

    #[test]
    fn cursors_round_trip_for_their_own_ordering_only() {
        let key = CursorKey { value: SortValue::time(Some(Utc::now())), id: 42 };
        let cursor = encode_cursor("case:PUBLISHED_AT:DESC", &key);
        assert_eq!(decode_cursor("case:PUBLISHED_AT:DESC", &cursor).ok(), Some(key));
        assert!(decode_cursor("case:TITLE:ASC", &cursor).is_err());
        assert!(decode_cursor("case:PUBLISHED_AT:DESC", "garbage!").is_err());
        assert!(decode_cursor("case:PUBLISHED_AT:DESC", "e30").is_err());
    }

    #[test]
    fn numbers_come_back_from_a_cursor_bit_for_bit() {
        // A relevance score SQLite gave, which serde_json without `float_roundtrip` reads
        // back one unit in the last place off; its neighbours; and the extremes.
        let score = 1.403_276_322_738_181_9e-6_f64;
        let values = [
            score,
            f64::from_bits(score.to_bits() + 1),
            f64::from_bits(score.to_bits() - 1),
            0.1 + 0.2,
            1e-7,
            -2.5e-320,
            -0.0,
            f64::MAX,
            f64::MIN_POSITIVE,
            7.0,
        ];
        for number in values {
            let key = CursorKey { value: SortValue::Number(number), id: 9 };
            let decoded = decode_cursor("case:RELEVANCE:DESC", &encode_cursor("case:RELEVANCE:DESC", &key));
            let bits = decoded.ok().and_then(|key| key.value.as_number().ok()).map(f64::to_bits);
            assert_eq!(bits, Some(number.to_bits()), "{number:e}");
        }
    }

    #[test]
    fn a_number_travels_as_the_bits_of_its_double_not_as_a_decimal_fraction() {
        let cursor = |json: &str| URL_SAFE_NO_PAD.encode(json);
        let bits = 0.1_f64.to_bits();
        let key = decode_cursor("o", &cursor(&format!(r#"{{"o":"o","v":{bits},"i":3}}"#)));
        assert_eq!(key.ok(), Some(CursorKey { value: SortValue::Number(0.1), id: 3 }));
        // A decimal fraction (how cursors carried numbers before) or a negative integer is
        // not a cursor this API made.
        assert!(decode_cursor("o", &cursor(r#"{"o":"o","v":0.1,"i":3}"#)).is_err());
        assert!(decode_cursor("o", &cursor(r#"{"o":"o","v":-1,"i":3}"#)).is_err());
        let text = decode_cursor("o", &cursor(r#"{"o":"o","v":"2024-01-01","i":3}"#));
        assert_eq!(text.ok().map(|key| key.value), Some(SortValue::Text("2024-01-01".to_owned())));
        let null = decode_cursor("o", &cursor(r#"{"o":"o","v":null,"i":3}"#));
        assert_eq!(null.ok().map(|key| key.value), Some(SortValue::Null));
    }

    #[test]
    fn page_sizes_are_validated() {
        assert_eq!(Window::from_arguments(&arguments(None, None), "o").map(|w| w.limit).ok(), Some(20));
        assert_eq!(Window::from_arguments(&arguments(Some(100), None), "o").map(|w| w.limit).ok(), Some(100));
        assert!(Window::from_arguments(&arguments(Some(101), None), "o").is_err());
        assert!(Window::from_arguments(&arguments(Some(-1), None), "o").is_err());
        assert!(Window::from_arguments(&arguments(Some(1), Some(1)), "o").is_err());
        let backward = Window::from_arguments(&arguments(None, Some(5)), "o");
        assert_eq!(backward.map(|w| (w.limit, w.backward)).ok(), Some((5, true)));
    }
}

/// How a sort value is bound back into SQL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKind {
    Time,
    Date,
    Text,
    Number,
}

/// A keyset ordering: an expression, its id tiebreak and the rules for NULL (lowest).
#[derive(Clone, Debug)]
pub struct Keyset {
    pub expression: sea_orm::sea_query::Expr,
    pub id: sea_orm::sea_query::Expr,
    pub nullable: bool,
    pub kind: SortKind,
    pub descending: bool,
}

impl Keyset {
    /// Adds ORDER BY in the listing's direction, or reversed (for `last` pages). NULL sorts
    /// lowest, as SQLite stores it, so its indexes serve both directions.
    pub fn apply(&self, select: &mut sea_orm::sea_query::SelectStatement, reverse: bool) {
        use sea_orm::sea_query::{NullOrdering, Order};
        let descending = self.descending != reverse;
        let order = if descending { Order::Desc } else { Order::Asc };
        if self.nullable {
            let nulls = if descending { NullOrdering::Last } else { NullOrdering::First };
            select.order_by_expr_with_nulls(self.expression.clone(), order.clone(), nulls);
        } else {
            select.order_by_expr(self.expression.clone(), order.clone());
        }
        select.order_by_expr(self.id.clone(), order);
    }

    /// Rows strictly after `key` when reading descending (`true`) or ascending.
    pub fn after(&self, key: &CursorKey, descending: bool) -> Result<sea_orm::sea_query::Condition> {
        use sea_orm::sea_query::{Condition, Expr, ExprTrait};
        let value = self.bind(&key.value)?;
        let expression = self.expression.clone();
        let id = self.id.clone();
        let tuple = Expr::tuple([expression.clone(), id.clone()]);
        Ok(match (value, descending) {
            (Some(value), false) => Condition::all().add(tuple.gt(Expr::tuple([value, Expr::val(key.id)]))),
            (Some(value), true) => {
                let before = Condition::any().add(tuple.lt(Expr::tuple([value, Expr::val(key.id)])));
                if self.nullable { before.add(expression.is_null()) } else { before }
            }
            (None, false) => Condition::any()
                .add(Condition::all().add(expression.clone().is_null()).add(id.gt(key.id)))
                .add(expression.is_not_null()),
            (None, true) => Condition::all().add(expression.is_null()).add(id.lt(key.id)),
        })
    }

    /// Rows at or before `key` in the listing's order: is there anything before a page?
    pub fn at_or_before(&self, key: &CursorKey) -> Result<sea_orm::sea_query::Condition> {
        use sea_orm::sea_query::{Condition, ExprTrait};
        Ok(Condition::any().add(self.after(key, !self.descending)?).add(self.id.clone().eq(key.id)))
    }

    /// Rows at or after `key` in the listing's order: is there anything after a page?
    pub fn at_or_after(&self, key: &CursorKey) -> Result<sea_orm::sea_query::Condition> {
        use sea_orm::sea_query::{Condition, ExprTrait};
        Ok(Condition::any().add(self.after(key, self.descending)?).add(self.id.clone().eq(key.id)))
    }

    /// Narrows `select` to the window's bounds.
    pub fn bound(&self, select: &mut sea_orm::sea_query::SelectStatement, window: &Window) -> Result<()> {
        if let Some(after) = &window.after {
            select.cond_where(self.after(after, self.descending)?);
        }
        if let Some(before) = &window.before {
            select.cond_where(self.after(before, !self.descending)?);
        }
        Ok(())
    }

    fn bind(&self, value: &SortValue) -> Result<Option<sea_orm::sea_query::Expr>> {
        use sea_orm::sea_query::Expr;
        Ok(match self.kind {
            SortKind::Time => value.as_time()?.map(Expr::val),
            SortKind::Date => value
                .as_text()?
                .map(|text| {
                    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                        .map(Expr::val)
                        .map_err(|_| invalid_cursor())
                })
                .transpose()?,
            SortKind::Text => value.as_text()?.map(|text| Expr::val(text.to_owned())),
            SortKind::Number => Some(Expr::val(value.as_number()?)),
        })
    }
}

/// Trims a fetched `limit + 1` rows to the page and puts them in listing order.
pub fn finish_page<T>(mut rows: Vec<(T, CursorKey)>, window: &Window) -> Page<T> {
    let has_more = rows.len() as u64 > window.limit;
    rows.truncate(usize::try_from(window.limit).unwrap_or(usize::MAX));
    if window.backward {
        rows.reverse();
    }
    Page { rows, has_more }
}

impl<T> Page<T> {
    /// The same page with each row transformed.
    pub fn map<U>(self, mut transform: impl FnMut(T) -> U) -> Page<U> {
        Page {
            rows: self.rows.into_iter().map(|(row, key)| (transform(row), key)).collect(),
            has_more: self.has_more,
        }
    }
}
