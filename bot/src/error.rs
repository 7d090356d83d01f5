//! Validation errors ([`BotError`], with stable codes the UI translates) and
//! rule validation ([`validate_rule`]).

use chrono::Weekday;

use crate::matching::normalize_keyword;

/// Longest keyword, in characters after trimming.
pub const MAX_KEYWORD_CHARS: usize = 100;
/// Longest reply, in characters (WhatsApp's text message limit).
pub const MAX_REPLY_CHARS: usize = 4096;

/// Why a rule or schedule was rejected. Show [`BotError::code`] to the UI,
/// never the English `Display` text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BotError {
    /// Keyword is empty or longer than [`MAX_KEYWORD_CHARS`] after trimming.
    #[error("keyword must be 1–{MAX_KEYWORD_CHARS} characters, got {chars}")]
    KeywordLength { chars: usize },
    /// Keyword is only punctuation, so it could never match.
    #[error("keyword has no letters, digits or symbols to match")]
    KeywordWithoutText,
    /// Reply is blank or longer than [`MAX_REPLY_CHARS`].
    #[error("reply must be 1–{MAX_REPLY_CHARS} characters, got {chars}")]
    ReplyLength { chars: usize },
    /// Not an IANA time zone name.
    #[error("unknown time zone {0:?}")]
    UnknownTimeZone(String),
    /// Open and close times are equal (other than 00:00–00:00 = all day).
    #[error("opening and closing times are equal on {day}")]
    EmptyHours { day: Weekday },
}

impl BotError {
    /// Stable snake_case identifier for translations and API responses.
    pub fn code(&self) -> &'static str {
        match self {
            Self::KeywordLength { .. } => "keyword_length",
            Self::KeywordWithoutText => "keyword_without_text",
            Self::ReplyLength { .. } => "reply_length",
            Self::UnknownTimeZone(_) => "unknown_time_zone",
            Self::EmptyHours { .. } => "empty_hours",
        }
    }
}

/// Checks a rule before it is saved: the keyword must be 1–100 characters
/// after trimming and contain something besides punctuation; the reply must
/// be 1–4096 characters and not blank. Lengths count Unicode characters.
pub fn validate_rule(keyword: &str, reply: &str) -> Result<(), BotError> {
    let chars = keyword.trim().chars().count();
    if !(1..=MAX_KEYWORD_CHARS).contains(&chars) {
        return Err(BotError::KeywordLength { chars });
    }
    if normalize_keyword(keyword).is_empty() {
        return Err(BotError::KeywordWithoutText);
    }
    let chars = reply.chars().count();
    if reply.trim().is_empty() || chars > MAX_REPLY_CHARS {
        return Err(BotError::ReplyLength { chars });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_normal_rule_is_valid() {
        assert_eq!(validate_rule("harga", "Harga mulai Rp50.000"), Ok(()));
        assert_eq!(validate_rule(" jam buka ", "08.00–17.00"), Ok(()));
    }

    #[test]
    fn blank_or_too_long_keywords_are_rejected() {
        let err = validate_rule("   ", "ok").unwrap_err();
        assert_eq!(err, BotError::KeywordLength { chars: 0 });
        assert_eq!(err.code(), "keyword_length");
        let long = "a".repeat(101);
        assert_eq!(
            validate_rule(&long, "ok"),
            Err(BotError::KeywordLength { chars: 101 })
        );
        assert_eq!(validate_rule(&"é".repeat(100), "ok"), Ok(()));
    }

    #[test]
    fn punctuation_only_keywords_are_rejected() {
        let err = validate_rule("?!", "ok").unwrap_err();
        assert_eq!(err, BotError::KeywordWithoutText);
        assert_eq!(err.code(), "keyword_without_text");
        assert_eq!(validate_rule("👍", "Sama-sama!"), Ok(()));
    }

    #[test]
    fn blank_or_too_long_replies_are_rejected() {
        let err = validate_rule("halo", " \n ").unwrap_err();
        assert_eq!(err.code(), "reply_length");
        assert_eq!(
            validate_rule("halo", &"x".repeat(4097)),
            Err(BotError::ReplyLength { chars: 4097 })
        );
        assert_eq!(validate_rule("halo", &"ü".repeat(4096)), Ok(()));
    }
}
