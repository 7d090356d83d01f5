//! Meta WhatsApp Cloud API adapter: configuration, webhook verification
//! (`X-Hub-Signature-256` + GET handshake), sending text, read receipts and
//! typing through the Graph API, and "Test connection". Webhook body parsing
//! lives in the private `parse` submodule (`meta/parse.rs`), Graph error
//! classification in `errors` (`meta/errors.rs`).
//!
//! Reference: the shared provider notes, `meta-cloud.md` (section numbers below).

mod errors;
mod parse;
mod templates;

use errors::{classify_check_error, classify_graph_error};

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::{json, Value};

use crate::check::{get_json, CheckFailure, ConnectionInfo};
use crate::error::{ParseError, SendError, VerifyError};
use crate::event::{MediaRef, ParseOutcome, ProviderKind};
use crate::media::{Downloaded, MediaError};
use crate::outgoing::{Content, MediaMessage, Outgoing, Upload};
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

    /// meta-cloud.md §11.1: `POST /{phone-number-id}/media`, multipart with
    /// `messaging_product`, `type` and the `file` part (its own name and type) → `{"id"}`.
    async fn upload_media(&self, file: &Upload<'_>) -> Result<String, SendError> {
        let part = reqwest::multipart::Part::bytes(file.bytes.to_vec())
            .file_name(file.filename.to_owned())
            .mime_str(file.mime_type)
            .map_err(|e| SendError::permanent(format!("MIME type {:?}: {e}", file.mime_type)))?;
        let form = reqwest::multipart::Form::new()
            .text("messaging_product", "whatsapp")
            .text("type", file.mime_type.to_owned())
            .part("file", part);
        let url = format!(
            "{}/{}/media",
            self.config.graph_url.trim_end_matches('/'),
            self.config.phone_number_id
        );
        let req = self
            .client
            .post(url)
            .bearer_auth(&self.config.access_token)
            .timeout(crate::media::DOWNLOAD_TIMEOUT)
            .multipart(form);
        let reply = execute(req).await?;
        if !reply.status.is_success() {
            let err = classify_graph_error(&reply);
            tracing::warn!(code = ?err.code, http = reply.status.as_u16(), "meta media upload failed");
            return Err(err);
        }
        str_field(&reply.body, "id").ok_or_else(|| SendError {
            http_status: Some(reply.status.as_u16()),
            ..SendError::permanent(format!(
                "Meta answered the upload without an id: {}",
                snippet(&reply.body_text)
            ))
        })
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

    /// meta-cloud.md §11.3: `GET /{media-id}?phone_number_id=` → `{url, mime_type, sha256,
    /// file_size}` → `GET url`, both with the token. A webhook's own `url` is not used: it
    /// lives 5 minutes, and the download may run later (a retry).
    async fn download_media(
        &self,
        media: &MediaRef,
        max_bytes: u64,
    ) -> Result<Downloaded, MediaError> {
        let Some(id) = media.id.as_deref() else {
            return Err(MediaError::Unsupported(
                "the message names no Meta media id".into(),
            ));
        };
        let mut url = reqwest::Url::parse(self.config.graph_url.trim_end_matches('/'))
            .map_err(|e| MediaError::Refused(format!("Graph URL is not a URL: {e}")))?;
        url.path_segments_mut()
            .map_err(|_| MediaError::Refused("Graph URL cannot take a path".into()))?
            .pop_if_empty()
            .push(id);
        url.query_pairs_mut()
            .append_pair("phone_number_id", &self.config.phone_number_id);
        let req = self
            .client
            .get(url)
            .bearer_auth(&self.config.access_token)
            .timeout(self.timeout);
        let reply = execute(req).await.map_err(|e| MediaError::Temporary {
            reason: e.reason,
            retry_after: e.retry_after,
        })?;
        if !reply.status.is_success() {
            let err = classify_graph_error(&reply);
            tracing::warn!(code = ?err.code, http = reply.status.as_u16(), "meta media lookup failed");
            return Err(media_lookup_error(err));
        }
        let Some(file_url) = str_field(&reply.body, "url") else {
            return Err(MediaError::temporary(format!(
                "Meta answered the media lookup without a url: {}",
                snippet(&reply.body_text)
            )));
        };
        // `file_size` is a string in the docs' example, maybe a number (unconfirmed): both.
        let size = reply
            .body
            .get("file_size")
            .and_then(crate::util::int_of)
            .and_then(|n| u64::try_from(n).ok());
        if let Some(size) = size.filter(|&n| n > max_bytes) {
            return Err(MediaError::TooLarge {
                size,
                limit: max_bytes,
            });
        }
        // The token goes only to an https URL, or to the Graph host itself (a local mock).
        if !file_url.starts_with("https://")
            && !crate::util::same_origin(&file_url, &self.config.graph_url)
        {
            return Err(MediaError::Refused(
                "Meta's media URL is not https; the token is not sent to it".into(),
            ));
        }
        let sha = str_field(&reply.body, "sha256").or_else(|| media.sha256.clone());
        let mut download = crate::media::fetch_bytes(
            self.client
                .get(file_url)
                .bearer_auth(&self.config.access_token),
            max_bytes,
        )
        .await?;
        if download.mime_type.is_none() {
            download.mime_type = str_field(&reply.body, "mime_type");
        }
        crate::media::verified(download, sha.as_deref())
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

/// A failed media lookup: a media id Meta does not know (expired after 7 days: HTTP 404, or
/// Graph error 100 "does not exist") is [`MediaError::Expired`]; a retryable Graph error stays
/// temporary; anything else is Meta refusing, with its reason.
fn media_lookup_error(err: SendError) -> MediaError {
    if err.kind == crate::SendErrorKind::Retryable {
        return MediaError::Temporary {
            reason: err.reason,
            retry_after: err.retry_after,
        };
    }
    let gone = err.http_status == Some(404)
        || (err.code.as_deref() == Some("100") && err.reason.contains("does not exist"));
    let reason = match &err.code {
        Some(code) => format!("{code} {}", err.reason),
        None => err.reason,
    };
    if gone {
        MediaError::Expired(reason)
    } else {
        MediaError::Refused(reason)
    }
}

/// `{"type": kind, kind: {"id", "caption"?, "filename"?}}`: captions only where WhatsApp shows
/// them, a document always with its name (meta-cloud.md §11.2).
fn media_object(m: &MediaMessage) -> Result<Value, SendError> {
    use crate::event::MessageKind as K;
    let kind = match m.kind {
        K::Image => "image",
        K::Audio => "audio",
        K::Video => "video",
        K::Document => "document",
        K::Sticker => "sticker",
        other => {
            return Err(SendError::permanent(format!(
                "{other} is not a kind of file WhatsApp sends"
            )))
        }
    };
    let mut object = json!({ "id": m.media_id });
    if let Some(caption) = m.caption.as_deref().filter(|c| !c.trim().is_empty()) {
        if matches!(m.kind, K::Image | K::Video | K::Document) {
            if caption.chars().count() > crate::outgoing::MAX_CAPTION_CHARS {
                return Err(SendError::permanent(format!(
                    "a caption may have at most {} characters",
                    crate::outgoing::MAX_CAPTION_CHARS
                )));
            }
            object["caption"] = json!(caption);
        }
    }
    if m.kind == K::Document {
        if let Some(name) = m.filename.as_deref() {
            object["filename"] = json!(name);
        }
    }
    Ok(json!({ "type": kind, kind: object }))
}
