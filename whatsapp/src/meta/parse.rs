//! Meta webhook body → neutral events. Walks **every** `entry[] → changes[] →
//! value.messages[] / value.statuses[] / value.errors[]` (meta-cloud.md §2.2
//! "Batching", §9 item 5); one bad item never hides the others. Besides `messages`,
//! `smb_message_echoes`, `account_update` and `message_template_status_update` become
//! events; any other field is `ignored` (well-formed, acknowledged, kept by the caller).

use serde_json::Value;

use crate::error::ParseError;
use crate::event::{
    AccountEvent, AccountEventKind, DeliveryState, InboundEvent, InboundMessage, MessageKind,
    OutboundEcho, ParseOutcome, ProviderError, Revocation, StatusUpdate,
};
use crate::util::{
    array_field, id_field, id_path, join_non_empty, location_of, parse_json, str_field, str_path,
    unix_seconds, webhook_digits,
};

mod content;

use content::{contact_cards, contacts_text, location_text, media_ref};

const PROVIDER: &str = "Meta";

pub(crate) fn parse_body(raw_body: &[u8]) -> Result<ParseOutcome, ParseError> {
    let body = parse_json(raw_body)?;
    let obj = body
        .as_object()
        .ok_or_else(|| ParseError::shape(PROVIDER, "top level is not a JSON object"))?;
    let entries = obj
        .get("entry")
        .and_then(Value::as_array)
        .ok_or_else(|| ParseError::shape(PROVIDER, "missing `entry` array"))?;
    let mut out = ParseOutcome::default();
    match obj.get("object").and_then(Value::as_str) {
        Some("whatsapp_business_account") => {}
        // §2.3: other objects are acknowledged (200) but ignored, so Meta does not retry.
        Some(other) => {
            out.ignored.push(format!(
                "object {other:?} is not \"whatsapp_business_account\"; ignored"
            ));
            return Ok(out);
        }
        None => return Err(ParseError::shape(PROVIDER, "missing `object` field")),
    }
    for (i, entry) in entries.iter().enumerate() {
        let Some(changes) = entry.get("changes").and_then(Value::as_array) else {
            out.rejected.push(format!("entry[{i}]: no `changes` array"));
            continue;
        };
        let account = id_field(entry, "id").unwrap_or_default();
        for (j, change) in changes.iter().enumerate() {
            parse_change(
                change,
                &account,
                &format!("entry[{i}].changes[{j}]"),
                &mut out,
            );
        }
    }
    Ok(out)
}

fn parse_change(change: &Value, account: &str, at: &str, out: &mut ParseOutcome) {
    let field = change.get("field").and_then(Value::as_str).unwrap_or("");
    let Some(value) = change.get("value").filter(|v| v.is_object()) else {
        out.rejected.push(format!("{at}: no `value` object"));
        return;
    };
    // §17: every field Meta may send is acknowledged; these are acted on.
    match field {
        "messages" => {}
        "smb_message_echoes" => return parse_app_echoes(value, at, out),
        "account_update" => {
            let event = str_field(value, "event").unwrap_or_else(|| "UNKNOWN".into());
            let detail = ["restriction_info", "violation_info", "ban_info"]
                .iter()
                .find_map(|k| value.get(*k))
                .map(|v| v.to_string());
            out.events.push(InboundEvent::Account(AccountEvent {
                account_id: account.to_owned(),
                kind: AccountEventKind::Alert { event, detail },
                raw: value.clone(),
            }));
            return;
        }
        "message_template_status_update" => {
            let Some(template_id) = id_field(value, "message_template_id") else {
                out.rejected.push(format!("{at}: no `message_template_id`"));
                return;
            };
            out.events.push(InboundEvent::Account(AccountEvent {
                account_id: account.to_owned(),
                kind: AccountEventKind::TemplateStatus {
                    template_id,
                    name: str_field(value, "message_template_name"),
                    language: str_field(value, "message_template_language"),
                    status: str_field(value, "event").unwrap_or_else(|| "UNKNOWN".into()),
                    reason: str_field(value, "reason").filter(|r| r != "NONE"),
                },
                raw: value.clone(),
            }));
            return;
        }
        other => {
            out.ignored
                .push(format!("{at}: field {other:?} is not acted on"));
            return;
        }
    }
    let Some(channel) = id_path(value, &["metadata", "phone_number_id"]) else {
        out.rejected
            .push(format!("{at}: missing value.metadata.phone_number_id"));
        return;
    };
    for key in ["messages", "statuses", "errors", "contacts"] {
        if value.get(key).is_some_and(|v| !v.is_array()) {
            out.rejected
                .push(format!("{at}: value.{key} is not an array"));
        }
    }
    let contacts = array_field(value, "contacts");
    for (k, m) in array_field(value, "messages").iter().enumerate() {
        // A deletion is about another message, and may come without the sender (§17.4).
        if str_field(m, "type").as_deref() == Some("revoke") {
            match parse_revoke(m, &channel) {
                Ok(r) => out.events.push(InboundEvent::Revoked(r)),
                Err(why) => out.rejected.push(format!("{at}.messages[{k}]: {why}")),
            }
            continue;
        }
        match parse_message(m, &channel, contacts) {
            Ok(msg) => out.events.push(InboundEvent::Message(msg)),
            Err(why) => out.rejected.push(format!("{at}.messages[{k}]: {why}")),
        }
    }
    for (k, s) in array_field(value, "statuses").iter().enumerate() {
        match parse_status(s, &channel) {
            Ok(st) => out.events.push(InboundEvent::Status(st)),
            Err(why) => out.rejected.push(format!("{at}.statuses[{k}]: {why}")),
        }
    }
    // value.errors: out-of-band errors not tied to a message (§2.3, §6.1).
    for (k, e) in array_field(value, "errors").iter().enumerate() {
        let err = provider_error(e);
        out.rejected.push(format!(
            "{at}.errors[{k}]: provider error {}: {}",
            err.code.as_deref().unwrap_or("?"),
            join_non_empty([err.title, err.detail], " - ").unwrap_or_default()
        ));
    }
}

fn parse_revoke(m: &Value, channel: &str) -> Result<Revocation, String> {
    let id = id_field(m, "id").ok_or("missing or blank `id`")?;
    let original = str_path(m, &["revoke", "original_message_id"])
        .ok_or("revoke without `revoke.original_message_id`")?;
    Ok(Revocation {
        channel_key: channel.to_owned(),
        provider_message_id: id,
        original_message_id: original,
        at: m
            .get("timestamp")
            .and_then(unix_seconds)
            .unwrap_or_else(chrono::Utc::now),
    })
}

/// `smb_message_echoes`: what the business typed in the WhatsApp Business app (§17.3).
fn parse_app_echoes(value: &Value, at: &str, out: &mut ParseOutcome) {
    let Some(channel) = id_path(value, &["metadata", "phone_number_id"]) else {
        out.rejected
            .push(format!("{at}: missing value.metadata.phone_number_id"));
        return;
    };
    for (k, m) in array_field(value, "message_echoes").iter().enumerate() {
        let Some(id) = id_field(m, "id") else {
            out.rejected
                .push(format!("{at}.message_echoes[{k}]: missing or blank `id`"));
            continue;
        };
        let Some(to) = str_field(m, "to").and_then(|t| webhook_digits(&t)) else {
            out.rejected
                .push(format!("{at}.message_echoes[{k}]: no customer in `to`"));
            continue;
        };
        let typ = str_field(m, "type").unwrap_or_default();
        let content = m.get(typ.as_str()).cloned().unwrap_or(Value::Null);
        let text = str_field(&content, "body")
            .or_else(|| str_field(&content, "caption"))
            .or_else(|| (!typ.is_empty()).then(|| format!("[{typ}]")));
        out.events.push(InboundEvent::AppEcho(OutboundEcho {
            channel_key: channel.clone(),
            provider_message_id: id,
            to_phone: Some(to),
            text,
            sent_at: m
                .get("timestamp")
                .and_then(unix_seconds)
                .unwrap_or_else(chrono::Utc::now),
        }));
    }
}

fn parse_message(m: &Value, channel: &str, contacts: &[Value]) -> Result<InboundMessage, String> {
    if !m.is_object() {
        return Err("message is not an object".into());
    }
    let id = id_field(m, "id").ok_or("missing or blank `id`")?;
    let sent_at = m
        .get("timestamp")
        .and_then(unix_seconds)
        .ok_or("missing or invalid `timestamp`")?;
    let from_phone = str_field(m, "from").and_then(|f| webhook_digits(&f));
    let from_user_id = str_field(m, "from_user_id");
    if from_phone.is_none() && from_user_id.is_none() {
        return Err("no sender: neither `from` nor `from_user_id`".into());
    }
    // §9 item 8: match the contact by wa_id or BSUID.
    let from_name = contacts
        .iter()
        .find(|c| {
            (from_phone.is_some() && str_field(c, "wa_id") == from_phone)
                || (from_user_id.is_some() && str_field(c, "user_id") == from_user_id)
        })
        .and_then(|c| str_path(c, &["profile", "name"]));

    let typ = str_field(m, "type").unwrap_or_default();
    let content = m.get(typ.as_str()).cloned().unwrap_or(Value::Null);
    let mut reply_to = str_path(m, &["context", "id"]);
    // §10.4: route on the id, never on the title.
    let choice = match typ.as_str() {
        "interactive" => ["button_reply", "list_reply"]
            .iter()
            .find_map(|t| str_path(&content, &[t, "id"])),
        "button" => str_field(&content, "payload"),
        _ => None,
    };
    let location = (typ == "location").then(|| location_of(&content)).flatten();
    let cards = if typ == "contacts" {
        contact_cards(&content)
    } else {
        Vec::new()
    };
    let (kind, text, media) = match typ.as_str() {
        "text" => (MessageKind::Text, str_field(&content, "body"), None),
        "image" | "video" | "audio" | "document" | "sticker" => {
            let kind = match typ.as_str() {
                "image" => MessageKind::Image,
                "video" => MessageKind::Video,
                "audio" => MessageKind::Audio,
                "document" => MessageKind::Document,
                _ => MessageKind::Sticker,
            };
            let text = str_field(&content, "caption").or_else(|| str_field(&content, "filename"));
            (kind, text, media_ref(&content))
        }
        "location" => (MessageKind::Location, location_text(&content), None),
        "contacts" => (MessageKind::Contacts, contacts_text(&content), None),
        "interactive" => match str_field(&content, "type").as_deref() {
            Some(t @ ("button_reply" | "list_reply")) => (
                MessageKind::InteractiveReply,
                str_path(&content, &[t, "title"]),
                None,
            ),
            Some("nfm_reply") => (
                MessageKind::InteractiveReply,
                str_path(&content, &["nfm_reply", "body"])
                    .or_else(|| str_path(&content, &["nfm_reply", "name"])),
                None,
            ),
            _ => (MessageKind::Unsupported, None, None),
        },
        // Template quick-reply button (§3.1 `button`).
        "button" => (
            MessageKind::InteractiveReply,
            str_field(&content, "text").or_else(|| str_field(&content, "payload")),
            None,
        ),
        // Emoji omitted = reaction removed (§3.1); reply_to = the reacted message.
        "reaction" => {
            reply_to = str_field(&content, "message_id").or(reply_to);
            (MessageKind::Reaction, str_field(&content, "emoji"), None)
        }
        "system" => (MessageKind::Unsupported, str_field(&content, "body"), None),
        // `unsupported`, `order`, anything new: keep raw, never drop.
        _ => (MessageKind::Unsupported, None, None),
    };
    Ok(InboundMessage {
        channel_key: channel.to_owned(),
        provider_message_id: id,
        from_phone,
        from_user_id,
        from_name,
        sent_at,
        kind,
        text,
        media,
        reply_to,
        choice,
        location,
        cards,
        raw: m.clone(),
    })
}

fn provider_error(e: &Value) -> ProviderError {
    ProviderError {
        code: str_field(e, "code"),
        title: str_field(e, "title").or_else(|| str_field(e, "message")),
        detail: str_path(e, &["error_data", "details"]).or_else(|| str_field(e, "message")),
    }
}

/// Meta `statuses[].status` → [`DeliveryState`] (§4). `played` counts as read.
fn delivery_state(s: &str) -> Option<DeliveryState> {
    Some(match s {
        "sent" => DeliveryState::Sent,
        "delivered" => DeliveryState::Delivered,
        "read" | "played" => DeliveryState::Read,
        "failed" => DeliveryState::Failed,
        // Paced-template states from the send response (§5.2), if they ever appear here.
        "accepted" | "held_for_quality_assessment" | "paused" => DeliveryState::Queued,
        _ => return None,
    })
}

fn parse_status(s: &Value, channel: &str) -> Result<StatusUpdate, String> {
    if !s.is_object() {
        return Err("status is not an object".into());
    }
    let id = id_field(s, "id").ok_or("missing or blank `id`")?;
    let raw_state = str_field(s, "status").ok_or("missing `status`")?;
    let state =
        delivery_state(&raw_state).ok_or_else(|| format!("unknown status {raw_state:?}"))?;
    let at = s
        .get("timestamp")
        .and_then(unix_seconds)
        .ok_or("missing or invalid `timestamp`")?;
    Ok(StatusUpdate {
        channel_key: channel.to_owned(),
        provider_message_id: id,
        state,
        at,
        error: array_field(s, "errors").first().map(provider_error),
        recipient: str_field(s, "recipient_id").or_else(|| str_field(s, "recipient_user_id")),
        callback_data: str_field(s, "biz_opaque_callback_data"),
    })
}
