//! WAHA (devlikeapro/waha) adapter: `X-Webhook-Hmac` (HMAC-SHA512)
//! verification and webhook parsing for `message`, `message.any`,
//! `message.ack` and `message.reaction`. Sending is **not implemented yet** —
//! `send_text` always returns a permanent error.
//!
//! Reference: the shared provider notes, `gateways.md` §1.

use std::fmt;

use async_trait::async_trait;
use serde_json::Value;

use crate::error::{ParseError, SendError, VerifyError};
use crate::event::{
    DeliveryState, InboundEvent, InboundMessage, MediaRef, MessageKind, OutboundEcho, ParseOutcome,
    ProviderKind, StatusUpdate,
};
use crate::phone::{is_direct_chat, jid_kind, jid_to_phone, JidKind};
use crate::provider::{Provider, Recipient, SendReceipt};
use crate::signature::{header_str, verify_hmac_hex, HmacAlgorithm};
use crate::util::{
    bool_field, id_field, int_of, parse_json, str_field, str_path, unix_millis, unix_seconds,
};

const PROVIDER: &str = "WAHA";

/// Settings for one WAHA server.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct WahaConfig {
    /// The webhook `hmac.key`. `None` → webhooks are not checked. Secret.
    pub hmac_key: Option<String>,
}

impl fmt::Debug for WahaConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WahaConfig")
            .field("hmac_key", &self.hmac_key.as_ref().map(|_| crate::REDACTED))
            .finish()
    }
}

/// WAHA adapter (verify + parse). `channel_key` of events = WAHA `session`.
#[derive(Debug, Clone, Default)]
pub struct WahaProvider {
    config: WahaConfig,
}

impl WahaProvider {
    pub fn new(config: WahaConfig) -> Self {
        WahaProvider { config }
    }
}

#[async_trait]
impl Provider for WahaProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Waha
    }

    /// `X-Webhook-Hmac: <hex HMAC-SHA512(key, raw body)>`; an
    /// `X-Webhook-Hmac-Algorithm` other than `sha512` is rejected (§1.5).
    fn verify(
        &self,
        headers: &http::HeaderMap,
        _query: Option<&str>,
        raw_body: &[u8],
    ) -> Result<(), VerifyError> {
        const NAME: &str = "X-Webhook-Hmac";
        let Some(key) = self.config.hmac_key.as_deref().filter(|k| !k.is_empty()) else {
            return Ok(());
        };
        if let Some(alg) = header_str(headers, "x-webhook-hmac-algorithm")? {
            if !alg.trim().eq_ignore_ascii_case("sha512") {
                return Err(VerifyError::Malformed("X-Webhook-Hmac-Algorithm"));
            }
        }
        let sig = header_str(headers, NAME)?.ok_or(VerifyError::Missing(NAME))?;
        verify_hmac_hex(HmacAlgorithm::Sha512, key.as_bytes(), raw_body, sig, NAME)
    }

    fn parse(&self, raw_body: &[u8]) -> Result<ParseOutcome, ParseError> {
        parse_body(raw_body)
    }

    /// Not implemented: always `Permanent` ("sending through WAHA is not
    /// supported yet"). WAHA documents no idempotency key (gateways.md §5).
    async fn send_text(
        &self,
        _to: &Recipient,
        _text: &str,
        _idempotency_key: &str,
    ) -> Result<SendReceipt, SendError> {
        Err(SendError::unsupported(PROVIDER))
    }
}

pub(crate) fn parse_body(raw_body: &[u8]) -> Result<ParseOutcome, ParseError> {
    let body = parse_json(raw_body)?;
    let event =
        str_field(&body, "event").ok_or_else(|| ParseError::shape(PROVIDER, "missing `event`"))?;
    let session = id_field(&body, "session")
        .ok_or_else(|| ParseError::shape(PROVIDER, "missing or blank `session`"))?;
    let payload = body
        .get("payload")
        .filter(|p| p.is_object())
        .ok_or_else(|| ParseError::shape(PROVIDER, "missing `payload` object"))?;
    let mut out = ParseOutcome::default();
    let result = match event.as_str() {
        "message" | "message.any" => parse_message(payload, &session),
        "message.reaction" => parse_reaction(payload, &session),
        "message.ack" => parse_ack(payload, &session, body.get("timestamp")),
        other => Err(format!("event {other:?} ignored")),
    };
    match result {
        Ok(ev) => out.events.push(ev),
        Err(why) => out.rejected.push(format!("{event}: {why}")),
    }
    Ok(out)
}

/// Sender split into (phone, opaque id); errors for groups/broadcasts.
fn sender(jid: &str) -> Result<(Option<String>, Option<String>), String> {
    if !is_direct_chat(jid) {
        return Err(format!("chat {jid:?} is not a 1:1 chat; ignored"));
    }
    Ok(match jid_kind(jid) {
        JidKind::Lid => (None, Some(jid.to_owned())),
        _ => match jid_to_phone(jid) {
            Some(p) => (Some(p), None),
            None => (None, Some(jid.to_owned())),
        },
    })
}

fn parse_message(p: &Value, session: &str) -> Result<InboundEvent, String> {
    let id = id_field(p, "id").ok_or("missing or blank `payload.id`")?;
    let sent_at = p
        .get("timestamp")
        .and_then(unix_seconds)
        .ok_or("missing or invalid `payload.timestamp`")?;
    let text = str_field(p, "body");
    if bool_field(p, "fromMe") == Some(true) {
        let to = str_field(p, "to").unwrap_or_default();
        if !is_direct_chat(&to) {
            return Err(format!("chat {to:?} is not a 1:1 chat; ignored"));
        }
        return Ok(InboundEvent::Echo(OutboundEcho {
            channel_key: session.to_owned(),
            provider_message_id: id,
            to_phone: jid_to_phone(&to),
            text,
            sent_at,
        }));
    }
    let (from_phone, from_user_id) =
        sender(&str_field(p, "from").ok_or("missing `payload.from`")?)?;
    let media = p.get("media").filter(|m| m.is_object()).and_then(|m| {
        Some(MediaRef {
            url: Some(str_field(m, "url")?),
            mime_type: str_field(m, "mimetype"),
            filename: str_field(m, "filename"),
            ..MediaRef::default()
        })
    });
    let kind = if bool_field(p, "hasMedia") == Some(true) {
        let mime = media
            .as_ref()
            .and_then(|m| m.mime_type.clone())
            .unwrap_or_default();
        match mime.split('/').next().unwrap_or_default() {
            "image" if mime == "image/webp" => MessageKind::Sticker,
            "image" => MessageKind::Image,
            "video" => MessageKind::Video,
            "audio" => MessageKind::Audio,
            "" => MessageKind::Unsupported,
            _ => MessageKind::Document,
        }
    } else if p.get("location").is_some_and(Value::is_object) {
        MessageKind::Location
    } else if p
        .get("vCards")
        .and_then(Value::as_array)
        .is_some_and(|v| !v.is_empty())
    {
        MessageKind::Contacts
    } else if text.is_some() {
        MessageKind::Text
    } else {
        MessageKind::Unsupported
    };
    Ok(InboundEvent::Message(InboundMessage {
        channel_key: session.to_owned(),
        provider_message_id: id,
        from_phone,
        from_user_id,
        // Engine-dependent (§1.5): WEBJS notifyName, NOWEB/GOWS pushName.
        from_name: str_path(p, &["_data", "notifyName"])
            .or_else(|| str_path(p, &["_data", "pushName"])),
        sent_at,
        kind,
        text,
        media,
        reply_to: str_path(p, &["replyTo", "id"]),
        choice: None,
        location: None,
        cards: Vec::new(),
        raw: p.clone(),
    }))
}

fn parse_reaction(p: &Value, session: &str) -> Result<InboundEvent, String> {
    if bool_field(p, "fromMe") == Some(true) {
        return Err("our own reaction; ignored".into());
    }
    let id = id_field(p, "id").ok_or("missing or blank `payload.id`")?;
    let sent_at = p
        .get("timestamp")
        .and_then(unix_seconds)
        .ok_or("missing or invalid `payload.timestamp`")?;
    let (from_phone, from_user_id) =
        sender(&str_field(p, "from").ok_or("missing `payload.from`")?)?;
    Ok(InboundEvent::Message(InboundMessage {
        channel_key: session.to_owned(),
        provider_message_id: id,
        from_phone,
        from_user_id,
        from_name: None,
        sent_at,
        kind: MessageKind::Reaction,
        // `text: ""` = reaction removed (§1.5).
        text: str_path(p, &["reaction", "text"]),
        media: None,
        reply_to: str_path(p, &["reaction", "messageId"]),
        choice: None,
        location: None,
        cards: Vec::new(),
        raw: p.clone(),
    }))
}

/// `envelope_ts` = envelope `timestamp` (ms), used because ack payloads carry none.
fn parse_ack(
    p: &Value,
    session: &str,
    envelope_ts: Option<&Value>,
) -> Result<InboundEvent, String> {
    if bool_field(p, "fromMe") == Some(false) {
        return Err("ack for an inbound message; ignored".into());
    }
    let id = id_field(p, "id").ok_or("missing or blank `payload.id`")?;
    // §1.5: -1 ERROR, 0 PENDING, 1 SERVER, 2 DEVICE, 3 READ, 4 PLAYED.
    let state = match p.get("ack").and_then(int_of) {
        Some(-1) => DeliveryState::Failed,
        Some(0) => DeliveryState::Queued,
        Some(1) => DeliveryState::Sent,
        Some(2) => DeliveryState::Delivered,
        Some(3 | 4) => DeliveryState::Read,
        other => return Err(format!("unknown ack {other:?}")),
    };
    let at = p
        .get("timestamp")
        .and_then(unix_seconds)
        .or_else(|| envelope_ts.and_then(unix_millis))
        .ok_or("no `payload.timestamp` or envelope `timestamp`")?;
    Ok(InboundEvent::Status(StatusUpdate {
        channel_key: session.to_owned(),
        provider_message_id: id,
        state,
        at,
        error: None,
        recipient: str_field(p, "to")
            .or_else(|| str_field(p, "from"))
            .map(|j| jid_to_phone(&j).unwrap_or(j)),
        callback_data: None,
    }))
}
