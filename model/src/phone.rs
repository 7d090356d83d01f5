//! Numbers as people type them, normalised the way Indonesian WhatsApp gateways do (also in the
//! browser, which shows the number a send will go to as it is typed). Canonical form: digits
//! only, country code first, no `+` (`6281298765432`), 8–15 digits (E.164's maximum is 15).

/// Minimum digits accepted by [`normalize_phone`].
pub const MIN_DIGITS: usize = 8;
/// Maximum digits (E.164).
pub const MAX_DIGITS: usize = 15;

/// Normalise an agent-typed phone number to canonical digits.
///
/// ```
/// use model::phone::normalize_phone;
/// assert_eq!(normalize_phone("+62 812-9876-5432").as_deref(), Some("6281298765432"));
/// assert_eq!(normalize_phone("0812 9876 5432").as_deref(), Some("6281298765432"));
/// assert_eq!(normalize_phone("0062-812-9876-5432").as_deref(), Some("6281298765432"));
/// assert_eq!(normalize_phone("hello"), None);
/// ```
///
/// Rules, in order: trim; remember and drop one leading `+`; remove spaces,
/// `-`, `.`, `(`, `)`; anything else non-digit → `None`; a leading `00` is the
/// international prefix (dropped); without `+`, a single leading `0` is the
/// Indonesian trunk prefix (`0` → `62`); `+0…` is invalid; the result must have
/// 8–15 digits.
pub fn normalize_phone(input: &str) -> Option<String> {
    let trimmed = input.trim();
    let (had_plus, rest) = match trimmed.strip_prefix('+') {
        Some(r) => (true, r),
        None => (false, trimmed),
    };
    let mut digits = String::with_capacity(rest.len());
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' | '\u{a0}' => {}
            _ => return None,
        }
    }
    let digits = if had_plus {
        if digits.starts_with('0') {
            return None;
        }
        digits
    } else if let Some(intl) = digits.strip_prefix("00") {
        intl.to_owned()
    } else if let Some(national) = digits.strip_prefix('0') {
        format!("62{national}")
    } else {
        digits
    };
    let ok = (MIN_DIGITS..=MAX_DIGITS).contains(&digits.len()) && !digits.starts_with('0');
    ok.then_some(digits)
}
