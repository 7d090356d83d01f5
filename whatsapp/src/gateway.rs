//! Generic self-hosted gateway adapter (`message.in` / `message.out` /
//! `interaction.*` webhooks, `X-Signature` hex HMAC-SHA256). Sending is **not
//! implemented yet** — `send_text` always returns a permanent error.
//!
//! Reference: the shared provider notes, `gateways.md` §4. The `message.in` `data`
//! fields follow the contract proposed in §4.4 (`messageId`, `from`,
//! `fromJid`, `pushName`, `fromMe`, `isGroup`, `type`, `text`, `timestamp` ms).
//! The body carries no account id, so events use the configured `channel_key`.

use std::fmt;

use async_trait::async_trait;
use serde_json::Value;

use crate::error::{ParseError, SendError, VerifyError};
use crate::event::{
    InboundEvent, InboundMessage, MessageKind, OutboundEcho, ParseOutcome, ProviderKind,
};
use crate::phone::{is_direct_chat, jid_kind, jid_to_phone, JidKind};
use crate::provider::{Provider, Recipient, SendReceipt};
use crate::signature::{header_str, verify_hmac_hex, HmacAlgorithm};
use crate::util::{bool_field, id_field, parse_json, str_field, unix_millis, webhook_digits};

const PROVIDER: &str = "gateway";

/// Settings for one gateway device.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct GatewayConfig {
    /// Key put on every event as `channel_key` (e.g. our channel id). Must
    /// not be blank: without it every event is rejected (it is half of the
    /// downstream dedupe key).
    pub channel_key: String,
    /// Webhook secret for `X-Signature`. `None` → not checked. Secret.
    pub webhook_secret: Option<String>,
}

impl fmt::Debug for GatewayConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatewayConfig")
            .field("channel_key", &self.channel_key)
            .field(
                "webhook_secret",
                &self.webhook_secret.as_ref().map(|_| crate::REDACTED),
            )
            .finish()
    }
}

/// Generic gateway adapter (verify + parse).
#[derive(Debug, Clone, Default)]
pub struct GatewayProvider {
    config: GatewayConfig,
}

impl GatewayProvider {
    pub fn new(config: GatewayConfig) -> Self {
        GatewayProvider { config }
    }
}

#[async_trait]
impl Provider for GatewayProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Gateway
    }

    /// `X-Signature: <hex HMAC-SHA256(secret, raw body)>` (§4.4). The
    /// reference implementation signs a re-serialisation; we verify the raw
    /// bytes, so our gateway must sign exactly the bytes it posts.
    fn verify(
        &self,
        headers: &http::HeaderMap,
        _query: Option<&str>,
        raw_body: &[u8],
    ) -> Result<(), VerifyError> {
        const NAME: &str = "X-Signature";
        let Some(secret) = self
            .config
            .webhook_secret
            .as_deref()
            .filter(|s| !s.is_empty())
        else {
            return Ok(());
        };
        let sig = header_str(headers, NAME)?.ok_or(VerifyError::Missing(NAME))?;
        let sig = sig.trim();
        let sig = sig.strip_prefix("sha256=").unwrap_or(sig);
        verify_hmac_hex(
            HmacAlgorithm::Sha256,
            secret.as_bytes(),
            raw_body,
            sig,
            NAME,
        )
    }

    fn parse(&self, raw_body: &[u8]) -> Result<ParseOutcome, ParseError> {
        parse_body(raw_body, &self.config.channel_key)
    }

    /// Not implemented: always `Permanent` ("sending through the generic
    /// gateway is not supported yet"). No idempotency key is documented (§4.3).
    async fn send_text(
        &self,
        _to: &Recipient,
        _text: &str,
        _idempotency_key: &str,
    ) -> Result<SendReceipt, SendError> {
        Err(SendError::unsupported("the generic gateway"))
    }
}

pub(crate) fn parse_body(raw_body: &[u8], channel: &str) -> Result<ParseOutcome, ParseError> {
    let body = parse_json(raw_body)?;
    let event =
        str_field(&body, "event").ok_or_else(|| ParseError::shape(PROVIDER, "missing `event`"))?;
    let data = body
        .get("data")
        .filter(|d| d.is_object())
        .ok_or_else(|| ParseError::shape(PROVIDER, "missing `data` object"))?;
    let envelope_ts = body.get("timestamp");
    let mut out = ParseOutcome::default();
    let result = match event.as_str() {
        "message.in" | "message.out" | "interaction.button" | "interaction.list" => {
            parse_data(&event, data, channel, envelope_ts)
        }
        other => Err(format!("event {other:?} ignored")),
    };
    match result {
        Ok(ev) => out.events.push(ev),
        Err(why) => out.rejected.push(format!("{event}: {why}")),
    }
    Ok(out)
}

fn parse_data(
    event: &str,
    d: &Value,
    channel: &str,
    envelope_ts: Option<&Value>,
) -> Result<InboundEvent, String> {
    if channel.trim().is_empty() {
        // `channel_key` is half of the dedupe key downstream: never emit it blank.
        return Err("no channel_key configured for this gateway; event not stored".into());
    }
    let id = id_field(d, "messageId").ok_or("missing or blank `data.messageId`")?;
    // Timestamps are milliseconds (README "Timestamps").
    let sent_at = d
        .get("timestamp")
        .and_then(unix_millis)
        .or_else(|| envelope_ts.and_then(unix_millis))
        .ok_or("missing or invalid `timestamp`")?;
    if bool_field(d, "isGroup") == Some(true) {
        return Err("group message ignored".into());
    }
    if event == "message.out" || bool_field(d, "fromMe") == Some(true) {
        // §4.4: sent by the system or from the phone — an echo, never a customer message.
        let to = str_field(d, "to").or_else(|| str_field(d, "toJid"));
        return Ok(InboundEvent::Echo(OutboundEcho {
            channel_key: channel.to_owned(),
            provider_message_id: id,
            to_phone: to.and_then(|t| jid_to_phone(&t)),
            text: str_field(d, "text").or_else(|| str_field(d, "message")),
            sent_at,
        }));
    }
    let jid = str_field(d, "fromJid");
    if let Some(j) = jid.as_deref().filter(|j| !is_direct_chat(j)) {
        return Err(format!("chat {j:?} is not a 1:1 chat; ignored"));
    }
    let from_phone = str_field(d, "from")
        .and_then(|f| webhook_digits(&f).or_else(|| jid_to_phone(&f)))
        .or_else(|| jid.as_deref().and_then(jid_to_phone));
    let from_user_id = jid.filter(|j| jid_kind(j) == JidKind::Lid);
    if from_phone.is_none() && from_user_id.is_none() {
        return Err("no sender (`from`/`fromJid`)".into());
    }
    let (kind, text) = match event {
        "interaction.button" => (MessageKind::InteractiveReply, str_field(d, "buttonText")),
        "interaction.list" => (MessageKind::InteractiveReply, str_field(d, "rowTitle")),
        _ => match str_field(d, "type").as_deref().unwrap_or("text") {
            "text" => (MessageKind::Text, str_field(d, "text")),
            // Non-text `message.in` types are not defined by the contract: keep raw.
            _ => (MessageKind::Unsupported, str_field(d, "text")),
        },
    };
    Ok(InboundEvent::Message(InboundMessage {
        channel_key: channel.to_owned(),
        provider_message_id: id,
        from_phone,
        from_user_id,
        from_name: str_field(d, "pushName"),
        sent_at,
        kind,
        text,
        media: None,
        reply_to: str_field(d, "replyToId").or_else(|| str_field(d, "quotedMessageId")),
        choice: match event {
            "interaction.button" => str_field(d, "buttonId"),
            "interaction.list" => str_field(d, "rowId"),
            _ => None,
        },
        location: None,
        cards: Vec::new(),
        raw: d.clone(),
    }))
}
