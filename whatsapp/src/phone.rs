//! Phone-number and WhatsApp-JID handling.
//!
//! Canonical form in this crate: **digits only, country code first, no `+`**
//! (`6281298765432`), 8–15 digits (ITU-T E.164 maximum is 15). Prefix `+` for
//! display or for Meta's `to` field ([`to_e164`]).
//!
//! - [`normalize_phone`] is for numbers typed by agents (Indonesian rules from
//!   the shared README: `08…` → `628…`, strip `+`, spaces, dashes, dots,
//!   parentheses, international `00`). Never use it to "fix" webhook numbers.
//! - [`jid_to_phone`] / [`jid_kind`] are for WhatsApp-Web JIDs used by Whapi,
//!   WAHA and gateways (gateways.md §0).

pub use model::phone::{normalize_phone, MAX_DIGITS, MIN_DIGITS};

/// `"6281298765432"` → `"+6281298765432"` (a leading `+` is not doubled).
pub fn to_e164(digits: &str) -> String {
    format!("+{}", digits.trim_start_matches('+'))
}

/// What a WhatsApp-Web JID points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JidKind {
    /// `<digits>@s.whatsapp.net` / `<digits>@c.us`: a person, digits = phone.
    User,
    /// `<id>@lid`: privacy-hidden linked id, **not** a phone number.
    Lid,
    /// `…@g.us`
    Group,
    /// `…@newsletter`
    Newsletter,
    /// `status@broadcast` and other `@broadcast` lists.
    Broadcast,
    /// Bare digits with no domain (Whapi/generic `from`): treated as a phone.
    Bare,
    /// Anything else.
    Unknown,
}

/// Classify a JID by its domain.
pub fn jid_kind(jid: &str) -> JidKind {
    match jid.trim().split_once('@') {
        None => JidKind::Bare,
        Some((_, domain)) => match domain {
            "s.whatsapp.net" | "c.us" => JidKind::User,
            "lid" => JidKind::Lid,
            "g.us" => JidKind::Group,
            "newsletter" => JidKind::Newsletter,
            "broadcast" => JidKind::Broadcast,
            _ => JidKind::Unknown,
        },
    }
}

/// True for the JIDs that are 1:1 support conversations (user, `@lid`, bare).
pub fn is_direct_chat(jid: &str) -> bool {
    matches!(jid_kind(jid), JidKind::User | JidKind::Lid | JidKind::Bare)
}

/// Phone digits of a user JID (`6281298765432@s.whatsapp.net`,
/// `6281298765432@c.us`, multi-device `6281298765432:12@s.whatsapp.net`, or
/// bare digits). `None` for `@lid`, groups, newsletters, broadcasts, or when
/// the local part is not 8–15 digits.
///
/// ```
/// use whatsapp::phone::jid_to_phone;
/// assert_eq!(jid_to_phone("6281298765432@c.us").as_deref(), Some("6281298765432"));
/// assert_eq!(jid_to_phone("251556368777322@lid"), None);
/// ```
pub fn jid_to_phone(jid: &str) -> Option<String> {
    let jid = jid.trim();
    match jid_kind(jid) {
        JidKind::User | JidKind::Bare => {}
        _ => return None,
    }
    let local = jid.split('@').next().unwrap_or_default();
    let local = local.split(':').next().unwrap_or_default();
    let local = local.trim_start_matches('+');
    let ok = (MIN_DIGITS..=MAX_DIGITS).contains(&local.len())
        && local.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| local.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_indonesian_agent_input() {
        let cases = [
            ("08129876543", Some("628129876543")),
            ("0812-9876-5432", Some("6281298765432")),
            ("+62 812-9876-5432", Some("6281298765432")),
            ("62 812 9876 5432", Some("6281298765432")),
            ("(0812) 9876.5432", Some("6281298765432")),
            ("  +6281298765432  ", Some("6281298765432")),
            ("0062 812 9876 5432", Some("6281298765432")),
            ("+1 (650) 555-1234", Some("16505551234")),
            ("+0812", None),
            ("0812", None),             // 628 + 12 = 5 digits: too short
            ("1234567", None),          // 7 digits
            ("1234567890123456", None), // 16 digits
            ("0812abc", None),
            ("", None),
            ("+", None),
            ("++6281298765432", None),
        ];
        for (input, want) in cases {
            assert_eq!(normalize_phone(input).as_deref(), want, "input {input:?}");
        }
    }

    #[test]
    fn e164_prefix() {
        assert_eq!(to_e164("6281298765432"), "+6281298765432");
        assert_eq!(to_e164("+6281298765432"), "+6281298765432");
    }

    #[test]
    fn jids() {
        assert_eq!(
            jid_to_phone("6281298765432@s.whatsapp.net").as_deref(),
            Some("6281298765432")
        );
        assert_eq!(
            jid_to_phone("6281298765432@c.us").as_deref(),
            Some("6281298765432")
        );
        assert_eq!(
            jid_to_phone("6281298765432:12@s.whatsapp.net").as_deref(),
            Some("6281298765432")
        );
        assert_eq!(
            jid_to_phone("6281298765432").as_deref(),
            Some("6281298765432")
        );
        assert_eq!(jid_to_phone("251556368777322@lid"), None);
        assert_eq!(jid_to_phone("120363041234567890@g.us"), None);
        assert_eq!(jid_to_phone("status@broadcast"), None);
        assert_eq!(jid_to_phone("123@newsletter"), None);
        assert_eq!(jid_to_phone("abc@c.us"), None);
        assert_eq!(jid_kind("251556368777322@lid"), JidKind::Lid);
        assert_eq!(jid_kind("x@g.us"), JidKind::Group);
        assert_eq!(jid_kind("x@example.org"), JidKind::Unknown);
        assert!(is_direct_chat("6281298765432@c.us"));
        assert!(!is_direct_chat("status@broadcast"));
    }
}
