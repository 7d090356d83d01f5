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
pub mod gateway;
pub mod rest;

use app::ssr::AppState;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use inbox::api_keys::{Admission, ApiCaller};
use inbox::platform::idempotency::{self, Begun};
use inbox::platform::{ApiChannel, Outgoing};
use model::{ChatId, MessageView, Reason};
use serde_json::{json, Value};
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

/// Which wire shape errors take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// The seed gateway's `{"success": false, "error": "CODE", "message": "…"}`, client errors
    /// as 400 (and 401, 403, 404, 429) as the seed answers them.
    Gateway,
    /// Ours: `{"error": {"code", "message", "field"}}` with the precise status (422, 409, …).
    Rest,
}

/// A refused or failed API call.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    /// `BUTTON_LIMIT_EXCEEDED`, `INVALID_PHONE`, …
    pub code: String,
    pub message: String,
    pub field: Option<String>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: code.to_owned(),
            message: message.into(),
            field: None,
            retry_after: None,
        }
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "A valid API key is required (X-API-KEY header, Bearer token or api_key parameter)",
        )
    }

    pub fn bad_request(code: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// The status and body in `shape`.
    pub fn parts(&self, shape: Shape) -> (StatusCode, Value) {
        match shape {
            Shape::Gateway => {
                let status = match self.status.as_u16() {
                    401 | 403 | 404 | 429 | 500.. => self.status,
                    _ => StatusCode::BAD_REQUEST,
                };
                // Exactly the seed's body: scripts may compare it whole.
                let body = json!({ "success": false, "error": self.code, "message": self.message });
                (status, body)
            }
            Shape::Rest => (
                self.status,
                json!({ "error": { "code": self.code.to_ascii_lowercase(), "message": self.message, "field": self.field } }),
            ),
        }
    }

    pub fn into_response(self, shape: Shape) -> Response {
        let retry_after = self.retry_after;
        let (status, body) = self.parts(shape);
        let mut res = (status, axum::Json(body)).into_response();
        if let Some(secs) = retry_after {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        res
    }
}

impl From<inbox::Error> for ApiError {
    fn from(e: inbox::Error) -> ApiError {
        use inbox::Error as E;
        let invalid = |code: &str, message: &str| {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
        };
        match e {
            E::Unauthenticated | E::BadCredentials => ApiError::unauthorized(),
            E::Forbidden => ApiError::new(
                StatusCode::FORBIDDEN,
                "FORBIDDEN",
                "This API key may not use that channel",
            ),
            E::NotFound => ApiError::new(StatusCode::NOT_FOUND, "NOT_FOUND", "Not found"),
            E::TooManyRequests { retry_after_secs } => ApiError {
                retry_after: Some(retry_after_secs),
                ..ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "RATE_LIMITED",
                    "Too many requests",
                )
            },
            E::Invalid { field, reason } => {
                let mut err = match reason {
                    Reason::PhoneInvalid => invalid("INVALID_PHONE", "Invalid phone number"),
                    Reason::ButtonLimitExceeded => invalid(
                        "BUTTON_LIMIT_EXCEEDED",
                        "Maximum 3 buttons allowed per message",
                    ),
                    Reason::ButtonParams => invalid(
                        "INVALID_BUTTON_PARAMS",
                        &format!("Invalid button parameters: {field}"),
                    ),
                    Reason::QuoteNotFound => ApiError::new(
                        StatusCode::NOT_FOUND,
                        "MESSAGE_NOT_FOUND",
                        "The message to reply to is not in this chat",
                    ),
                    Reason::ChannelRequired => invalid(
                        "CHANNEL_REQUIRED",
                        "Several channels are connected: name one with the channel parameter",
                    ),
                    Reason::IdempotencyKeyReused => invalid(
                        "IDEMPOTENCY_KEY_REUSED",
                        "This Idempotency-Key was used with another request body",
                    ),
                    other => invalid(
                        &other.code().to_ascii_uppercase(),
                        &format!("{field} refused: {}", other.code()),
                    ),
                };
                err.field = Some(field.into_owned());
                err
            }
            E::Conflict(reason) => match reason {
                Reason::Outside24hWindow => ApiError::new(
                    StatusCode::CONFLICT,
                    "OUTSIDE_24H_WINDOW",
                    "More than 24 hours since the customer's last message: send a template",
                ),
                Reason::ChannelDisabled => ApiError::new(
                    StatusCode::CONFLICT,
                    "CHANNEL_NOT_CONNECTED",
                    "The channel is disabled",
                ),
                other => ApiError::new(
                    StatusCode::CONFLICT,
                    &other.code().to_ascii_uppercase(),
                    other.code(),
                ),
            },
            internal @ (E::Db { .. } | E::Other(_)) => {
                tracing::error!(error = ?internal, "API call failed");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL_ERROR",
                    "Something went wrong on our side",
                )
            }
        }
    }
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

/// What was queued, for the caller's answer.
pub struct Sent<'a> {
    pub chat_id: ChatId,
    pub messages: &'a [MessageView],
    pub to: &'a str,
}

/// A send as the request asked it: the raw request (for `Idempotency-Key`), what to send,
/// and how to answer.
pub struct SendRequest<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    pub shape: Shape,
}

/// Queues `outgoing` for `caller` under the request's `Idempotency-Key` (if any), answering
/// `render`'s body with 200, or the refusal in the request's shape. With a key, the answer
/// (success or refusal) is kept with the send in one transaction and given again to a retry
/// with the same body: nothing is sent twice. A file the send brought is removed from the
/// store again when nothing ended up using it.
pub async fn send(
    state: &AppState,
    caller: &ApiCaller,
    req: SendRequest<'_>,
    outgoing: &Outgoing,
    render: impl FnOnce(Sent<'_>) -> Value,
) -> Response {
    let answer = send_inner(state, caller, &req, outgoing, render).await;
    // A file kept for a send that did not use it (refused, or a replay) leaves the store,
    // unless a message holds it.
    if let inbox::platform::Content::File { file, .. } = &outgoing.content {
        inbox::media::discard_unindexed(&state.pool, &state.media, &file.sha256).await;
    }
    match answer {
        Ok((status, body)) => (status, axum::Json(body)).into_response(),
        Err(e) => e.into_response(req.shape),
    }
}

async fn send_inner(
    state: &AppState,
    caller: &ApiCaller,
    req: &SendRequest<'_>,
    outgoing: &Outgoing,
    render: impl FnOnce(Sent<'_>) -> Value,
) -> Result<(StatusCode, Value), ApiError> {
    let key = match req.headers.get("idempotency-key") {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .map(str::trim)
                .filter(|k| !k.is_empty() && k.chars().count() <= idempotency::MAX_KEY_CHARS)
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "INVALID_IDEMPOTENCY_KEY",
                        "Idempotency-Key must be 1 to 255 visible characters",
                    )
                })?
                .to_owned(),
        ),
    };
    // Retries of one key in this process wait here, without holding a database connection;
    // the database's own wait (below) covers retries that reach another process.
    let _turn = match &key {
        Some(k) => Some(same_key_turn(caller.api_key_id, k).await),
        None => None,
    };
    let mut tx = state.pool.begin().await.map_err(inbox::Error::from)?;
    if let Some(key) = &key {
        // The channel a call resolved to is part of the request (a `channel` query parameter
        // is not in the body).
        let path = format!("{}#channel={}", req.path, outgoing.channel_id);
        let fingerprint = idempotency::fingerprint(req.method, &path, req.body);
        match idempotency::begin(&mut tx, caller.api_key_id, key, &fingerprint).await? {
            Begun::New => {}
            Begun::Replay { status, body } => {
                return Ok((StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body))
            }
            Begun::Mismatch => {
                return Err(
                    inbox::Error::invalid("Idempotency-Key", Reason::IdempotencyKeyReused).into(),
                )
            }
        }
    }
    // The send in a savepoint: a refusal undoes its partial work (a chat it started) while the
    // refusal itself can still be kept as the key's answer.
    let mut attempt = sqlx::Acquire::begin(&mut tx)
        .await
        .map_err(inbox::Error::from)?;
    let result = inbox::platform::send::send_in(
        &mut attempt,
        (&state.channels, &state.media),
        caller,
        outgoing,
    )
    .await;
    let (status, body) = match result {
        Ok((chat_id, messages)) => {
            attempt.commit().await.map_err(inbox::Error::from)?;
            let to = inbox::platform::send::recipient(&outgoing.to)?;
            let body = render(Sent {
                chat_id,
                messages: &messages,
                to: &to,
            });
            (StatusCode::OK, body)
        }
        Err(e) if e.is_internal() => return Err(e.into()),
        // A refusal that depends on the moment (the channel disabled, Meta's window closed, the
        // quoted message not there yet) is not kept: a retry after it is fixed sends.
        Err(e @ (inbox::Error::Conflict(_) | inbox::Error::NotFound)) => return Err(e.into()),
        Err(
            e @ inbox::Error::Invalid {
                reason: Reason::QuoteNotFound,
                ..
            },
        ) => return Err(e.into()),
        Err(e) => {
            attempt.rollback().await.map_err(inbox::Error::from)?;
            ApiError::from(e).parts(req.shape)
        }
    };
    if let Some(key) = &key {
        idempotency::finish(&mut tx, caller.api_key_id, key, status.as_u16(), &body).await?;
    }
    tx.commit().await.map_err(inbox::Error::from)?;
    Ok((status, body))
}

/// One turn at a time per (API key, Idempotency-Key) in this process.
async fn same_key_turn(api_key_id: i64, key: &str) -> tokio::sync::OwnedMutexGuard<()> {
    type Turns = std::sync::Mutex<HashMap<(i64, String), std::sync::Weak<tokio::sync::Mutex<()>>>>;
    static TURNS: std::sync::LazyLock<Turns> = std::sync::LazyLock::new(Default::default);
    let turn = {
        let mut turns = TURNS.lock().unwrap_or_else(|p| p.into_inner());
        // Keys nobody waits on any more are forgotten as the map grows.
        if turns.len() > 1024 {
            turns.retain(|_, t| t.strong_count() > 0);
        }
        let slot = turns.entry((api_key_id, key.to_owned())).or_default();
        match slot.upgrade() {
            Some(t) => t,
            None => {
                let t = std::sync::Arc::new(tokio::sync::Mutex::new(()));
                *slot = std::sync::Arc::downgrade(&t);
                t
            }
        }
    };
    turn.lock_owned().await
}

/// An API error as an axum answer in the gateway's shape.
pub struct GatewayError(pub ApiError);

impl IntoResponse for GatewayError {
    fn into_response(self) -> Response {
        self.0.into_response(Shape::Gateway)
    }
}

impl<E: Into<ApiError>> From<E> for GatewayError {
    fn from(e: E) -> Self {
        GatewayError(e.into())
    }
}

/// An API error as an axum answer in the REST API's shape.
pub struct RestError(pub ApiError);

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        self.0.into_response(Shape::Rest)
    }
}

impl<E: Into<ApiError>> From<E> for RestError {
    fn from(e: E) -> Self {
        RestError(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fourth_button_is_the_seeds_error_body() {
        let e: ApiError = inbox::Error::invalid("buttons", Reason::ButtonLimitExceeded).into();
        let (status, body) = e.parts(Shape::Gateway);
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body,
            json!({ "success": false, "error": "BUTTON_LIMIT_EXCEEDED", "message": "Maximum 3 buttons allowed per message" })
        );
        let (status, body) = e.parts(Shape::Rest);
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"]["code"], "button_limit_exceeded");
    }

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
