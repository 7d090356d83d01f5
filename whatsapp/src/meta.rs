//! Meta WhatsApp Cloud API adapter: configuration, webhook verification
//! (`X-Hub-Signature-256` + GET handshake), sending text, read receipts and
//! typing through the Graph API, and "Test connection". Webhook body parsing
//! lives in the private `parse` submodule (`meta/parse.rs`), Graph error
//! classification in `errors` (`meta/errors.rs`), uploads and downloads of files in `media`
//! (`meta/media.rs`).
//!
//! Reference: the shared provider notes, `meta-cloud.md` (section numbers below).

mod errors;
mod media;
mod parse;
mod templates;

use errors::{classify_check_error, classify_graph_error};
use media::media_object;

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::{json, Value};

use crate::check::{get_json, CheckFailure, ConnectionInfo};
use crate::error::{ParseError, SendError, VerifyError};
use crate::event::{MediaRef, ParseOutcome, ProviderKind};
use crate::media::{Downloaded, MediaError};
use crate::outgoing::{Content, Outgoing, Upload};
use crate::provider::{Capabilities, Provider, Recipient, SendReceipt};
use crate::signature::{secret_eq, verify_hub_signature_256};
use crate::util::{execute, snippet, str_field, HttpReply, DEFAULT_SEND_TIMEOUT};

/// Settings for one Meta business phone number.
#[derive(Clone, PartialEq, Eq)]
pub struct MetaConfig {
    /// Graph base URL **including the API version**, no trailing slash needed.
    /// Default [`MetaConfig::DEFAULT_GRAPH_URL`]; meta-cloud.md (top note)
    /// says to keep the version configurable.
    pub graph_url: String,
    /// System-user access token (Bearer). Secret.
    pub access_token: String,
    /// Phone number id — the routing key of webhooks (`metadata.phone_number_id`).
    pub phone_number_id: String,
    /// WhatsApp Business Account id (`entry[].id`); informational.
    pub business_account_id: String,
    /// App secret used to sign webhooks. Secret. Empty → every webhook is rejected.
    pub app_secret: String,
    /// Token we chose for the GET subscription handshake. Secret.
    pub verify_token: String,
}

impl MetaConfig {
    /// Current examples in Meta's docs use `v25.0` (meta-cloud.md, top note).
    pub const DEFAULT_GRAPH_URL: &'static str = "https://graph.facebook.com/v25.0";
}

impl Default for MetaConfig {
    fn default() -> Self {
        MetaConfig {
            graph_url: Self::DEFAULT_GRAPH_URL.to_owned(),
            access_token: String::new(),
            phone_number_id: String::new(),
            business_account_id: String::new(),
            app_secret: String::new(),
            verify_token: String::new(),
        }
    }
}

impl fmt::Debug for MetaConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetaConfig")
            .field("graph_url", &self.graph_url)
            .field("access_token", &crate::REDACTED)
            .field("phone_number_id", &self.phone_number_id)
            .field("business_account_id", &self.business_account_id)
            .field("app_secret", &crate::REDACTED)
            .field("verify_token", &crate::REDACTED)
            .finish()
    }
}

/// Meta Cloud API adapter.
#[derive(Debug, Clone)]
pub struct MetaProvider {
    config: MetaConfig,
    client: reqwest::Client,
    timeout: Duration,
}

impl MetaProvider {
    /// Build an adapter; `client` is shared and owned by the caller.
    pub fn new(config: MetaConfig, client: reqwest::Client) -> Self {
        MetaProvider {
            config,
            client,
            timeout: DEFAULT_SEND_TIMEOUT,
        }
    }

    /// Override the per-request send timeout (default 15 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn config(&self) -> &MetaConfig {
        &self.config
    }

    /// GET webhook handshake (meta-cloud.md §2.1): returns the challenge to
    /// echo verbatim (200, plain text) when `hub.mode == "subscribe"` and
    /// `hub.verify_token` matches (constant time); `None` → answer 403.
    /// An empty configured verify token never matches.
    pub fn verify_subscription(&self, mode: &str, token: &str, challenge: &str) -> Option<String> {
        let ok = mode == "subscribe"
            && !self.config.verify_token.is_empty()
            && secret_eq(&self.config.verify_token, token);
        ok.then(|| challenge.to_owned())
    }

    fn messages_url(&self) -> String {
        format!(
            "{}/{}/messages",
            self.config.graph_url.trim_end_matches('/'),
            self.config.phone_number_id
        )
    }

    /// `POST /{phone-number-id}/messages` with `body`; a non-2xx answer becomes the Graph
    /// error it carries (`what` names the call in the log).
    async fn post_messages(&self, body: &Value, what: &str) -> Result<HttpReply, SendError> {
        let req = self
            .client
            .post(self.messages_url())
            .bearer_auth(&self.config.access_token)
            .timeout(self.timeout)
            .json(body);
        let reply = execute(req).await?;
        if !reply.status.is_success() {
            let err = classify_graph_error(&reply);
            tracing::warn!(code = ?err.code, kind = ?err.kind, http = reply.status.as_u16(), "meta {what} failed");
            return Err(err);
        }
        Ok(reply)
    }

    /// A read receipt (with or without the typing indicator): `200 {"success": true}`.
    async fn post_status(&self, body: Value) -> Result<(), SendError> {
        let reply = self.post_messages(&body, "read receipt").await?;
        if reply.body.get("success") == Some(&Value::Bool(false)) {
            return Err(SendError {
                http_status: Some(reply.status.as_u16()),
                ..SendError::permanent(format!(
                    "Meta answered {} with success false: {}",
                    reply.status,
                    snippet(&reply.body_text)
                ))
            });
        }
        Ok(())
    }

    /// The JSON body of a send (meta-cloud.md §5.1 text, §11.2 media by id, §13 context, §2.4
    /// for BSUIDs).
    fn message_body(
        to: &Recipient,
        message: &Outgoing,
        idempotency_key: &str,
    ) -> Result<Value, SendError> {
        let mut body = match &message.content {
            Content::Text(text) => {
                crate::text::validate_outbound(text)?;
                json!({ "type": "text", "text": { "preview_url": false, "body": text } })
            }
            Content::Media(m) => media_object(m)?,
            Content::Template(template) => json!({ "type": "template", "template": template }),
            Content::Interactive(i) => {
                i.check()
                    .map_err(|e| SendError::permanent(format!("buttons or list refused: {e}")))?;
                json!({ "type": "interactive", "interactive": i.meta_object() })
            }
            // meta-cloud.md §14: no `context` on a reaction.
            Content::Reaction { message_id, emoji } => {
                json!({ "type": "reaction", "reaction": { "message_id": message_id, "emoji": emoji } })
            }
        };
        body["messaging_product"] = json!("whatsapp");
        body["recipient_type"] = json!("individual");
        if let Some(quoted) = message.reply_to.as_deref().filter(|q| !q.is_empty()) {
            if !matches!(message.content, Content::Reaction { .. }) {
                body["context"] = json!({ "message_id": quoted });
            }
        }
        // `to` must carry `+` and the country code, otherwise Meta prepends the
        // business number's country code (§5.1). If both are known, `to` wins
        // on Meta's side anyway (§2.4), so only one is sent.
        match (to.phone.as_deref(), to.user_id.as_deref()) {
            (Some(phone), _) => {
                let digits = phone.trim().trim_start_matches('+');
                let valid = (crate::phone::MIN_DIGITS..=crate::phone::MAX_DIGITS)
                    .contains(&digits.len())
                    && digits.bytes().all(|b| b.is_ascii_digit());
                if !valid {
                    return Err(SendError::permanent(format!(
                        "recipient phone {phone:?} is not 8-15 digits (normalize it first)"
                    )));
                }
                body["to"] = Value::String(format!("+{digits}"));
            }
            (None, Some(user_id)) if !user_id.trim().is_empty() => {
                body["recipient"] = Value::String(user_id.trim().to_owned());
            }
            _ => {
                return Err(SendError::permanent(
                    "recipient has neither phone nor user id",
                ))
            }
        }
        if !idempotency_key.is_empty() {
            body["biz_opaque_callback_data"] = Value::String(idempotency_key.to_owned());
        }
        Ok(body)
    }
}

#[async_trait]
impl Provider for MetaProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Meta
    }

    /// `X-Hub-Signature-256` over the raw body (meta-cloud.md §2.2); the query
    /// string is not used.
    fn verify(
        &self,
        headers: &http::HeaderMap,
        _query: Option<&str>,
        raw_body: &[u8],
    ) -> Result<(), VerifyError> {
        if self.config.app_secret.is_empty() {
            return Err(VerifyError::NotConfigured("Meta app secret"));
        }
        verify_hub_signature_256(headers, self.config.app_secret.as_bytes(), raw_body)
    }

    fn parse(&self, raw_body: &[u8]) -> Result<ParseOutcome, ParseError> {
        parse::parse_body(raw_body)
    }

    fn handshake(&self, mode: &str, token: &str, challenge: &str) -> Option<String> {
        self.verify_subscription(mode, token, challenge)
    }

    fn signs_webhooks(&self) -> bool {
        true
    }

    fn webhook_numbers_vary(&self) -> bool {
        // One app's webhook carries every number of the app (`metadata.phone_number_id`).
        true
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            read_receipts: true,
            typing: true,
            // Meta's indicator ends by itself after about 25 s, or when our reply arrives.
            typing_stops: false,
            media: true,
            quotes: true,
            templates: true,
            interactive: true,
            reactions: true,
        }
    }

    async fn templates(&self) -> Result<Vec<crate::templates::Template>, SendError> {
        self.list_templates().await
    }

    /// meta-cloud.md §11.1 (`media.rs`).
    async fn upload_media(&self, file: &Upload<'_>) -> Result<String, SendError> {
        self.upload(file).await
    }

    /// `POST /{phone-number-id}/messages {"status": "read", "message_id": …}` (meta-cloud.md
    /// §5.5): marks that message and the earlier ones read.
    async fn mark_read(&self, _to: &Recipient, message_id: &str) -> Result<(), SendError> {
        self.post_status(json!({
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": message_id,
        }))
        .await
    }

    /// The read call with `"typing_indicator": {"type": "text"}` (meta-cloud.md §5.5): Meta
    /// shows typing only together with a read receipt of the customer's latest message. It
    /// cannot be taken away (`on = false` does nothing); it ends by itself.
    async fn typing(&self, _to: &Recipient, last_inbound: &str, on: bool) -> Result<(), SendError> {
        if !on {
            return Ok(());
        }
        self.post_status(json!({
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": last_inbound,
            "typing_indicator": { "type": "text" },
        }))
        .await
    }

    /// `GET /{phone-number-id}?fields=…` (meta-cloud.md §15).
    async fn check(&self, timeout: std::time::Duration) -> Result<ConnectionInfo, CheckFailure> {
        let url = format!(
            "{}/{}?fields=display_phone_number,verified_name,quality_rating,code_verification_status,status",
            self.config.graph_url.trim_end_matches('/'),
            self.config.phone_number_id
        );
        let (status, body, text) =
            get_json(&self.client, url, &self.config.access_token, timeout).await?;
        if !status.is_success() {
            return Err(classify_check_error(status, &body, &text));
        }
        let info = ConnectionInfo {
            display_phone: str_field(&body, "display_phone_number"),
            name: str_field(&body, "verified_name"),
            quality: str_field(&body, "quality_rating"),
            status: str_field(&body, "status"),
        };
        match info.status.as_deref() {
            // Absent: an older Graph version without the field; the number answered.
            None | Some("CONNECTED") => Ok(info),
            Some(other) => Err(CheckFailure::NotConnected {
                status: other.to_owned(),
            }),
        }
    }

    /// meta-cloud.md §11.3 (`media.rs`).
    async fn download_media(
        &self,
        media: &MediaRef,
        max_bytes: u64,
    ) -> Result<Downloaded, MediaError> {
        self.download(media, max_bytes).await
    }

    /// See the trait docs for the error table and idempotency notes.
    async fn send_text(
        &self,
        to: &Recipient,
        text: &str,
        idempotency_key: &str,
    ) -> Result<SendReceipt, SendError> {
        self.send(to, &Outgoing::text(text), idempotency_key).await
    }

    /// Text or a file by its uploaded id, with the quoted message's id as `context`.
    async fn send(
        &self,
        to: &Recipient,
        message: &Outgoing,
        idempotency_key: &str,
    ) -> Result<SendReceipt, SendError> {
        let body = Self::message_body(to, message, idempotency_key)?;
        let reply = self.post_messages(&body, "send").await?;
        let id = reply
            .body
            .get("messages")
            .and_then(|m| m.get(0))
            .and_then(|m| str_field(m, "id"));
        match id {
            Some(provider_message_id) => Ok(SendReceipt {
                provider_message_id,
            }),
            None => Err(SendError {
                http_status: Some(reply.status.as_u16()),
                maybe_sent: true,
                ..SendError::permanent(format!(
                    "Meta answered {} without messages[0].id: {}",
                    reply.status,
                    snippet(&reply.body_text)
                ))
            }),
        }
    }
}
