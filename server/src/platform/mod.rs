//! The API for other software, over HTTP: every call carries an API key, never a session.
//!
//! - [`gateway`]: the endpoints of the WhatsApp gateways our users already script against, at
//!   the root and in their wire format (`/status`, `/send-message`, `/send-interactive`), so a
//!   script moves here by changing its base URL and key.
//! - [`device`]: the per-device forms of the second gateway, the key in the URL's path
//!   (`/api/services/whatsapp/chat/{channel}/{api_key}…`; `INBOX_API_KEY_IN_PATH=false` turns
//!   them off).
//! - [`rest`]: our own REST API under `/api/v1`, with its OpenAPI document and docs page.
//!
//! This file: the key of a call (`X-API-KEY`, `Authorization: Bearer`, `?api_key=`) and its
//! rate, errors in both wire shapes, and a send under `Idempotency-Key`.

pub mod device;
mod errors;
pub mod gateway;
pub mod rest;
mod send;

pub use errors::{ApiError, GatewayError, RestError, Shape};
pub use send::{send, SendRequest, Sent};

use app::ssr::AppState;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Router;
use inbox::api_keys::{Admission, ApiCaller};
use inbox::platform::ApiChannel;
use std::collections::HashMap;

/// The largest request body: a photo, voice note or video as base64 in JSON (WhatsApp's 16 MB
/// video is about 21.4 MB in base64). Larger documents go by link (`media.url`).
pub const MAX_BODY_BYTES: usize = 24 * 1024 * 1024;

pub fn routes(key_in_path: bool) -> Router<AppState> {
    let router = Router::new().merge(gateway::routes()).merge(rest::routes());
    let router = if key_in_path {
        router.merge(device::routes())
    } else {
        router
    };
    router.layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// Paths answered with an API key (never a session): exempt from the cross-site check.
pub fn key_authenticated(path: &str) -> bool {
    matches!(path, "/status" | "/send-message" | "/send-interactive")
        || path.starts_with("/api/v1/")
        || path.starts_with("/api/services/")
}

/// The key of a call: `X-API-KEY`, `Authorization: Bearer`, or `?api_key=`.
pub fn presented_key<'a>(
    headers: &'a HeaderMap,
    query: &'a HashMap<String, String>,
) -> Option<&'a str> {
    headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .or_else(|| {
            headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
        })
        .or_else(|| query.get("api_key").map(String::as_str))
        .map(str::trim)
        .filter(|k| !k.is_empty())
}

/// The caller behind `key`: 401 for none, an unknown or a revoked one; 429 over its rate.
pub async fn admit(state: &AppState, key: Option<&str>) -> Result<ApiCaller, ApiError> {
    let key = key.ok_or_else(ApiError::unauthorized)?;
    match inbox::api_keys::authenticate(&state.pool, &state.api_keys, key).await {
        Ok(Admission::Allowed(caller)) => Ok(caller),
        Ok(Admission::Limited(wait)) => Err(ApiError {
            // Rounded up: a client that waits this long is let in.
            retry_after: Some(wait.as_secs_f64().ceil().max(1.0) as u64),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "RATE_LIMITED",
                format!(
                    "Over this key's limit of {} requests a minute",
                    state.api_keys.rate_per_minute
                ),
            )
        }),
        Err(e) => Err(e.into()),
    }
}

/// The caller of a request with its key in a header or the query.
pub async fn caller(
    state: &AppState,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
) -> Result<ApiCaller, ApiError> {
    admit(state, presented_key(headers, query)).await
}

/// The channel a call is for (see `inbox::platform::channel`).
pub async fn channel(
    state: &AppState,
    caller: &ApiCaller,
    asked: Option<&str>,
) -> Result<ApiChannel, ApiError> {
    inbox::platform::choose_channel(&state.pool, caller, asked)
        .await
        .map_err(|e| match e {
            inbox::Error::NotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "CHANNEL_NOT_FOUND",
                "No such channel",
            ),
            e => e.into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_key_comes_from_the_header_the_bearer_or_the_query() {
        let mut h = HeaderMap::new();
        let mut q = HashMap::new();
        assert_eq!(presented_key(&h, &q), None);
        q.insert("api_key".to_owned(), "ik_q".to_owned());
        assert_eq!(presented_key(&h, &q), Some("ik_q"));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer ik_b"),
        );
        assert_eq!(presented_key(&h, &q), Some("ik_b"));
        h.insert("x-api-key", HeaderValue::from_static(" ik_h "));
        assert_eq!(presented_key(&h, &q), Some("ik_h"));
    }
}
