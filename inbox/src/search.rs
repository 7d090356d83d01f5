//! How the chat list's search looks up message text at millions of messages.
//!
//! The trigram index answers "the text contains X" by reading, for each three-letter piece of
//! X, the list of messages that hold that piece, and keeping the messages on every list. A
//! piece found in most messages (a shop's "INV-" before every order number, "kak", "terima
//! kasih") has a list nearly as long as the table: reading those was 65 of the 66 ms of a
//! search for "INV-42424" at ten million messages, though only 98 messages matched. So:
//!
//! - the index is read by the words of the text that have a rarer piece, and the whole text is
//!   checked on each message found (6 ms for that search);
//! - a text with no such word (every piece common, or words of one or two letters) is likely in
//!   many chats, and then reading the index means reading most of the table (5 to 8 s for
//!   "terima kasih" at that size): the list's chats are checked one by one in order, up to the
//!   [`WALK`]-th, stopping at a page of matches, and the index is read only when they hold less
//!   than a page (a text whose pieces are common but which is itself rare costs both).
//!
//! Which pieces are common is what ANALYZE records on `show_trgm(body)` (the statistics
//! `message_body_trigrams`); before the first ANALYZE every piece counts as rare.

use crate::db::{chats, messages};
use crate::Error;
use sqlx::PgPool;
use std::collections::HashSet;

/// A piece in at least this share of messages is common.
pub const COMMON_SHARE: f32 = 0.01;

/// How many chats a search of common words checks in list order before it reads the index
/// (150 ms at most at a million chats).
pub const WALK: i64 = 5000;

/// `text` as the chat list searches it (`None` when blank).
pub async fn prepare(pool: &PgPool, text: Option<String>) -> Result<Option<chats::Search>, Error> {
    let Some(text) = text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let common: HashSet<String> = messages::common_trigrams(pool, COMMON_SHARE)
        .await?
        .into_iter()
        .collect();
    Ok(Some(plan(&text, &common)))
}

/// The lookup of `text` given the common pieces: by its words that have a piece not in
/// `common`; with none, the list's first chats first.
pub fn plan(text: &str, common: &HashSet<String>) -> chats::Search {
    // Words as pg_trgm cuts them (runs of letters and digits). Each is looked up lowercased,
    // as pg_trgm stores its pieces, but kept as typed: the index is read with ILIKE, which folds
    // case by the database's rules (Rust's differ: a final Σ, a dotted İ, or any non-ASCII
    // letter under the C locale).
    let rare: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| {
            let chars: Vec<char> = word.to_lowercase().chars().collect();
            chars
                .windows(3)
                .any(|piece| !common.contains(&piece.iter().collect::<String>()))
        })
        .map(str::to_string)
        .collect();
    chats::Search {
        text: text.to_string(),
        walk_first: rare.is_empty().then_some(WALK),
        index_words: rare,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn common(pieces: &[&str]) -> HashSet<String> {
        pieces.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn the_index_is_read_by_the_words_with_a_rare_piece() {
        let s = plan("INV-42424", &common(&["inv", "nv "]));
        assert_eq!(s.index_words, ["42424"]);
        assert_eq!(s.walk_first, None);
        assert_eq!(s.text, "INV-42424");
        // A word with one rare piece is kept whole.
        let s = plan("Invoice 42", &common(&["inv", "nvo", "voi", "oic"]));
        assert_eq!(s.index_words, ["Invoice"]);
    }

    #[test]
    fn before_analyze_every_word_of_three_letters_is_read() {
        let s = plan("kaos merah, ok?", &HashSet::new());
        assert_eq!(s.index_words, ["kaos", "merah"]);
        assert_eq!(s.walk_first, None);
    }

    #[test]
    fn common_or_short_words_check_the_first_chats_first() {
        let s = plan(
            "Terima kasih",
            &common(&["ter", "eri", "rim", "ima", "kas", "asi", "sih"]),
        );
        assert!(s.index_words.is_empty());
        assert_eq!(s.walk_first, Some(WALK));
        let s = plan("ok 2", &HashSet::new());
        assert!(s.index_words.is_empty());
        assert_eq!(s.walk_first, Some(WALK));
    }

    #[test]
    fn letters_beyond_ascii_are_words_too_kept_as_typed() {
        let s = plan("café—crème ΟΔΟΣ", &HashSet::new());
        assert_eq!(s.index_words, ["café", "crème", "ΟΔΟΣ"]);
        let s = plan("KAOS merah", &common(&["kao", "aos"]));
        assert_eq!(s.index_words, ["merah"]);
    }
}
