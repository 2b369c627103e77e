//! Text analysis shared by indexing, querying and highlighting, identical on every engine:
//! NFKC, lower case, Arabic diacritics (tashkeel) and letter variants folded, every CJK
//! character its own token (Chinese has no spaces), English words stemmed (Snowball).

use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;

/// Longest token indexed, in characters; longer runs are ignored.
const MAX_TOKEN_CHARS: usize = 64;

/// A token of a text: its searchable term and where it sits in the original (byte offsets).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub term: String,
    pub start: usize,
    pub end: usize,
    /// A CJK character (consecutive ones form phrases).
    pub ideograph: bool,
}

/// Whether `c` is written without spaces between words (CJK ideographs, kana).
pub fn is_ideograph(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Marks dropped without breaking a word: combining marks, Arabic tashkeel and tatweel.
fn is_ignorable(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06ED | 0x0640
        | 0x200C | 0x200D)
}

/// Folds Arabic letter variants that readers treat as the same letter.
fn fold_arabic(c: char) -> char {
    match c {
        'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
        'ى' => 'ي',
        'ة' => 'ه',
        other => other,
    }
}

fn stemmer() -> &'static Stemmer {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::create(Algorithm::English))
}

/// The searchable term of a raw word: English (ASCII) words are stemmed.
fn finish(word: &str) -> String {
    if word.chars().all(|c| c.is_ascii_alphabetic()) {
        stemmer().stem(word).into_owned()
    } else {
        word.to_owned()
    }
}

/// Splits `text` into tokens.
pub fn tokenize(text: &str) -> Vec<Token> {
    tokenize_stemming(text, |_| true)
}

/// Splits `text` into tokens, stemming only the words `stem` accepts (given the raw,
/// lower-cased word); the others keep their raw form. Highlighting uses it to stem only
/// words that could equal a search term: stemming never changes a word's first letter.
pub fn tokenize_stemming(text: &str, stem: impl Fn(&str) -> bool) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut word = String::new();
    let mut word_chars = 0;
    let mut word_start = 0;
    let mut word_end = 0;
    let flush = |word: &mut String, chars: &mut usize, start: usize, end: usize, tokens: &mut Vec<Token>| {
        if !word.is_empty() && *chars <= MAX_TOKEN_CHARS {
            let term = if stem(word) { finish(word) } else { word.clone() };
            tokens.push(Token { term, start, end, ideograph: false });
        }
        word.clear();
        *chars = 0;
    };
    let mut analysed: Vec<char> = Vec::with_capacity(4);
    let normalized =
        unicode_normalization::is_nfkc_quick(text.chars()) == unicode_normalization::IsNormalized::Yes;
    for (offset, original) in text.char_indices() {
        let end = offset + original.len_utf8();
        analysed.clear();
        if original.is_ascii() {
            // NFKC leaves ASCII as it is: skip the normaliser (most of the text, most of the time).
            analysed.push(original.to_ascii_lowercase());
        } else if normalized {
            // Each character of NFKC text is its own NFKC form.
            analysed.extend(original.to_lowercase());
        } else {
            analysed.extend(std::iter::once(original).nfkc().flat_map(char::to_lowercase));
        }
        for &c in &analysed {
            if is_ignorable(c) {
                continue;
            }
            if is_ideograph(c) {
                flush(&mut word, &mut word_chars, word_start, word_end, &mut tokens);
                tokens.push(Token { term: c.to_string(), start: offset, end, ideograph: true });
            } else if c.is_alphanumeric() {
                if word.is_empty() {
                    word_start = offset;
                }
                word.push(fold_arabic(c));
                word_chars += 1;
                word_end = end;
            } else {
                flush(&mut word, &mut word_chars, word_start, word_end, &mut tokens);
            }
        }
    }
    flush(&mut word, &mut word_chars, word_start, word_end, &mut tokens);
    tokens
}

/// The space-separated terms of `text`, as stored in the SQLite index.
pub fn terms(text: &str) -> String {
    tokenize(text).into_iter().map(|token| token.term).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term_list(text: &str) -> Vec<String> {
        tokenize(text).into_iter().map(|token| token.term).collect()
    }

    #[test]
    fn english_is_lower_cased_and_stemmed() {
        assert_eq!(term_list("Logistics HUBS, financing!"), ["logist", "hub", "financ"]);
    }

    #[test]
    fn chinese_characters_are_single_tokens() {
        assert_eq!(term_list("跨境物流"), ["跨", "境", "物", "流"]);
    }

    #[test]
    fn arabic_diacritics_and_variants_are_folded() {
        assert_eq!(term_list("التِّجَارَة"), term_list("التجارة"));
        assert_eq!(term_list("أحمد"), ["احمد"]);
    }

    #[test]
    fn text_needing_normalisation_is_normalised() {
        // Full-width letters and a ligature (not NFKC) analyse like their plain forms.
        assert_eq!(term_list("ＬＯＧＩＳＴＩＣＳ ﬁnance"), term_list("logistics finance"));
        assert_eq!(tokenize_stemming("Hubs hubs", |word| word.starts_with('x'))[0].term, "hubs");
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "Cold-chain 物流";
        let tokens = tokenize(text);
        assert_eq!(&text[tokens[0].start..tokens[0].end], "Cold");
        assert_eq!(&text[tokens[2].start..tokens[2].end], "物");
    }
}
