//! Whapi.Cloud adapter: configuration, the optional shared-secret webhook check, the
//! connection test, read receipts, typing, media download and upload. Webhook bodies are parsed
//! in `whapi/parse.rs`, sends made in `whapi/send.rs`, error answers mapped in
//! `whapi/errors.rs`.
//!
//! Reference: the shared provider notes, `whapi.md` (section numbers below).

mod errors;
mod parse;
mod send;

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::json;

use crate::check::{get_json, CheckFailure, ConnectionInfo};
use crate::error::{ParseError, SendError, VerifyError};
use crate::event::{MediaRef, ParseOutcome, ProviderKind};
use crate::media::{fetch_bytes, verified, Downloaded, MediaError};
use crate::outgoing::{Outgoing, Upload};
use crate::provider::{Capabilities, Provider, Recipient, SendReceipt};
use crate::signature::verify_shared_secret;
use crate::util::{execute, snippet, str_field, DEFAULT_SEND_TIMEOUT};
use errors::succeeded;
use send::recipient_id;

/// Settings for one Whapi channel.
#[derive(Clone, PartialEq, Eq)]
pub struct WhapiConfig {
    /// Default [`WhapiConfig::DEFAULT_BASE_URL`].
    pub base_url: String,
    /// Channel token (Bearer). Secret.
    pub token: String,
    /// Shared secret expected on webhooks (Whapi has no signatures, §4.2):
    /// configure it in `webhooks[].headers` as `X-Webhook-Secret`, or append
    /// `?secret=` to the webhook URL. `None` → webhooks are not checked. Secret.
    pub webhook_secret: Option<String>,
    /// Fallback channel key when a body lacks `channel_id`.
    pub channel_id: Option<String>,
}

impl WhapiConfig {
    pub const DEFAULT_BASE_URL: &'static str = "https://gate.whapi.cloud";
}

impl Default for WhapiConfig {
    fn default() -> Self {
        WhapiConfig {
            base_url: Self::DEFAULT_BASE_URL.to_owned(),
            token: String::new(),
            webhook_secret: None,
            channel_id: None,
        }
    }
}

impl fmt::Debug for WhapiConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WhapiConfig")
            .field("base_url", &self.base_url)
            .field("token", &crate::REDACTED)
            .field(
                "webhook_secret",
                &self.webhook_secret.as_ref().map(|_| crate::REDACTED),
            )
            .field("channel_id", &self.channel_id)
            .finish()
    }
}

/// Whapi.Cloud adapter.
#[derive(Debug, Clone)]
pub struct WhapiProvider {
    config: WhapiConfig,
    client: reqwest::Client,
    timeout: Duration,
}

impl WhapiProvider {
    pub fn new(config: WhapiConfig, client: reqwest::Client) -> Self {
        WhapiProvider {
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

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.base_url.trim_end_matches('/'))
    }

    /// A call to the channel's API: its token, JSON answers, the send timeout.
    fn request(
        &self,
        method: reqwest::Method,
        url: impl reqwest::IntoUrl,
    ) -> reqwest::RequestBuilder {
        self.client
            .request(method, url)
            .bearer_auth(&self.config.token)
            .header(reqwest::header::ACCEPT, "application/json")
            .timeout(self.timeout)
    }

    /// `{base}/{first}/{id}` with `id` percent-encoded as one path segment (message ids and
    /// chat ids may hold `@`, `/` or `+`).
    fn url_with_id(&self, first: &str, id: &str) -> Result<reqwest::Url, SendError> {
        let mut url = reqwest::Url::parse(self.config.base_url.trim_end_matches('/'))
            .map_err(|e| SendError::permanent(format!("Whapi base URL is not a URL: {e}")))?;
        url.path_segments_mut()
            .map_err(|_| SendError::permanent("Whapi base URL cannot take a path"))?
            .pop_if_empty()
            .push(first)
            .push(id);
        Ok(url)
    }

    pub fn config(&self) -> &WhapiConfig {
        &self.config
    }
}

#[async_trait]
impl Provider for WhapiProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Whapi
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
        parse::parse_body(raw_body, self.config.channel_id.as_deref())
    }

    /// `GET {base}/health` (whapi.md §3): `status.text` must be `AUTH`.
    async fn check(&self, timeout: std::time::Duration) -> Result<ConnectionInfo, CheckFailure> {
        let url = format!("{}/health", self.config.base_url.trim_end_matches('/'));
        let (status, body, text) = get_json(&self.client, url, &self.config.token, timeout).await?;
        if !status.is_success() {
            let reason = body
                .get("error")
                .and_then(|e| str_field(e, "message"))
                .unwrap_or_else(|| format!("HTTP {status}: {}", snippet(&text)));
            return Err(match status.as_u16() {
                401 | 403 => CheckFailure::WrongToken { reason },
                429 => CheckFailure::RateLimited { reason },
                _ => CheckFailure::Other { reason },
            });
        }
        // `status` is `{"code", "text"}`; key off `text` (§3). A plain string is accepted too.
        let state = body
            .get("status")
            .and_then(|s| str_field(s, "text").or_else(|| s.as_str().map(str::to_owned)));
        let user = body.get("user");
        let info = ConnectionInfo {
            display_phone: user.and_then(|u| str_field(u, "id")),
            name: user.and_then(|u| str_field(u, "name")),
            quality: None,
            status: state.clone(),
        };
        match state.as_deref() {
            Some("AUTH") => Ok(info),
            other => Err(CheckFailure::NotConnected {
                status: other.unwrap_or("unknown").to_owned(),
            }),
        }
    }

    /// `GET /users/login` (whapi.md §3): `{"status", "base64", "expire"}` while the channel waits
    /// for a scan; 409 once it is paired. Whether `base64` already carries the `data:` prefix is
    /// not documented: it is added only when missing.
    async fn pairing_qr(
        &self,
        timeout: std::time::Duration,
    ) -> Result<Option<String>, CheckFailure> {
        let url = format!("{}/users/login", self.config.base_url.trim_end_matches('/'));
        let (status, body, text) = get_json(&self.client, url, &self.config.token, timeout).await?;
        match status.as_u16() {
            200..=299 => {}
            409 => return Ok(None),
            401 | 403 => {
                return Err(CheckFailure::WrongToken {
                    reason: format!("HTTP {status}: {}", snippet(&text)),
                })
            }
            _ => {
                return Err(CheckFailure::Other {
                    reason: format!("HTTP {status}: {}", snippet(&text)),
                })
            }
        }
        Ok(str_field(&body, "base64")
            .filter(|b| !b.is_empty())
            .map(|b| match b.starts_with("data:") {
                true => b,
                false => format!("data:image/png;base64,{b}"),
            }))
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            read_receipts: true,
            typing: true,
            typing_stops: true,
            media: true,
            quotes: true,
            templates: false,
            interactive: true,
            reactions: true,
        }
    }

    /// `PUT {base}/messages/{MessageID}`, no body (§8.3). A 404 (the message is gone) counts
    /// as done: there is nothing left to mark.
    async fn mark_read(&self, _to: &Recipient, message_id: &str) -> Result<(), SendError> {
        let url = self.url_with_id("messages", message_id)?;
        let reply = execute(self.request(reqwest::Method::PUT, url)).await?;
        if reply.status == reqwest::StatusCode::NOT_FOUND {
            tracing::info!("whapi no longer knows the message to mark read; nothing to do");
            return Ok(());
        }
        succeeded(reply, "mark read").map(drop)
    }

    /// `PUT {base}/presences/{EntryID} {"presence": "typing" | "pause"}` (§8.4).
    async fn typing(&self, to: &Recipient, _last_inbound: &str, on: bool) -> Result<(), SendError> {
        let entry = recipient_id(to)?;
        let url = self.url_with_id("presences", &entry)?;
        let presence = if on { "typing" } else { "pause" };
        let req = self
            .request(reqwest::Method::PUT, url)
            .json(&json!({ "presence": presence }));
        succeeded(execute(req).await?, "presence").map(drop)
    }

    /// `POST {base}/messages/text` `{"to": digits, "body": text}` (§2.1).
    /// Whapi has no idempotency key: `idempotency_key` is unused (§6).
    /// whapi.md §8.6: the message's `link` (a storage URL; tried without the token, then with
    /// it when the link is on Whapi's own API host, never elsewhere), else `GET /media/{id}`
    /// with the token; 404 = expired.
    async fn download_media(
        &self,
        media: &MediaRef,
        max_bytes: u64,
    ) -> Result<Downloaded, MediaError> {
        let mut last = None;
        if let Some(link) = media.url.as_deref() {
            match fetch_bytes(self.client.get(link), max_bytes).await {
                Ok(d) => return verified(d, media.sha256.as_deref()),
                Err(MediaError::Refused(_))
                    if crate::util::same_origin(link, &self.config.base_url) =>
                {
                    match fetch_bytes(
                        self.client.get(link).bearer_auth(&self.config.token),
                        max_bytes,
                    )
                    .await
                    {
                        Ok(d) => return verified(d, media.sha256.as_deref()),
                        Err(e) => last = Some(e),
                    }
                }
                Err(e) => last = Some(e),
            }
        }
        let Some(id) = media.id.as_deref() else {
            return Err(last.unwrap_or_else(|| {
                MediaError::Unsupported("the message names no Whapi media".into())
            }));
        };
        if let Some(e @ (MediaError::TooLarge { .. } | MediaError::Temporary { .. })) = last {
            // The link answered; asking again by id cannot do better now.
            return Err(e);
        }
        let url = self
            .url_with_id("media", id)
            .map_err(|e| MediaError::Refused(e.reason))?;
        let d = fetch_bytes(
            self.client.get(url).bearer_auth(&self.config.token),
            max_bytes,
        )
        .await?;
        verified(d, media.sha256.as_deref())
    }

    async fn send_text(
        &self,
        to: &Recipient,
        text: &str,
        idempotency_key: &str,
    ) -> Result<SendReceipt, SendError> {
        self.send(to, &Outgoing::text(text), idempotency_key).await
    }

    /// `POST /media` (multipart; Whapi tells the type from the file name's extension) →
    /// `{"media": [{"id"}]}` (§8.1).
    async fn upload_media(&self, file: &Upload<'_>) -> Result<String, SendError> {
        let part = reqwest::multipart::Part::bytes(file.bytes.to_vec())
            .file_name(file.filename.to_owned())
            .mime_str(file.mime_type)
            .map_err(|e| SendError::permanent(format!("MIME type {:?}: {e}", file.mime_type)))?;
        let req = self
            .request(reqwest::Method::POST, self.url("/media"))
            .timeout(crate::media::DOWNLOAD_TIMEOUT)
            .multipart(reqwest::multipart::Form::new().part("media", part));
        let reply = succeeded(execute(req).await?, "media upload")?;
        reply
            .body
            .get("media")
            .and_then(|m| m.get(0))
            .and_then(|m| str_field(m, "id"))
            .ok_or_else(|| SendError {
                http_status: Some(reply.status.as_u16()),
                ..SendError::permanent(format!(
                    "Whapi answered the upload without a media id: {}",
                    snippet(&reply.body_text)
                ))
            })
    }

    /// `POST /messages/text {to, body}` or `POST /messages/{image|video|audio|voice|document|
    /// sticker} {to, media: <id>, caption?, filename?}`, with `quoted` for a quoted reply (§2.1,
    /// §8.1).
    async fn send(
        &self,
        to: &Recipient,
        message: &Outgoing,
        idempotency_key: &str,
    ) -> Result<SendReceipt, SendError> {
        self.send_message(to, message, idempotency_key).await
    }
}
