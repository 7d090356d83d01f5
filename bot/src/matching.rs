//! Keyword matching: text normalisation and the `exact` / `contains` rules.
//!
//! Normalisation (applied to both the customer's text and the keyword):
//!
//! 1. Unicode lower-casing ([`str::to_lowercase`]), so "HALO", "Halo" and
//!    "halo" are equal;
//! 2. leading/trailing whitespace is trimmed and every internal run of
//!    whitespace (spaces, tabs, newlines, no-break spaces) becomes one space.
//!
//! Keywords additionally lose surrounding punctuation (see [`is_punctuation`]),
//! so a keyword typed as "harga?" behaves like "harga". A keyword that is
//! empty after this never matches anything.

use crate::MatchType;

/// Lower-cases `s` and collapses all whitespace runs into single spaces.
pub fn normalize(s: &str) -> String {
    s.to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Punctuation that is ignored around a message (for `exact`) and around a
/// keyword: ASCII punctuation except the symbols `# $ % & + @` (which can be
/// meaningful, e.g. "c++" or "#promo"), plus common Unicode punctuation. Emoji
/// are *not* punctuation, so an emoji keyword such as "👍" works.
pub fn is_punctuation(c: char) -> bool {
    (c.is_ascii_punctuation() && !matches!(c, '#' | '$' | '%' | '&' | '+' | '@'))
        || matches!(
            c,
            '¡' | '¿'
                | '…'
                | '‘'
                | '’'
                | '‚'
                | '“'
                | '”'
                | '„'
                | '«'
                | '»'
                | '‹'
                | '›'
                | '–'
                | '—'
                | '·'
                | '•'
                | '、'
                | '。'
                | '，'
                | '！'
                | '？'
                | '：'
                | '；'
        )
}

/// Trims whitespace and [punctuation](is_punctuation) from both ends.
fn strip_punctuation(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || is_punctuation(c))
}

/// The form a keyword is compared in: [`normalize`]d, surrounding punctuation
/// removed. Empty means "never matches".
pub fn normalize_keyword(keyword: &str) -> String {
    strip_punctuation(&normalize(keyword)).to_owned()
}

/// A customer message, normalised once and reused for every rule.
#[derive(Debug, Clone)]
pub(crate) struct Message {
    /// [`normalize`]d text, used by `contains` and handover matching.
    pub(crate) text: String,
    /// `text` without surrounding punctuation, used by `exact`.
    pub(crate) exact: String,
}

impl Message {
    pub(crate) fn new(raw: &str) -> Self {
        let text = normalize(raw);
        let exact = strip_punctuation(&text).to_owned();
        Self { text, exact }
    }

    /// Whether a keyword (already [`normalize_keyword`]ed) matches.
    pub(crate) fn matches(&self, keyword: &str, match_type: MatchType) -> bool {
        if keyword.is_empty() {
            return false;
        }
        match match_type {
            MatchType::Exact => self.exact == keyword,
            MatchType::Contains if keyword.contains(' ') => self.text.contains(keyword),
            MatchType::Contains => contains_word(&self.text, keyword),
        }
    }
}

/// Whether `keyword` matches `text` under `match_type`.
///
/// * [`MatchType::Exact`]: the whole normalised message, ignoring surrounding
///   punctuation, equals the keyword ("Halo!" and "  HALO " match "halo";
///   "halo kak" does not).
/// * [`MatchType::Contains`] with a single-word keyword: the keyword occurs as
///   a whole word ("cs" matches "chat cs dong" but not "discs").
/// * [`MatchType::Contains`] with a multi-word keyword: plain substring of the
///   normalised message ("jam buka" matches "kapan jam buka toko?").
/// * An empty keyword never matches.
pub fn keyword_matches(keyword: &str, match_type: MatchType, text: &str) -> bool {
    Message::new(text).matches(&normalize_keyword(keyword), match_type)
}

fn is_word_char(c: Option<char>) -> bool {
    c.is_some_and(char::is_alphanumeric)
}

/// Whether `needle` occurs in `haystack` without cutting a word: if the
/// needle starts (ends) with a letter or digit, the character before (after)
/// the occurrence must not be one. Used for single-word `contains` rules and
/// for every handover keyword.
pub(crate) fn contains_word(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let check_start = is_word_char(needle.chars().next());
    let check_end = is_word_char(needle.chars().next_back());
    let mut from = 0;
    while let Some(pos) = haystack[from..].find(needle) {
        let start = from + pos;
        let end = start + needle.len();
        let before_ok = !check_start || !is_word_char(haystack[..start].chars().next_back());
        let after_ok = !check_end || !is_word_char(haystack[end..].chars().next());
        if before_ok && after_ok {
            return true;
        }
        // Advance one character so overlapping occurrences are also tried.
        from = start + haystack[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use MatchType::{Contains, Exact};

    #[test]
    fn normalize_lowercases_and_collapses_whitespace() {
        assert_eq!(normalize("  Jam \t BUKA\n\u{a0}toko  "), "jam buka toko");
        assert_eq!(normalize("ÇA VA ÉTÉ"), "ça va été");
    }

    #[test]
    fn exact_ignores_case_surrounding_space_and_punctuation() {
        for text in [
            "HALO",
            "Halo!",
            "  halo  ",
            "halo?!",
            "¿Halo…",
            "*halo*",
            "halo~",
        ] {
            assert!(keyword_matches("halo", Exact, text), "{text:?}");
        }
        assert!(keyword_matches("Halo!", Exact, "halo"));
    }

    #[test]
    fn exact_does_not_match_longer_messages() {
        assert!(!keyword_matches("halo", Exact, "halo kak"));
        assert!(!keyword_matches("halo", Exact, "haloo"));
    }

    #[test]
    fn exact_is_unicode_aware() {
        assert!(keyword_matches("ÉTÉ", Exact, "été"));
        assert!(keyword_matches("ΚΑΛΗΜΕΡΑ", Exact, "καλημερα"));
        assert!(keyword_matches("Ünïcödé", Exact, "üNÏCÖDÉ!"));
    }

    #[test]
    fn contains_single_word_keyword_needs_word_boundaries() {
        assert!(keyword_matches("cs", Contains, "mau chat CS dong"));
        assert!(keyword_matches("cs", Contains, "cs?"));
        assert!(!keyword_matches("cs", Contains, "I sell discs"));
        assert!(!keyword_matches("cs", Contains, "csv file"));
        assert!(keyword_matches("harga", Contains, "Berapa HARGA kaos ini?"));
        assert!(!keyword_matches("harga", Contains, "harganya berapa"));
    }

    #[test]
    fn contains_finds_a_later_whole_word_after_a_partial_hit() {
        assert!(keyword_matches("cs", Contains, "discs and cs"));
        // The first occurrence is glued to "x"; the overlapping one at the
        // end is a whole-word match and must still be found.
        assert!(contains_word("xab ab ab", "ab ab"));
        assert!(!contains_word("xab abx", "ab ab"));
    }

    #[test]
    fn contains_multi_word_keyword_is_a_normalised_substring() {
        assert!(keyword_matches(
            "jam buka",
            Contains,
            "Kak, JAM   buka toko kapan?"
        ));
        assert!(keyword_matches("jam buka", Contains, "jam bukanya kapan"));
        assert!(!keyword_matches("jam buka", Contains, "jam, buka"));
    }

    #[test]
    fn empty_or_punctuation_only_keywords_never_match() {
        for keyword in ["", "   ", "?!", "..."] {
            assert!(!keyword_matches(keyword, Exact, keyword), "{keyword:?}");
            assert!(
                !keyword_matches(keyword, Contains, "halo ?! ..."),
                "{keyword:?}"
            );
        }
    }

    #[test]
    fn emoji_and_symbol_keywords_are_kept() {
        assert!(keyword_matches("👍", Exact, "👍"));
        assert!(!keyword_matches("👍", Exact, "ok"));
        assert!(keyword_matches("👍", Contains, "ok👍"));
        assert!(keyword_matches("c++", Contains, "kursus C++ ada?"));
        assert!(!keyword_matches("c++", Contains, "kursus c ada?"));
    }
}
