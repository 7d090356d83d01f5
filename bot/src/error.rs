//! Validation errors ([`BotError`], with stable codes the UI translates) and
//! rule validation ([`validate_rule`]).

use chrono::Weekday;

use crate::matching::normalize_keyword;

/// Longest keyword, in characters after trimming.
pub const MAX_KEYWORD_CHARS: usize = 100;
/// Longest reply, in characters (WhatsApp's text message limit).
pub const MAX_REPLY_CHARS: usize = 4096;
/// The most options under a rule's reply (a list's limit; up to 3 go out as buttons).
pub const MAX_RULE_BUTTONS: usize = 10;
/// Longest option title (WhatsApp's button title limit, the stricter of buttons and rows).
pub const MAX_BUTTON_TITLE_CHARS: usize = 20;

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
    /// More than [`MAX_RULE_BUTTONS`] options.
    #[error("at most {MAX_RULE_BUTTONS} buttons, got {count}")]
    TooManyButtons { count: usize },
    /// An option is blank, longer than [`MAX_BUTTON_TITLE_CHARS`], or repeated.
    #[error(
        "button {index} is blank, longer than {MAX_BUTTON_TITLE_CHARS} characters or repeated"
    )]
    ButtonTitle { index: usize },
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
            Self::TooManyButtons { .. } => "button_limit_exceeded",
            Self::ButtonTitle { .. } => "invalid_button_params",
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

/// Checks a rule's options: at most [`MAX_RULE_BUTTONS`], each 1–20 characters after
/// trimming, no title twice.
pub fn validate_buttons(titles: &[String]) -> Result<(), BotError> {
    if titles.len() > MAX_RULE_BUTTONS {
        return Err(BotError::TooManyButtons {
            count: titles.len(),
        });
    }
    for (index, title) in titles.iter().enumerate() {
        let title = title.trim();
        let chars = title.chars().count();
        let repeated = titles[..index].iter().any(|t| t.trim() == title);
        if !(1..=MAX_BUTTON_TITLE_CHARS).contains(&chars) || repeated {
            return Err(BotError::ButtonTitle { index });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_buttons_are_checked() {
        let titles = |n: usize| (1..=n).map(|i| format!("Pilihan {i}")).collect::<Vec<_>>();
        assert_eq!(validate_buttons(&titles(10)), Ok(()));
        assert_eq!(
            validate_buttons(&titles(11)),
            Err(BotError::TooManyButtons { count: 11 })
        );
        let repeated = vec!["Harga".to_string(), " Harga ".to_string()];
        assert_eq!(
            validate_buttons(&repeated),
            Err(BotError::ButtonTitle { index: 1 })
        );
        assert_eq!(
            validate_buttons(&["a".repeat(21)]),
            Err(BotError::ButtonTitle { index: 0 })
        );
    }

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
