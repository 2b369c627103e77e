//! The `Localised` interface and how each object resolves its texts for the request.

use async_graphql::{Context, Enum, Interface};
use entity::{
    case_translation, category_translation, collection_translation, follow_up_action_translation,
    organisation_translation,
};

use super::{Case, Category, Collection, FollowUpAction, Organisation};
use crate::locale::{self, DEFAULT_LOCALE, LocalePreference};

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
    Organisation(Organisation),
    Case(Case),
    FollowUpAction(FollowUpAction),
}

/// The request's locale preference (from `Accept-Language`), default when absent.
pub fn preference<'a>(context: &'a Context<'_>) -> &'a LocalePreference {
    static DEFAULT: LocalePreference = LocalePreference::empty();
    context.data_opt::<LocalePreference>().unwrap_or(&DEFAULT)
}

/// A row of texts in one locale.
pub trait Translation {
    /// Its locale tag.
    fn locale(&self) -> &str;
}

macro_rules! translation {
    ($($model:ty),*) => {$(
        impl Translation for $model {
            fn locale(&self) -> &str {
                &self.locale
            }
        }
    )*};
}

translation!(
    case_translation::Model,
    category_translation::Model,
    collection_translation::Model,
    follow_up_action_translation::Model,
    organisation_translation::Model
);

/// The translation to show for this request (requested → en → any).
pub fn pick<'a, T: Translation>(context: &Context<'_>, translations: &'a [T]) -> Option<&'a T> {
    preference(context).pick(translations, |translation| translation.locale())
}

/// The locale actually shown.
pub fn shown_locale<T: Translation>(context: &Context<'_>, translations: &[T]) -> String {
    pick(context, translations).map_or(DEFAULT_LOCALE, Translation::locale).to_owned()
}

/// The direction of the locale actually shown.
pub fn shown_direction<T: Translation>(context: &Context<'_>, translations: &[T]) -> TextDirection {
    TextDirection::of(pick(context, translations).map_or(DEFAULT_LOCALE, Translation::locale))
}

/// Every locale present, sorted.
pub fn available<T: Translation>(translations: &[T]) -> Vec<String> {
    let mut locales: Vec<String> =
        translations.iter().map(|translation| translation.locale().to_owned()).collect();
    locales.sort();
    locales
}
