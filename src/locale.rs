//! Locale negotiation: `Accept-Language` (q-values honoured) → an ordered preference list,
//! and the fallback rule requested → `en` → any present.

/// Locale every text is expected to exist in, and the second step of every fallback.
pub const DEFAULT_LOCALE: &str = "en";

/// Primary language subtags written right to left.
const RTL_LANGUAGES: [&str; 10] = ["ar", "he", "fa", "ur", "ps", "yi", "dv", "ug", "sd", "ckb"];

/// The caller's locales, most preferred first, lower case, each followed by its shorter
/// forms (`zh-hant-tw`, `zh-hant`, `zh`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LocalePreference {
    tags: Vec<String>,
}

impl LocalePreference {
    /// Parses an `Accept-Language` value; malformed parts and `q=0` are ignored.
    pub fn from_accept_language(header: &str) -> Self {
        let mut tags = Vec::new();
        for (tag, quality) in accept_language::parse_with_quality(header) {
            if quality <= 0.0 || tag == "*" {
                continue;
            }
            let tag = tag.to_ascii_lowercase().replace('_', "-");
            if !tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                continue;
            }
            let mut current = tag.as_str();
            loop {
                if !current.is_empty() && !tags.iter().any(|known| known == current) {
                    tags.push(current.to_owned());
                }
                match current.rsplit_once('-') {
                    Some((shorter, _)) => current = shorter,
                    None => break,
                }
            }
        }
        Self { tags }
    }

    /// No preference: every text falls back to `en`.
    pub const fn empty() -> Self {
        Self { tags: Vec::new() }
    }

    /// A preference for exactly one locale.
    pub fn only(locale: &str) -> Self {
        Self::from_accept_language(locale)
    }

    /// The preferred tags, in order.
    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    /// Picks the translation to show: the first preferred locale present, else `en`, else
    /// the present locale that sorts first (so the choice is stable).
    pub fn pick<'a, T>(&self, translations: &'a [T], locale_of: impl Fn(&T) -> &str) -> Option<&'a T> {
        let find = |wanted: &str| {
            translations.iter().find(|translation| locale_of(translation).eq_ignore_ascii_case(wanted))
        };
        self.tags
            .iter()
            .find_map(|tag| find(tag))
            .or_else(|| find(DEFAULT_LOCALE))
            .or_else(|| translations.iter().min_by(|a, b| locale_of(a).cmp(locale_of(b))))
    }
}

/// Whether text in `locale` is laid out right to left.
pub fn is_right_to_left(locale: &str) -> bool {
    let primary = locale.split('-').next().unwrap_or(locale).to_ascii_lowercase();
    RTL_LANGUAGES.contains(&primary.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Text(&'static str);

    fn locale(text: &Text) -> &str {
        text.0
    }

    #[test]
    fn q_values_order_the_preferences() {
        let preference = LocalePreference::from_accept_language("fr;q=0.3, ar-EG, zh;q=0.8, de;q=0");
        assert_eq!(preference.tags(), ["ar-eg", "ar", "zh", "fr"]);
    }

    #[test]
    fn fallback_goes_requested_then_english_then_any() {
        let all = [Text("zh"), Text("en"), Text("ar")];
        let only_zh_ar = [Text("zh"), Text("ar")];
        let french = LocalePreference::from_accept_language("fr");
        assert_eq!(french.pick(&all, locale).map(locale), Some("en"));
        assert_eq!(french.pick(&only_zh_ar, locale).map(locale), Some("ar"));
        let arabic = LocalePreference::from_accept_language("ar-SA,en;q=0.5");
        assert_eq!(arabic.pick(&all, locale).map(locale), Some("ar"));
        assert_eq!(french.pick::<Text>(&[], locale).map(locale), None);
    }

    #[test]
    fn arabic_is_right_to_left() {
        assert!(is_right_to_left("ar"));
        assert!(is_right_to_left("ar-EG"));
        assert!(!is_right_to_left("zh"));
    }
}
