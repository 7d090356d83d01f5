//! The [`Provider`] trait every adapter implements, plus the send-side value
//! types [`Recipient`] and [`SendReceipt`].

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::check::{CheckFailure, ConnectionInfo};
use crate::error::{ParseError, SendError, VerifyError};
use crate::event::{MediaRef, ParseOutcome, ProviderKind};
use crate::media::{Downloaded, MediaError};
use crate::outgoing::{Content, Outgoing, Upload};

/// Who to send to. At least one field must be set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Recipient {
    /// Canonical digits, country code first (`6281298765432`); see
    /// [`crate::phone::normalize_phone`].
    pub phone: Option<String>,
    /// Opaque id when there is no phone: Meta BSUID (`ID.1349…`), or a chat
    /// id/JID for Whapi (`…@lid`).
    pub user_id: Option<String>,
}

impl Recipient {
    /// Recipient by phone digits.
    pub fn phone(digits: impl Into<String>) -> Self {
        Recipient {
            phone: Some(digits.into()),
            user_id: None,
        }
    }

    /// Recipient by opaque user id only.
    pub fn user_id(id: impl Into<String>) -> Self {
        Recipient {
            phone: None,
            user_id: Some(id.into()),
        }
    }
}

/// A provider accepted the message (accepted ≠ delivered: delivery arrives
/// later as [`crate::StatusUpdate`]s keyed by `provider_message_id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendReceipt {
    pub provider_message_id: String,
}

/// What a provider can do besides sending text; the inbox queues only what it can.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities {
    /// [`Provider::mark_read`] works (blue ticks for the customer).
    pub read_receipts: bool,
    /// [`Provider::typing`] with `on = true` shows "typing…".
    pub typing: bool,
    /// [`Provider::typing`] with `on = false` takes "typing…" away; otherwise it ends by
    /// itself (Meta: after about 25 s, or when our reply arrives).
    pub typing_stops: bool,
    /// [`Provider::upload_media`] and media in [`Provider::send`] work.
    pub media: bool,
    /// [`Outgoing::reply_to`] is carried (the customer sees the quote).
    pub quotes: bool,
    /// [`Provider::templates`] lists the account's message templates and [`Content::Template`]
    /// sends them (Meta).
    pub templates: bool,
    /// [`Content::Interactive`] goes out as real buttons and lists (Meta, Whapi); elsewhere the
    /// caller sends [`Interactive::numbered_text`](crate::Interactive::numbered_text) instead.
    pub interactive: bool,
    /// [`Content::Reaction`]: an agent can react to a customer's message (Meta, Whapi).
    pub reactions: bool,
}

/// One WhatsApp provider account/channel. Object safe: hold it as
/// `Arc<dyn Provider>`.
///
/// Webhook flow for callers: take the body as raw bytes → [`verify`](Self::verify)
/// (401 on error) → persist raw → [`parse`](Self::parse) (400 on error) →
/// answer 200 fast → process events idempotently.
#[async_trait]
pub trait Provider: Send + Sync + std::fmt::Debug {
    /// Which provider family this is.
    fn kind(&self) -> ProviderKind;

    /// Authenticate a webhook request **before** parsing, over the exact raw
    /// body bytes. `query` is the raw query string without `?` (or `None`).
    ///
    /// - Meta: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app_secret, body)>`;
    ///   missing, malformed or wrong → error; no app secret configured → error.
    /// - Whapi / Qontak (no signatures exist): if a webhook secret is
    ///   configured it must be sent as `X-Webhook-Secret`, `X-Inbox-Secret`,
    ///   `Authorization: Bearer <secret>` or `?secret=`; not configured → accept.
    /// - WAHA: `X-Webhook-Hmac` hex HMAC-SHA512 when a key is configured.
    /// - Generic gateway: `X-Signature` hex HMAC-SHA256 when a secret is configured.
    fn verify(
        &self,
        headers: &http::HeaderMap,
        query: Option<&str>,
        raw_body: &[u8],
    ) -> Result<(), VerifyError>;

    /// Turn a webhook body into neutral events. `Err` only when the body is not
    /// JSON or not this provider's shape at all; individual bad items become
    /// [`ParseOutcome::rejected`] reasons next to the good events.
    fn parse(&self, raw_body: &[u8]) -> Result<ParseOutcome, ParseError>;

    /// A subscription handshake on `GET` of the webhook URL (Meta's `hub.*`, meta-cloud.md
    /// §2.1): the challenge to echo, or `None` (answer 403). Providers without one: `None`.
    fn handshake(&self, _mode: &str, _token: &str, _challenge: &str) -> Option<String> {
        None
    }

    /// Whether this provider signs its webhooks (then [`verify`](Self::verify) checks the
    /// signature on every route). Unsigned providers are authenticated by a secret in the URL
    /// or a header: on a channel's own route (`/webhooks/{key}`) the key is that secret.
    fn signs_webhooks(&self) -> bool {
        false
    }

    /// Whether one channel's webhook carries events of other numbers too, told apart by
    /// their `channel_key` (Meta: every number of the app). Otherwise every event of a
    /// channel's webhook belongs to that channel.
    fn webhook_numbers_vary(&self) -> bool {
        false
    }

    /// "Test connection": asks the provider, with these credentials, who the number is and
    /// whether it can send (see [`crate::check`]), waiting at most `timeout`
    /// ([`crate::CHECK_TIMEOUT`] is a good default).
    async fn check(&self, timeout: std::time::Duration) -> Result<ConnectionInfo, CheckFailure> {
        Err(CheckFailure::Other {
            reason: format!(
                "testing a {:?} channel is not supported yet (asked to answer within {timeout:?})",
                self.kind()
            ),
        })
    }

    /// For a linked device waiting to be paired: the QR code to scan, as a `data:` URL, or
    /// `None` when the channel is not waiting for one (or the provider pairs no devices).
    async fn pairing_qr(
        &self,
        _timeout: std::time::Duration,
    ) -> Result<Option<String>, CheckFailure> {
        Ok(None)
    }

    /// What this provider can do besides sending text (see [`Capabilities`]).
    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }

    /// Marks the customer's message `message_id` (the provider's id of an inbound message)
    /// read, and the earlier ones with it: the customer sees blue ticks. Errors map as for
    /// [`send_text`](Self::send_text); a message the provider no longer knows counts as done.
    async fn mark_read(&self, _to: &Recipient, _message_id: &str) -> Result<(), SendError> {
        Err(SendError::permanent(format!(
            "read receipts are not supported on {:?}",
            self.kind()
        )))
    }

    /// Shows the customer "typing…" (`on`), or takes it away where the provider can
    /// ([`Capabilities::typing_stops`]). `last_inbound` is the provider's id of the
    /// customer's latest message (Meta shows typing only together with a read receipt of it).
    async fn typing(
        &self,
        _to: &Recipient,
        _last_inbound: &str,
        _on: bool,
    ) -> Result<(), SendError> {
        Err(SendError::permanent(format!(
            "typing indicators are not supported on {:?}",
            self.kind()
        )))
    }

    /// Downloads the file of a customer's media message, at most `max_bytes` (see
    /// [`crate::media::max_bytes`]), checked against the provider's checksum when it gave one.
    /// Meta: the media id → a URL valid 5 minutes → the file, both with the token. Whapi: the
    /// message's `link`, else `GET /media/{id}`.
    async fn download_media(
        &self,
        _media: &MediaRef,
        _max_bytes: u64,
    ) -> Result<Downloaded, MediaError> {
        Err(MediaError::Unsupported(format!(
            "downloading media is not supported on {:?}",
            self.kind()
        )))
    }

    /// Hands a file to the provider before it is sent; returns the provider's media id for
    /// [`Content::Media`]. Meta: `POST /{phone-number-id}/media` (kept 30 days); Whapi:
    /// `POST /media`. Errors map as for [`send_text`](Self::send_text).
    async fn upload_media(&self, _file: &Upload<'_>) -> Result<String, SendError> {
        Err(SendError::permanent(format!(
            "sending files is not supported on {:?}",
            self.kind()
        )))
    }

    /// Sends a text or a file, optionally quoting a customer's message. The default sends plain
    /// text through [`send_text`](Self::send_text) and refuses the rest; adapters that can do
    /// more override it (see [`Capabilities`]).
    async fn send(
        &self,
        to: &Recipient,
        message: &Outgoing,
        idempotency_key: &str,
    ) -> Result<SendReceipt, SendError> {
        match (&message.content, &message.reply_to) {
            (Content::Text(text), None) => self.send_text(to, text, idempotency_key).await,
            (Content::Text(_), Some(_)) => Err(SendError::permanent(format!(
                "quoted replies are not supported on {:?}",
                self.kind()
            ))),
            (Content::Media(_), _) => Err(SendError::permanent(format!(
                "sending files is not supported on {:?}",
                self.kind()
            ))),
            (Content::Template(_), _) => Err(SendError::permanent(format!(
                "message templates are not supported on {:?}",
                self.kind()
            ))),
            (Content::Interactive(_), _) => Err(SendError::permanent(format!(
                "buttons and lists are not supported on {:?}",
                self.kind()
            ))),
            (Content::Reaction { .. }, _) => Err(SendError::permanent(format!(
                "reactions are not supported on {:?}",
                self.kind()
            ))),
        }
    }

    /// The account's message templates, every page (Meta: `GET /{waba-id}/message_templates`,
    /// meta-cloud.md §12.1). Errors map as for [`send_text`](Self::send_text).
    async fn templates(&self) -> Result<Vec<crate::templates::Template>, SendError> {
        Err(SendError::permanent(format!(
            "message templates are not supported on {:?}",
            self.kind()
        )))
    }

    /// Send one plain-text message (≤ 4096 characters; see [`crate::split_text`]).
    ///
    /// # Error mapping
    ///
    /// Meta classifies on `error.code` first (meta-cloud.md §6.1: "branch on
    /// `error.code`, not on HTTP status"), then falls back to HTTP status.
    ///
    /// | Condition | Kind | Source |
    /// |---|---|---|
    /// | connection refused / DNS failure (request never sent) | Retryable, `maybe_sent = false` | — |
    /// | timeout (15 s per request) or connection lost mid-request | Retryable, `maybe_sent = true` | — |
    /// | Meta `130429` throughput, `131056` pair rate (`retry_after` ≥ 6 s), `4` app rate, `80007` WABA rate | Retryable | meta-cloud.md §6.2, §7 |
    /// | Meta `131000`, `1`, `2`, `131016`, `133004` (temporary/unknown), `131057` maintenance (`retry_after` 60 s) | Retryable | §6.2 |
    /// | Meta `131047` 24 h window closed (send a template) | Permanent | §5.4, §6.2 |
    /// | Meta `131026` undeliverable, `131049`/`131050` marketing limits, `130403`, `130472`, `131062` (BSUID not allowed) | Permanent | §6.2 |
    /// | Meta `100`, `131008`, `131009`, `135000`, `131021`, `131051`, `131052`, `131053`, `132xxx` (request/template bugs) | Permanent | §6.2, §5.3 |
    /// | Meta `0`, `190`, `3`, `10`, `200`–`299`, `131005` (auth/permission), `131031`, `368`, `131048`, `131064`, `131037`, `131045`, `133010` (account state) | Permanent | §1, §6.2 |
    /// | any other code / no error body: HTTP 429 or 5xx | Retryable (`Retry-After` honoured) | — |
    /// | any other code / no error body: other non-2xx (401, 403, 404 …) | Permanent | — |
    /// | Whapi HTTP 400, 401 (channel not logged in), 402 (trial limit), 403, 404, 413, other 4xx | Permanent | whapi.md §2.1 |
    /// | Whapi HTTP 429, 5xx | Retryable (`Retry-After` honoured; 5xx `maybe_sent = true`) | whapi.md §2.1, §6 |
    /// | 2xx without a message id | Permanent, `maybe_sent = true` (do not blindly resend) | — |
    /// | empty text or > 4096 characters, recipient without phone/id | Permanent (nothing sent) | meta-cloud.md §5.1 |
    /// | Qontak, WAHA, generic gateway | Permanent "sending through … is not supported yet" | — |
    ///
    /// `code` is the provider's error code as a string (Meta `"131047"`), or
    /// the HTTP status when the body has none; `reason` is the provider's own
    /// message (Meta `error.message`, Whapi `error.message`); `detail` carries
    /// Meta `error_data.details` / Whapi `error.details`.
    ///
    /// # Idempotency (`idempotency_key`)
    ///
    /// **No supported provider deduplicates sends.** Posting the same message
    /// twice delivers it twice. What each adapter does with the key:
    ///
    /// - **Meta**: sent as `biz_opaque_callback_data` (meta-cloud.md §5.1),
    ///   which Meta echoes on every status webhook for that message (§4, source M12)
    ///   and which we surface as [`crate::StatusUpdate::callback_data`]. This is
    ///   correlation, not deduplication: after an ambiguous failure
    ///   (`maybe_sent`), a `sent`/`delivered` status carrying the key proves the
    ///   first attempt went out and gives its wamid. Meta has no history API
    ///   (§2.2), so that webhook is the only proof.
    /// - **Whapi**: the send API has no idempotency key or client id (whapi.md
    ///   §6: "a send retried after a timeout/500 may produce two WhatsApp
    ///   messages"); the key is ignored. Reconcile via the `from_me` echo
    ///   ([`crate::InboundEvent::Echo`]) or `GET /messages/list/{ChatID}` before resending.
    /// - **Qontak** (qontak.md §6: "sending has no idempotency key"), **WAHA**,
    ///   **generic gateway** (gateways.md §5): not implemented here.
    ///
    /// So the outbox should retry freely only when `maybe_sent == false`, and
    /// otherwise wait for a status/echo before resending.
    async fn send_text(
        &self,
        to: &Recipient,
        text: &str,
        idempotency_key: &str,
    ) -> Result<SendReceipt, SendError>;
}
