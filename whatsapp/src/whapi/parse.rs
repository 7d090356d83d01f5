//! Whapi webhook body → neutral events (whapi.md §4.4–§4.6, §6): customer
//! messages, `from_me` echoes (never customer messages) and statuses. Group,
//! channel and broadcast chats are rejected with a reason.

use serde_json::Value;

use crate::error::ParseError;
use crate::event::{
    ContactCard, DeliveryState, InboundEvent, InboundMessage, MediaRef, MessageKind, OutboundEcho,
    ParseOutcome, ProviderError, StatusUpdate,
};
use crate::phone::{is_direct_chat, jid_kind, jid_to_phone, JidKind};
use crate::util::{
    array_field, bool_field, id_field, int_of, join_non_empty, location_of, parse_json, str_field,
    str_path, unix_seconds, vcard_phones, webhook_digits,
};

const PROVIDER: &str = "Whapi";

pub(crate) fn parse_body(
    raw_body: &[u8],
    fallback_channel: Option<&str>,
) -> Result<ParseOutcome, ParseError> {
    let body = parse_json(raw_body)?;
    let obj = body
        .as_object()
        .ok_or_else(|| ParseError::shape(PROVIDER, "top level is not a JSON object"))?;
    let looks_whapi = obj.contains_key("channel_id")
        || obj.get("event").is_some_and(Value::is_object)
        || obj.get("messages").is_some_and(Value::is_array)
        || obj.get("statuses").is_some_and(Value::is_array);
    if !looks_whapi || obj.contains_key("entry") {
        return Err(ParseError::shape(
            PROVIDER,
            "expected `channel_id`, `event`, `messages` or `statuses`",
        ));
    }
    let channel = id_field(&body, "channel_id")
        .or_else(|| {
            fallback_channel
                .filter(|c| !c.trim().is_empty())
                .map(str::to_owned)
        })
        .ok_or_else(|| ParseError::shape(PROVIDER, "missing or blank `channel_id`"))?;
    let mut out = ParseOutcome::default();
    for key in ["messages", "statuses"] {
        if obj.get(key).is_some_and(|v| !v.is_array()) {
            out.rejected.push(format!("`{key}` is not an array"));
        }
    }
    for (i, m) in array_field(&body, "messages").iter().enumerate() {
        match parse_message(m, &channel) {
            Ok(ev) => out.events.push(ev),
            Err(why) => out.rejected.push(format!("messages[{i}]: {why}")),
        }
    }
    for (i, s) in array_field(&body, "statuses").iter().enumerate() {
        match parse_status(s, &channel) {
            Ok(st) => out.events.push(InboundEvent::Status(st)),
            Err(why) => out.rejected.push(format!("statuses[{i}]: {why}")),
        }
    }
    // Everything else (edits, deletions, chats, health/QR, …) is not an inbox event here.
    for key in obj.keys() {
        if !matches!(
            key.as_str(),
            "messages" | "statuses" | "event" | "channel_id"
        ) {
            out.rejected.push(format!("`{key}` ignored"));
        }
    }
    Ok(out)
}

fn parse_message(m: &Value, channel: &str) -> Result<InboundEvent, String> {
    if !m.is_object() {
        return Err("message is not an object".into());
    }
    let id = id_field(m, "id").ok_or("missing or blank `id`")?;
    let chat_id = str_field(m, "chat_id").ok_or("missing `chat_id`")?;
    let from_me = bool_field(m, "from_me").ok_or("missing `from_me`")?;
    let sent_at = m
        .get("timestamp")
        .and_then(unix_seconds)
        .ok_or("missing or invalid `timestamp`")?;
    if !is_direct_chat(&chat_id) {
        // §6: groups, channels, status broadcasts are not support conversations.
        return Err(format!("chat {chat_id:?} is not a 1:1 chat; ignored"));
    }
    let (kind, text, media, reaction_target) = content(m);
    if from_me {
        // §6 echo rule: our own message (API, phone or web) — never a customer message.
        return Ok(InboundEvent::Echo(OutboundEcho {
            channel_key: channel.to_owned(),
            provider_message_id: id,
            to_phone: jid_to_phone(&chat_id),
            text,
            sent_at,
        }));
    }
    let (from_phone, from_user_id) = if jid_kind(&chat_id) == JidKind::Lid {
        (None, Some(chat_id.clone()))
    } else {
        let phone = str_field(m, "from")
            .and_then(|f| webhook_digits(&f))
            .or_else(|| jid_to_phone(&chat_id));
        (phone, None)
    };
    if from_phone.is_none() && from_user_id.is_none() {
        return Err("no sender phone".into());
    }
    Ok(InboundEvent::Message(InboundMessage {
        channel_key: channel.to_owned(),
        provider_message_id: id,
        from_phone,
        from_user_id,
        from_name: str_field(m, "from_name"),
        sent_at,
        kind,
        text,
        media,
        reply_to: reaction_target.or_else(|| str_path(m, &["context", "quoted_id"])),
        choice: str_path(m, &["reply", "buttons_reply", "id"])
            .or_else(|| str_path(m, &["reply", "list_reply", "id"])),
        location: ["location", "live_location"]
            .iter()
            .filter_map(|k| m.get(*k))
            .find_map(location_of),
        cards: whapi_cards(m),
        raw: m.clone(),
    }))
}

/// (kind, preview text, media, reaction target) for a Whapi `Message` (§4.5).
fn content(
    m: &Value,
) -> (
    MessageKind,
    Option<String>,
    Option<MediaRef>,
    Option<String>,
) {
    let typ = str_field(m, "type").unwrap_or_default();
    let c = m.get(typ.as_str()).cloned().unwrap_or(Value::Null);
    let media_kind = match typ.as_str() {
        "image" => Some(MessageKind::Image),
        "video" | "gif" | "short" => Some(MessageKind::Video),
        "audio" | "voice" => Some(MessageKind::Audio),
        "document" => Some(MessageKind::Document),
        "sticker" => Some(MessageKind::Sticker),
        _ => None,
    };
    if let Some(kind) = media_kind {
        let id = str_field(&c, "id");
        let url = str_field(&c, "link");
        let media = (id.is_some() || url.is_some()).then(|| MediaRef {
            id,
            url,
            mime_type: str_field(&c, "mime_type"),
            sha256: str_field(&c, "sha256"),
            filename: str_field(&c, "file_name").or_else(|| str_field(&c, "filename")),
            size: c
                .get("file_size")
                .and_then(crate::util::int_of)
                .and_then(|n| u64::try_from(n).ok()),
            voice: typ == "voice",
        });
        let text =
            str_field(&c, "caption").or_else(|| media.as_ref().and_then(|m| m.filename.clone()));
        return (kind, text, media, None);
    }
    match typ.as_str() {
        "text" => (MessageKind::Text, str_field(&c, "body"), None, None),
        "link_preview" => (MessageKind::Text, str_field(&c, "body"), None, None),
        "location" | "live_location" => (
            MessageKind::Location,
            join_non_empty([str_field(&c, "name"), str_field(&c, "address")], ", "),
            None,
            None,
        ),
        "contact" => (MessageKind::Contacts, str_field(&c, "name"), None, None),
        "contact_list" => {
            let names = array_field(&c, "list").iter().map(|x| str_field(x, "name"));
            (
                MessageKind::Contacts,
                join_non_empty(names, ", "),
                None,
                None,
            )
        }
        "reply" => {
            let title = str_path(&c, &["buttons_reply", "title"])
                .or_else(|| str_path(&c, &["list_reply", "title"]));
            (MessageKind::InteractiveReply, title, None, None)
        }
        "action" if str_field(&c, "type").as_deref() == Some("reaction") => (
            MessageKind::Reaction,
            str_field(&c, "emoji"),
            None,
            str_field(&c, "target"),
        ),
        _ => (MessageKind::Unsupported, None, None, None),
    }
}

/// Whapi status → state. The `status` string is authoritative; `code` is a
/// fallback for the two documented values (3 delivered, 4 read) (§4.6).
fn delivery_state(s: &Value) -> Option<DeliveryState> {
    match str_field(s, "status").as_deref() {
        Some("pending") => Some(DeliveryState::Queued),
        Some("sent") => Some(DeliveryState::Sent),
        Some("delivered") => Some(DeliveryState::Delivered),
        Some("read" | "played") => Some(DeliveryState::Read),
        Some("failed") => Some(DeliveryState::Failed),
        Some(_) => None,
        None => match s.get("code").and_then(int_of) {
            Some(3) => Some(DeliveryState::Delivered),
            Some(4) => Some(DeliveryState::Read),
            _ => None,
        },
    }
}

fn parse_status(s: &Value, channel: &str) -> Result<StatusUpdate, String> {
    if !s.is_object() {
        return Err("status is not an object".into());
    }
    let id = id_field(s, "id").ok_or("missing or blank `id`")?;
    let state = delivery_state(s).ok_or_else(|| {
        format!(
            "unknown status {:?} (code {:?})",
            str_field(s, "status"),
            str_field(s, "code")
        )
    })?;
    let at = s
        .get("timestamp")
        .and_then(unix_seconds)
        .ok_or("missing or invalid `timestamp`")?;
    let recipient = str_field(s, "recipient_id").map(|r| jid_to_phone(&r).unwrap_or(r));
    let error = array_field(s, "errors").first().map(|e| ProviderError {
        code: str_field(e, "code"),
        title: str_field(e, "message"),
        detail: str_field(e, "details"),
    });
    Ok(StatusUpdate {
        channel_key: channel.to_owned(),
        provider_message_id: id,
        state,
        at,
        error,
        recipient,
        callback_data: None,
    })
}

/// `contact {name, vcard}` and `contact_list {list: [{name, vcard}]}` (§4.5).
fn whapi_cards(m: &Value) -> Vec<ContactCard> {
    let card = |c: &Value| ContactCard {
        name: str_field(c, "name"),
        phones: str_field(c, "vcard")
            .map(|v| vcard_phones(&v))
            .unwrap_or_default(),
    };
    match (m.get("contact"), m.get("contact_list")) {
        (Some(c), _) => vec![card(c)],
        (None, Some(list)) => array_field(list, "list").iter().map(card).collect(),
        (None, None) => Vec::new(),
    }
}
