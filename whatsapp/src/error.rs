//! Error types returned by the [`crate::Provider`] methods: [`VerifyError`]
//! (answer 401), [`ParseError`] (answer 400) and [`SendError`] (classified as
//! retryable or permanent so the outbox knows what to do).

use std::time::Duration;

/// The webhook request is not authentic. Answer **401** and log the reason
/// (the reason never contains secrets or expected values).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The signature / secret header (or query parameter) is absent.
    #[error("missing {0}")]
    Missing(&'static str),
    /// Present but not in the expected format (e.g. no `sha256=` prefix, bad hex).
    #[error("malformed {0}")]
    Malformed(&'static str),
    /// Well-formed but does not match.
    #[error("{0} does not match")]
    Mismatch(&'static str),
    /// The adapter has no secret configured although the provider signs its
    /// webhooks (Meta app secret): refuse rather than accept unsigned data.
    #[error("no {0} configured; refusing unverifiable webhook")]
    NotConfigured(&'static str),
}

/// The body is not JSON, or not the provider's shape at all. Answer **400**
/// with `to_string()` as the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("body is not valid JSON: {0}")]
    NotJson(String),
    #[error("body is not a {provider} webhook: {reason}")]
    WrongShape {
        provider: &'static str,
        reason: String,
    },
}

impl ParseError {
    pub(crate) fn shape(provider: &'static str, reason: impl Into<String>) -> Self {
        ParseError::WrongShape {
            provider,
            reason: reason.into(),
        }
    }
}

/// Should the outbox try the same send again?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SendErrorKind {
    /// Transient (network, timeout, 5xx, rate limit): retry with backoff,
    /// honouring [`SendError::retry_after`] when set.
    Retryable,
    /// Retrying the same request cannot succeed (bad number, 24 h window
    /// closed, auth/config problem, unsupported provider): surface to the agent.
    Permanent,
}

/// A failed `send_text`. See the mapping table on [`crate::Provider::send_text`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind:?} send error{}: {reason}", code.as_deref().map(|c| format!(" {c}")).unwrap_or_default())]
pub struct SendError {
    pub kind: SendErrorKind,
    /// Provider error code (Meta `error.code`, Whapi `error.code`) or, when the
    /// body has none, the HTTP status; `None` for local/network failures.
    pub code: Option<String>,
    /// Human-readable reason: the provider's own message when it gave one.
    pub reason: String,
    /// Extra provider detail (Meta `error_data.details`, Whapi `error.details`).
    pub detail: Option<String>,
    /// HTTP status of the provider response, if there was one.
    pub http_status: Option<u16>,
    /// `true` when the provider may have accepted the message despite the
    /// error (timeout after connecting, 5xx, unreadable 2xx): a blind retry
    /// can deliver it twice. `false` when it certainly was not sent
    /// (connection refused, provider rejected it with a 4xx/error code).
    pub maybe_sent: bool,
    /// How long to wait before retrying, when the provider said so
    /// (`Retry-After`) or its docs prescribe a minimum (Meta pair rate limit).
    pub retry_after: Option<Duration>,
}

impl SendError {
    /// A permanent error with no provider code (local validation, config).
    pub fn permanent(reason: impl Into<String>) -> Self {
        SendError {
            kind: SendErrorKind::Permanent,
            code: None,
            reason: reason.into(),
            detail: None,
            http_status: None,
            retry_after: None,
            maybe_sent: false,
        }
    }

    /// A retryable error with no provider code (network, timeout).
    pub fn retryable(reason: impl Into<String>) -> Self {
        SendError {
            kind: SendErrorKind::Retryable,
            ..SendError::permanent(reason)
        }
    }

    /// `kind == Retryable`.
    pub fn is_retryable(&self) -> bool {
        self.kind == SendErrorKind::Retryable
    }

    pub(crate) fn unsupported(provider: &str) -> Self {
        SendError::permanent(format!("sending through {provider} is not supported yet"))
    }

    /// Classify a transport-level reqwest failure (no HTTP response, or the
    /// body could not be read).
    pub(crate) fn from_transport(err: &reqwest::Error) -> Self {
        if err.is_builder() {
            // Bad URL or similar: retrying the same request cannot help.
            return SendError::permanent(format!("could not build request: {err}"));
        }
        // Timeouts and resets after connecting: the message may or may not
        // have left; see the idempotency notes on send_text.
        if err.is_connect() {
            // Never reached the provider (refused, DNS, TLS, connect timeout).
            return SendError::retryable(format!("could not connect: {err}"));
        }
        let what = if err.is_timeout() {
            "request timed out"
        } else {
            "network error"
        };
        SendError {
            maybe_sent: true,
            ..SendError::retryable(format!("{what}: {err}"))
        }
    }
}
