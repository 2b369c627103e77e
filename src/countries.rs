//! Country names in the caller's language, from the Unicode CLDR data compiled into ICU4X.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use icu_experimental::displaynames::multi::RegionDisplayNames;
use icu_experimental::displaynames::{DisplayNamesOptions, DisplayNamesPreferences};
use icu_locale_core::Locale;
use icu_locale_core::subtags::Region;

use crate::locale::{DEFAULT_LOCALE, LocalePreference};

type Cache = RwLock<HashMap<String, Option<Arc<RegionDisplayNames>>>>;

fn names_for(locale: &str) -> Option<Arc<RegionDisplayNames>> {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache.read().ok().and_then(|cache| cache.get(locale).cloned()) {
        return found;
    }
    let names = locale.parse::<Locale>().ok().and_then(|parsed| {
        RegionDisplayNames::try_new(DisplayNamesPreferences::from(&parsed), DisplayNamesOptions::default())
            .ok()
            .map(Arc::new)
    });
    if let Ok(mut cache) = cache.write() {
        // Bounded: only well-formed tags reach here, and callers pass few distinct ones.
        if cache.len() < 512 {
            cache.insert(locale.to_owned(), names.clone());
        }
    }
    names
}

/// The name of the country with ISO 3166-1 alpha-2 `code`, in the first preferred locale
/// CLDR has it in, else in English, else the code itself.
pub fn country_name(code: &str, preference: &LocalePreference) -> String {
    let Ok(region) = code.to_ascii_uppercase().parse::<Region>() else {
        return code.to_owned();
    };
    preference
        .tags()
        .iter()
        .map(String::as_str)
        .chain(std::iter::once(DEFAULT_LOCALE))
        .find_map(|locale| names_for(locale).and_then(|names| names.of(region).map(str::to_owned)))
        .unwrap_or_else(|| code.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_names_follow_the_callers_language() {
        assert_eq!(country_name("CN", &LocalePreference::only("en")), "China");
        assert_eq!(country_name("CN", &LocalePreference::only("zh")), "中国");
        assert_eq!(country_name("EG", &LocalePreference::only("ar")), "مصر");
        assert_eq!(country_name("FR", &LocalePreference::only("xx")), "France");
        assert_eq!(country_name("not a code", &LocalePreference::only("en")), "not a code");
    }
}
