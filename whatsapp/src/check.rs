//! "Test connection": ask the provider, with the stored credentials, who this channel is and
//! whether it can send. Each way it can fail has its own [`CheckFailure`] so the settings page
//! can say what to fix (meta-cloud.md §15, whapi.md §3).

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How long a connection test waits for the provider.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(10);

/// What the provider said about a working channel.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionInfo {
    /// The number as the provider formats it (`+62 812-3450-0000`).
    pub display_phone: Option<String>,
    /// Meta: the verified business name; Whapi: the account's push name.
    pub name: Option<String>,
    /// Meta's quality rating (`GREEN`, `YELLOW`, `RED`, `NA`, `UNKNOWN`).
    pub quality: Option<String>,
    /// The provider's own state word (`CONNECTED`, `AUTH`).
    pub status: Option<String>,
}

/// Why a connection test failed. `reason` is the provider's own text, shown beside our
/// explanation (it is never a secret: providers do not echo tokens).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "failure", rename_all = "snake_case")]
pub enum CheckFailure {
    /// The token is invalid, expired or revoked (Meta 190, HTTP 401).
    #[error("access token invalid or expired: {reason}")]
    WrongToken { reason: String },
    /// Meta: the phone number id does not exist or this token cannot see it (100 / 33).
    #[error("phone number id not found or not accessible with this token: {reason}")]
    WrongNumber { reason: String },
    /// The token works but lacks a permission (Meta 10, 200–299).
    #[error("the token lacks a permission: {reason}")]
    MissingPermission { reason: String },
    /// The provider knows the number but it cannot send now (Meta status other than
    /// CONNECTED; Whapi not AUTH: waiting for a QR scan, stopped…).
    #[error("the number is not connected (status {status})")]
    NotConnected { status: String },
    /// The provider asked us to slow down.
    #[error("rate limited by the provider: {reason}")]
    RateLimited { reason: String },
    /// No answer within [`CHECK_TIMEOUT`].
    #[error("no answer from the provider within {seconds} s")]
    Timeout { seconds: u64 },
    /// The host could not be reached at all (DNS, refused, TLS).
    #[error("could not reach the provider: {reason}")]
    Unreachable { reason: String },
    /// Anything else the provider answered.
    #[error("the provider answered {reason}")]
    Other { reason: String },
}

impl CheckFailure {
    /// A stable code for storage and translation (`wrong_token`, `timeout`…).
    pub fn code(&self) -> &'static str {
        match self {
            CheckFailure::WrongToken { .. } => "wrong_token",
            CheckFailure::WrongNumber { .. } => "wrong_number",
            CheckFailure::MissingPermission { .. } => "missing_permission",
            CheckFailure::NotConnected { .. } => "not_connected",
            CheckFailure::RateLimited { .. } => "rate_limited",
            CheckFailure::Timeout { .. } => "timeout",
            CheckFailure::Unreachable { .. } => "unreachable",
            CheckFailure::Other { .. } => "other",
        }
    }

    /// The provider's own words (or ours, for transport failures).
    pub fn detail(&self) -> String {
        match self {
            CheckFailure::WrongToken { reason }
            | CheckFailure::WrongNumber { reason }
            | CheckFailure::MissingPermission { reason }
            | CheckFailure::RateLimited { reason }
            | CheckFailure::Unreachable { reason }
            | CheckFailure::Other { reason } => reason.clone(),
            CheckFailure::NotConnected { status } => status.clone(),
            CheckFailure::Timeout { seconds } => format!("{seconds} s"),
        }
    }

    pub(crate) fn from_transport(err: &reqwest::Error, timeout: Duration) -> CheckFailure {
        if err.is_timeout() {
            CheckFailure::Timeout {
                seconds: timeout.as_secs().max(1),
            }
        } else if err.is_connect() || err.is_builder() {
            // reqwest's Display omits the cause ("error sending request"): walk the chain.
            let mut reason = err.to_string();
            let mut source = std::error::Error::source(err);
            while let Some(s) = source {
                reason = format!("{reason}: {s}");
                source = s.source();
            }
            CheckFailure::Unreachable { reason }
        } else {
            CheckFailure::Other {
                reason: err.to_string(),
            }
        }
    }
}

/// GET `url` with the bearer token and read the JSON answer.
pub(crate) async fn get_json(
    client: &reqwest::Client,
    url: String,
    token: &str,
    timeout: Duration,
) -> Result<(reqwest::StatusCode, serde_json::Value, String), CheckFailure> {
    let resp = client
        .get(url)
        .bearer_auth(token)
        .header(reqwest::header::ACCEPT, "application/json")
        .timeout(timeout)
        .send()
        .await
        .map_err(|e| CheckFailure::from_transport(&e, timeout))?;
    let status = resp.status();
    let text = resp
        .text()
        .await
        .map_err(|e| CheckFailure::from_transport(&e, timeout))?;
    let body = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    Ok((status, body, text))
}
