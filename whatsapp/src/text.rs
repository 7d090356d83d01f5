//! Outbound text limits: WhatsApp accepts at most 4096 characters per text
//! message (meta-cloud.md §5.1, README "Text length"). [`split_text`] cuts a
//! long agent reply into sendable parts; senders reject over-long text up front.

use crate::error::SendError;

/// Maximum characters (Unicode scalar values) in one text message.
pub const MAX_TEXT_CHARS: usize = 4096;

/// Split `text` into parts of at most `max_chars` characters, preferring to
/// cut after a paragraph break, then a line break, then a sentence end, then
/// a space; only hard-cuts a word when nothing else fits. Whitespace at the
/// cut is trimmed; empty parts are dropped. Send the parts in order (and pace
/// them: Meta allows ~1 message per 6 s per user, meta-cloud.md §7).
///
/// ```
/// let parts = whatsapp::split_text("Halo kak.\n\nPesanan sudah dikirim.", 20);
/// assert_eq!(parts, vec!["Halo kak.", "Pesanan sudah", "dikirim."]);
/// ```
pub fn split_text(text: &str, max_chars: usize) -> Vec<String> {
    let max_chars = max_chars.max(1);
    let mut parts = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        if rest.chars().count() <= max_chars {
            parts.push(rest.to_owned());
            break;
        }
        // Byte index just past the `max_chars`-th character.
        let limit = rest
            .char_indices()
            .nth(max_chars)
            .map_or(rest.len(), |(i, _)| i);
        let window = &rest[..limit];
        let cut = ["\n\n", "\n", ". ", "! ", "? ", " "]
            .iter()
            .find_map(|sep| {
                window
                    .rfind(sep)
                    .map(|i| i + sep.len())
                    .filter(|&i| window[..i].trim().chars().count() > 0)
            })
            .unwrap_or(limit);
        let (head, tail) = rest.split_at(cut);
        let head = head.trim();
        if !head.is_empty() {
            parts.push(head.to_owned());
        }
        rest = tail.trim_start();
    }
    parts
}

/// Reject empty or over-long text before calling a provider (both would be
/// permanent provider errors anyway, e.g. Meta `100`/`131008`).
pub(crate) fn validate_outbound(text: &str) -> Result<(), SendError> {
    let n = text.chars().count();
    if text.trim().is_empty() {
        return Err(SendError::permanent("message text is empty"));
    }
    if n > MAX_TEXT_CHARS {
        return Err(SendError::permanent(format!(
            "message text has {n} characters; WhatsApp allows at most {MAX_TEXT_CHARS} (use split_text)"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_one_part() {
        assert_eq!(split_text("  halo  ", 10), vec!["halo"]);
        assert!(split_text("   ", 10).is_empty());
    }

    #[test]
    fn prefers_paragraphs_then_sentences_then_words() {
        let t = "Satu dua tiga. Empat lima enam.\n\nTujuh delapan.";
        assert_eq!(
            split_text(t, 35),
            vec!["Satu dua tiga. Empat lima enam.", "Tujuh delapan."]
        );
        assert_eq!(
            split_text("Satu dua tiga. Empat lima enam.", 20),
            vec!["Satu dua tiga.", "Empat lima enam."]
        );
    }

    #[test]
    fn hard_cuts_long_words_and_counts_chars_not_bytes() {
        let t = "é".repeat(10);
        let parts = split_text(&t, 4);
        assert_eq!(parts, vec!["éééé", "éééé", "éé"]);
        let long = "x".repeat(MAX_TEXT_CHARS * 2 + 1);
        let parts = split_text(&long, MAX_TEXT_CHARS);
        assert_eq!(parts.len(), 3);
        assert!(parts.iter().all(|p| p.chars().count() <= MAX_TEXT_CHARS));
        assert_eq!(parts.concat(), long);
    }

    #[test]
    fn validation() {
        assert!(validate_outbound("ok").is_ok());
        assert!(validate_outbound(" \n").is_err());
        assert!(validate_outbound(&"é".repeat(MAX_TEXT_CHARS)).is_ok());
        assert!(validate_outbound(&"é".repeat(MAX_TEXT_CHARS + 1)).is_err());
    }
}
