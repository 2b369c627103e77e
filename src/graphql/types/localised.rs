//! The `Localised` interface and how each object resolves its texts for the request.

use async_graphql::{Context, Enum, Interface};

use super::{Category, Collection};
use crate::locale::{self, LocalePreference};

/// Writing direction of a text, for layouts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum TextDirection {
    /// Left to right (English, Chinese, …).
    Ltr,
    /// Right to left (Arabic, …).
    Rtl,
}

impl TextDirection {
    /// The direction of texts in `locale`.
    pub fn of(locale: &str) -> Self {
        if locale::is_right_to_left(locale) { Self::Rtl } else { Self::Ltr }
    }
}

/// Every localised object says which locale its texts were resolved to.
#[derive(Interface)]
#[graphql(
    field(
        name = "locale",
        ty = "String",
        desc = "The locale actually used for this object's texts (after fallback)."
    ),
    field(name = "direction", ty = "TextDirection", desc = "Writing direction of `locale`."),
    field(
        name = "available_locales",
        ty = "Vec<String>",
        desc = "Every locale this object has texts in, sorted."
    )
)]
pub enum Localised {
    Collection(Collection),
    Category(Category),
}

/// The request's locale preference (from `Accept-Language`), default when absent.
pub fn preference<'a>(context: &'a Context<'_>) -> &'a LocalePreference {
    static DEFAULT: LocalePreference = LocalePreference::empty();
    context.data_opt::<LocalePreference>().unwrap_or(&DEFAULT)
}
