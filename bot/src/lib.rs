//! Auto-reply bot for chats in BOT mode: given the bot settings, the keyword
//! rules and a customer's incoming text, [`decide`] what to send.
//!
//! Pure functions over plain data: no database, no I/O, no async. The server
//! loads [`BotSettings`] and [`Rule`]s (e.g. from PostgreSQL), calls
//! [`decide`] and acts on the [`Decision`]. Every type is serde-serialisable
//! for storage and the admin UI.
//!
//! Modules: [`matching`] (normalisation and keyword matching), [`hours`]
//! (business hours), `error` ([`BotError`], [`validate_rule`]) and `samples`
//! ([`sample_rules`], [`BotSettings::sample`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

mod error;
pub mod hours;
pub mod matching;
mod samples;
#[cfg(test)]
mod tests;

pub use error::{
    validate_buttons, validate_rule, BotError, MAX_BUTTON_TITLE_CHARS, MAX_KEYWORD_CHARS,
    MAX_REPLY_CHARS, MAX_RULE_BUTTONS,
};
pub use hours::{is_open, BusinessHours, DayHours, DEFAULT_TIME_ZONE};
pub use matching::keyword_matches;
pub use samples::sample_rules;

use matching::{contains_word, normalize_keyword, Message};

/// How a [`Rule`]'s keyword is compared with the message; see
/// [`keyword_matches`] for the exact semantics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchType {
    /// The whole message is the keyword (ignoring case, spacing and
    /// surrounding punctuation).
    Exact,
    /// The keyword appears in the message (as a whole word when it is a
    /// single word).
    Contains,
}

/// A keyword → reply rule, as configured by the business.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub id: i64,
    pub keyword: String,
    pub match_type: MatchType,
    pub reply: String,
    pub enabled: bool,
    /// Options sent under the reply, by title (each button's id is its title): up to 3 go out
    /// as reply buttons, up to [`MAX_RULE_BUTTONS`] as a list; on providers without buttons, as
    /// a numbered menu. A tap (or its number) is matched like a message whose text is the id,
    /// so a rule whose keyword is a button's title answers that button: a bot menu.
    #[serde(default)]
    pub buttons: Vec<String>,
}

/// Bot configuration for one business. Missing fields deserialise to
/// [`BotSettings::default`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BotSettings {
    /// Global switch; when off the bot never sends anything.
    pub enabled: bool,
    /// Sent when no rule matches; `None` (or blank) = stay silent.
    pub fallback_reply: Option<String>,
    /// `None` = no hours configured: always open.
    pub business_hours: Option<BusinessHours>,
    /// Sent instead of rule replies outside business hours; `None` (or
    /// blank) = rules keep answering outside hours.
    pub out_of_office_reply: Option<String>,
    /// Whole-word phrases with which a customer asks for a human.
    pub handover_keywords: Vec<String>,
    /// Sent when handing over; `None` (or blank) = hand over silently.
    pub handover_reply: Option<String>,
}

/// The handover keywords of [`BotSettings::default`].
pub const DEFAULT_HANDOVER_KEYWORDS: [&str; 5] = ["agent", "human", "manusia", "cs", "admin"];

impl Default for BotSettings {
    /// Enabled, always open, no texts, default handover keywords. With no
    /// rules this only ever hands over (silently) or stays silent.
    fn default() -> Self {
        Self {
            enabled: true,
            fallback_reply: None,
            business_hours: None,
            out_of_office_reply: None,
            handover_keywords: DEFAULT_HANDOVER_KEYWORDS.map(String::from).to_vec(),
            handover_reply: None,
        }
    }
}

/// What the bot does with one incoming message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decision {
    /// Send nothing.
    Silent,
    /// Send `text`; `rule_id` is the matched rule, `None` for the fallback.
    Reply { text: String, rule_id: Option<i64> },
    /// The customer asked for a human: switch the chat to AGENT mode, queue
    /// it, and send `reply` if present.
    Handover { reply: Option<String> },
    /// Outside business hours: send `text`.
    OutOfOffice { text: String },
}

/// Decides how the bot answers `text`, received at `now`.
///
/// In order:
/// 1. `settings.enabled` is off → [`Decision::Silent`].
/// 2. A handover keyword occurs as a whole word (case-insensitive, after
///    normalisation) → [`Decision::Handover`], even outside business hours.
/// 3. Outside business hours and an out-of-office text is set →
///    [`Decision::OutOfOffice`]. Without that text the rules below keep
///    answering outside hours: a business that wrote no closed-hours message
///    still wants its price/shipping answers sent at night.
/// 4. The first enabled matching [`Rule`] → [`Decision::Reply`]. All `exact`
///    rules are tried (in list order) before any `contains` rule (in list
///    order).
/// 5. The fallback reply, if set → [`Decision::Reply`] with no rule id;
///    otherwise [`Decision::Silent`].
///
/// Blank optional texts count as unset.
pub fn decide(settings: &BotSettings, rules: &[Rule], text: &str, now: DateTime<Utc>) -> Decision {
    decide_choice(settings, rules, text, None, now)
}

/// [`decide`] for a message that may be a tap on a button or list row: `choice` is the tapped
/// id (or the option a customer's number picked from a numbered menu). The id is tried before
/// the text: a handover keyword in it hands over, and an enabled rule whose keyword is the id
/// (ignoring case and spacing; for an id with a prefix such as Whapi's `ButtonsV3:track`, also
/// the part after the last `:`) answers, whatever its match type. Otherwise the message's text
/// decides as in [`decide`].
pub fn decide_choice(
    settings: &BotSettings,
    rules: &[Rule],
    text: &str,
    choice: Option<&str>,
    now: DateTime<Utc>,
) -> Decision {
    if !settings.enabled {
        return Decision::Silent;
    }
    let message = Message::new(text);
    let ids: Vec<String> = choice
        .into_iter()
        .flat_map(|id| [id, id.rsplit(':').next().unwrap_or(id)])
        .map(normalize_keyword)
        .filter(|id| !id.is_empty())
        .collect();

    let wants_human = settings.handover_keywords.iter().any(|keyword| {
        let keyword = normalize_keyword(keyword);
        contains_word(&message.text, &keyword) || ids.iter().any(|id| contains_word(id, &keyword))
    });
    if wants_human {
        return Decision::Handover {
            reply: non_blank(&settings.handover_reply),
        };
    }

    let closed = settings
        .business_hours
        .as_ref()
        .is_some_and(|hours| !is_open(hours, now));
    if let (true, Some(text)) = (closed, non_blank(&settings.out_of_office_reply)) {
        return Decision::OutOfOffice { text };
    }

    let tapped = rules
        .iter()
        .filter(|rule| rule.enabled)
        .find(|rule| ids.contains(&normalize_keyword(&rule.keyword)));
    if let Some(rule) = tapped {
        return Decision::Reply {
            text: rule.reply.clone(),
            rule_id: Some(rule.id),
        };
    }

    // Exact rules first, whatever their position: an exact rule is a precise
    // answer to this very message ("harga" alone), while a contains rule is
    // a broad net ("...harga..."); the precise answer must win, and admins
    // should not have to order the list to get that.
    let matched = [MatchType::Exact, MatchType::Contains]
        .into_iter()
        .flat_map(|pass| rules.iter().filter(move |rule| rule.match_type == pass))
        .filter(|rule| rule.enabled)
        .find(|rule| message.matches(&normalize_keyword(&rule.keyword), rule.match_type));
    if let Some(rule) = matched {
        return Decision::Reply {
            text: rule.reply.clone(),
            rule_id: Some(rule.id),
        };
    }

    match non_blank(&settings.fallback_reply) {
        Some(text) => Decision::Reply {
            text,
            rule_id: None,
        },
        None => Decision::Silent,
    }
}

fn non_blank(text: &Option<String>) -> Option<String> {
    text.as_ref().filter(|t| !t.trim().is_empty()).cloned()
}
