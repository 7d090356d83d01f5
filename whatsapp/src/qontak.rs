//! Mekari Qontak adapter: webhook parsing only (optional shared-secret
//! check). Sending is **not implemented yet** — `send_text` always returns a
//! permanent error.
//!
//! Reference: the shared provider notes, `qontak.md`. Qontak message-interaction
//! webhooks carry no event name (§5.1): the same object shape is a customer
//! message, an agent/bot echo or a status change. Classification (§6):
//! `participant_type == "customer"` (or `sender_type == "Models::Contact"`)
//! → [`InboundEvent::Message`]; otherwise `status == "created"` →
//! [`InboundEvent::Echo`], any later status → [`InboundEvent::Status`].

use std::fmt;

use async_trait::async_trait;
use serde_json::Value;

use crate::error::{ParseError, SendError, VerifyError};
use crate::event::{
    DeliveryState, InboundEvent, InboundMessage, MediaRef, MessageKind, OutboundEcho, ParseOutcome,
    ProviderKind, StatusUpdate,
};
use crate::provider::{Provider, Recipient, SendReceipt};
use crate::signature::verify_shared_secret;
use crate::util::{id_field, parse_json, rfc3339, str_field, str_path, webhook_digits};

const PROVIDER: &str = "Qontak";

/// Settings for a Qontak organisation's webhook.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct QontakConfig {
    /// Shared secret expected on webhooks (Qontak has no signatures, §7 item 1):
    /// header `X-Webhook-Secret` / `Authorization: Bearer` or `?secret=` in
    /// the registered URL. `None` → not checked. Secret.
    pub webhook_secret: Option<String>,
}

impl fmt::Debug for QontakConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QontakConfig")
            .field(
                "webhook_secret",
                &self.webhook_secret.as_ref().map(|_| crate::REDACTED),
            )
            .finish()
    }
}

/// Qontak adapter (parse only).
#[derive(Debug, Clone, Default)]
pub struct QontakProvider {
    config: QontakConfig,
}

impl QontakProvider {
    pub fn new(config: QontakConfig) -> Self {
        QontakProvider { config }
    }
}

#[async_trait]
impl Provider for QontakProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Qontak
    }

    fn verify(
        &self,
        headers: &http::HeaderMap,
        query: Option<&str>,
        _raw_body: &[u8],
    ) -> Result<(), VerifyError> {
        match self.config.webhook_secret.as_deref() {
            Some(secret) if !secret.is_empty() => verify_shared_secret(secret, headers, query),
            _ => Ok(()),
        }
    }

    fn parse(&self, raw_body: &[u8]) -> Result<ParseOutcome, ParseError> {
        parse_body(raw_body)
    }

    /// Not implemented: always `Permanent` ("sending through Qontak is not
    /// supported yet"). Qontak offers no idempotency key either (qontak.md §6).
    async fn send_text(
        &self,
        _to: &Recipient,
        _text: &str,
        _idempotency_key: &str,
    ) -> Result<SendReceipt, SendError> {
        Err(SendError::unsupported(PROVIDER))
    }
}

fn kind_of(typ: &str) -> MessageKind {
    match typ {
        "text" => MessageKind::Text,
        "image" => MessageKind::Image,
        "video" => MessageKind::Video,
        "audio" | "voice" => MessageKind::Audio,
        "document" | "file" => MessageKind::Document,
        "sticker" => MessageKind::Sticker,
        "location" => MessageKind::Location,
        "contact" | "contacts" => MessageKind::Contacts,
        _ => MessageKind::Unsupported,
    }
}

pub(crate) fn parse_body(raw_body: &[u8]) -> Result<ParseOutcome, ParseError> {
    let body = parse_json(raw_body)?;
    if !body.is_object() {
        return Err(ParseError::shape(
            PROVIDER,
            "top level is not a JSON object",
        ));
    }
    if body.get("participant_type").is_none() && body.get("sender_type").is_none() {
        return Err(ParseError::shape(
            PROVIDER,
            "expected a message object with `participant_type`/`sender_type`",
        ));
    }
    let mut out = ParseOutcome::default();
    match parse_message(&body) {
        Ok(ev) => out.events.push(ev),
        Err(why) => out.rejected.push(why),
    }
    Ok(out)
}

fn parse_message(m: &Value) -> Result<InboundEvent, String> {
    let id = id_field(m, "id").ok_or("missing or blank `id`")?;
    let room = m.get("room").cloned().unwrap_or(Value::Null);
    // Channel = the WhatsApp integration (number); fall back to the room id.
    let channel = id_field(&room, "channel_integration_id")
        .or_else(|| id_field(m, "room_id"))
        .ok_or("missing room.channel_integration_id and room_id")?;
    let at = m
        .get("created_at")
        .and_then(rfc3339)
        .ok_or("missing or invalid `created_at`")?;
    let phone = str_field(&room, "account_uniq_id").and_then(|p| webhook_digits(&p));
    let text = str_field(m, "text");
    let is_customer = str_field(m, "participant_type").as_deref() == Some("customer")
        || str_field(m, "sender_type").as_deref() == Some("Models::Contact");
    if !is_customer {
        let status = str_field(m, "status").unwrap_or_else(|| "created".into());
        let state = match status.as_str() {
            "created" => {
                return Ok(InboundEvent::Echo(OutboundEcho {
                    channel_key: channel,
                    provider_message_id: id,
                    to_phone: phone,
                    text,
                    sent_at: at,
                }))
            }
            "pending" => DeliveryState::Queued,
            "sent" => DeliveryState::Sent,
            "delivered" => DeliveryState::Delivered,
            "read" => DeliveryState::Read,
            "failed" | "error" => DeliveryState::Failed,
            other => return Err(format!("unknown status {other:?}")),
        };
        return Ok(InboundEvent::Status(StatusUpdate {
            channel_key: channel,
            provider_message_id: id,
            state,
            at,
            error: None,
            recipient: phone,
            callback_data: None,
        }));
    }
    // Media objects in webhooks are not published (§5.2): best effort on `file`.
    let media = m.get("file").filter(|f| f.is_object()).and_then(|f| {
        let url = str_field(f, "url");
        let id = str_field(f, "id");
        if url.is_none() && id.is_none() {
            return None;
        }
        Some(MediaRef {
            id,
            url,
            mime_type: str_field(f, "content_type").or_else(|| str_field(f, "mime_type")),
            filename: str_field(f, "filename").or_else(|| str_field(f, "name")),
            ..MediaRef::default()
        })
    });
    Ok(InboundEvent::Message(InboundMessage {
        channel_key: channel,
        provider_message_id: id,
        from_phone: phone,
        from_user_id: None,
        from_name: str_path(m, &["sender", "name"]).or_else(|| str_field(&room, "name")),
        sent_at: at,
        kind: kind_of(&str_field(m, "type").unwrap_or_default()),
        text,
        media,
        reply_to: m.get("reply").and_then(|r| str_field(r, "id")),
        choice: None,
        location: None,
        cards: Vec::new(),
        raw: m.clone(),
    }))
}
