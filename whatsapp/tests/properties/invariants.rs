//! The invariants every `Ok` outcome must keep: keys present, every item accounted for.

use super::*;

// The invariants
// ---------------------------------------------------------------------------

pub(crate) fn keys(ev: &InboundEvent) -> (&str, &str) {
    match ev {
        InboundEvent::Message(m) => (&m.channel_key, &m.provider_message_id),
        InboundEvent::Status(s) => (&s.channel_key, &s.provider_message_id),
        InboundEvent::Echo(e) | InboundEvent::AppEcho(e) => {
            (&e.channel_key, &e.provider_message_id)
        }
        InboundEvent::Revoked(r) => (&r.channel_key, &r.provider_message_id),
        InboundEvent::Account(a) => match &a.kind {
            whatsapp::AccountEventKind::Alert { event, .. } => (&a.account_id, event),
            whatsapp::AccountEventKind::TemplateStatus { template_id, .. } => {
                (&a.account_id, template_id)
            }
        },
    }
}

pub(crate) fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// Parse `body` with every provider and check the invariants.
pub(crate) fn check_all(body: &[u8]) -> Result<(), TestCaseError> {
    for p in providers() {
        check_parse(p.as_ref(), body)?;
    }
    Ok(())
}

pub(crate) fn check_parse(p: &dyn Provider, body: &[u8]) -> Result<(), TestCaseError> {
    let res = p.parse(body);
    prop_assert_eq!(
        &res,
        &p.parse(body),
        "{:?}: parse is not deterministic",
        p.kind()
    );
    let out = match res {
        Ok(out) => out,
        Err(e) => {
            prop_assert!(!blank(&e.to_string()));
            return Ok(());
        }
    };
    for ev in &out.events {
        let (channel, id) = keys(ev);
        prop_assert!(
            !blank(channel),
            "{:?}: blank channel_key in {:?}",
            p.kind(),
            ev
        );
        prop_assert!(
            !blank(id),
            "{:?}: blank provider_message_id in {:?}",
            p.kind(),
            ev
        );
        if let InboundEvent::Message(m) = ev {
            prop_assert!(m.raw.is_object(), "{:?}: raw is not an object", p.kind());
        }
    }
    for r in &out.rejected {
        prop_assert!(!blank(r), "{:?}: blank rejection reason", p.kind());
    }
    // `Ok` means the body was JSON, so the accounting can look at it.
    let json: Value = serde_json::from_slice(body).expect("Ok implies valid JSON");
    match p.kind() {
        ProviderKind::Meta => account_meta(&json, &out),
        ProviderKind::Whapi => account_whapi(&json, &out),
        // One message object per body: one event or one reason.
        _ => {
            prop_assert_eq!(
                out.events.len() + out.rejected.len(),
                1,
                "{:?}: single-item body not accounted for: {:?}",
                p.kind(),
                out
            );
            Ok(())
        }
    }
}

/// A non-blank id-like field, as the parsers read it (numbers are stringified).
pub(crate) fn id_like(v: &Value) -> bool {
    match v {
        Value::String(s) => !blank(s),
        Value::Number(_) => true,
        _ => false,
    }
}

pub(crate) fn len_if_array(v: &Value, key: &str) -> usize {
    v.get(key).and_then(Value::as_array).map_or(0, Vec::len)
}

pub(crate) fn present_not_array(v: &Value, key: &str) -> bool {
    v.get(key).is_some_and(|x| !x.is_array())
}

/// Meta: a skipped entry/change has a reason naming its path; every element
/// of `messages[]`/`statuses[]` in a handled change is one event or one
/// reason naming `….messages[k]` / `….statuses[k]`.
pub(crate) fn account_meta(body: &Value, out: &ParseOutcome) -> Result<(), TestCaseError> {
    if body.get("object").and_then(Value::as_str) != Some("whatsapp_business_account") {
        prop_assert!(
            out.events.is_empty() && out.rejected.is_empty() && out.ignored.len() == 1,
            "{:?}",
            out
        );
        return Ok(());
    }
    let has_reason = |prefix: &str| {
        out.rejected
            .iter()
            .chain(&out.ignored)
            .any(|r| r.starts_with(prefix))
    };
    let mut items = 0;
    // Events that are not items of a `messages` change: account events.
    let mut account_events = 0;
    for (i, entry) in body["entry"].as_array().into_iter().flatten().enumerate() {
        let Some(changes) = entry.get("changes").and_then(Value::as_array) else {
            prop_assert!(has_reason(&format!("entry[{i}]: ")), "{:?}", out);
            continue;
        };
        for (j, change) in changes.iter().enumerate() {
            let at = format!("entry[{i}].changes[{j}]");
            let value = change.get("value").filter(|v| v.is_object());
            let channel = value.and_then(|v| v.get("metadata")?.get("phone_number_id"));
            let field = change.get("field").and_then(Value::as_str);
            match (field, value) {
                (Some("account_update"), Some(_)) => {
                    account_events += 1;
                    continue;
                }
                (Some("message_template_status_update"), Some(v)) => {
                    if v.get("message_template_id").is_some_and(id_like) {
                        account_events += 1;
                    } else {
                        prop_assert!(has_reason(&format!("{at}: ")), "{} silent: {:?}", at, out);
                    }
                    continue;
                }
                (Some("smb_message_echoes"), Some(v)) if channel.is_some_and(id_like) => {
                    items += len_if_array(v, "message_echoes");
                    continue;
                }
                _ => {}
            }
            let handled = field == Some("messages") && channel.is_some_and(id_like);
            if !handled {
                prop_assert!(
                    has_reason(&format!("{at}: ")),
                    "{} skipped silently: {:?}",
                    at,
                    out
                );
                continue;
            }
            let value = value.expect("handled implies a value object");
            for key in ["messages", "statuses", "errors", "contacts"] {
                if present_not_array(value, key) {
                    prop_assert!(
                        has_reason(&format!("{at}: value.{key} ")),
                        "{}.{} not an array, no reason: {:?}",
                        at,
                        key,
                        out
                    );
                }
            }
            items += len_if_array(value, "messages") + len_if_array(value, "statuses");
        }
    }
    let item_reasons = out
        .rejected
        .iter()
        .filter(|r| {
            let head = r.split(": ").next().unwrap_or_default();
            head.contains(".messages[")
                || head.contains(".statuses[")
                || head.contains(".message_echoes[")
        })
        .count();
    prop_assert_eq!(
        out.events.len() + item_reasons,
        items + account_events,
        "Meta items not accounted for: {:?}",
        out
    );
    Ok(())
}

/// Whapi: every `messages[]`/`statuses[]` element, every non-array
/// `messages`/`statuses` and every unknown top-level key is one event or one
/// reason.
pub(crate) fn account_whapi(body: &Value, out: &ParseOutcome) -> Result<(), TestCaseError> {
    let obj = body.as_object().expect("Ok implies an object");
    let mut items = 0;
    for key in ["messages", "statuses"] {
        items += len_if_array(body, key) + usize::from(present_not_array(body, key));
    }
    items += obj
        .keys()
        .filter(|k| !matches!(k.as_str(), "messages" | "statuses" | "event" | "channel_id"))
        .count();
    prop_assert_eq!(
        out.events.len() + out.rejected.len(),
        items,
        "Whapi items not accounted for: {:?}",
        out
    );
    Ok(())
}

// ---------------------------------------------------------------------------
