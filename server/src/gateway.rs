//! The gateway-compatible endpoints, at the root, in the wire format of the WhatsApp gateways
//! our users already script against (shared/whatsapp/gateways.md §4), so a script moves here
//! by changing only its base URL and key. Every call carries an API key (`X-API-KEY`,
//! `?api_key=` or `Authorization: Bearer`); errors come in the seed's shape
//! `{"success": false, "error": "CODE", "message": "…"}`.
//!
//! So far: `GET /status`. The channel is the `channel` parameter (its name or id); without it,
//! the key's only channel, else the only enabled channel that is not the sandbox.

use app::ssr::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use inbox::api_keys::ApiCaller;
use model::{ChannelHealth, ChannelKind, ChannelView};
use serde_json::json;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new().route("/status", get(status))
}

/// A refusal in the seed's shape.
pub struct GatewayError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl GatewayError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        GatewayError {
            status,
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for GatewayError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({ "success": false, "error": self.code, "message": self.message })),
        )
            .into_response()
    }
}

fn internal(e: impl std::fmt::Display) -> GatewayError {
    tracing::error!(error = %e, "gateway call failed");
    GatewayError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL_ERROR",
        "Something went wrong on our side",
    )
}

/// The key of the call: `X-API-KEY`, `Authorization: Bearer`, or `?api_key=`.
fn presented_key<'a>(
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

/// The caller, or 401 for no key, an unknown one or a revoked one.
pub async fn caller(
    state: &AppState,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
) -> Result<ApiCaller, GatewayError> {
    let unauthorized = || {
        GatewayError::new(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "A valid API key is required (X-API-KEY header, Bearer token or api_key parameter)",
        )
    };
    let key = presented_key(headers, query).ok_or_else(unauthorized)?;
    match inbox::api_keys::authenticate(&state.pool, &state.api_keys, key).await {
        Ok(caller) => Ok(caller),
        Err(inbox::Error::Unauthenticated) => Err(unauthorized()),
        Err(e) => Err(internal(e)),
    }
}

/// The channel a call is for (see the module's rule), checked against the key.
pub async fn channel(
    state: &AppState,
    caller: &ApiCaller,
    asked: Option<&str>,
) -> Result<ChannelView, GatewayError> {
    let all = state.channels.views().await.map_err(internal)?;
    let chosen = match asked.map(str::trim).filter(|a| !a.is_empty()) {
        Some(asked) => all
            .into_iter()
            .find(|c| c.name == asked || c.channel_id.0.to_string() == asked),
        None => {
            let candidates: Vec<ChannelView> = match &caller.channel_ids {
                Some(ids) if ids.len() == 1 => {
                    all.into_iter().filter(|c| c.channel_id == ids[0]).collect()
                }
                _ => all
                    .into_iter()
                    .filter(|c| c.enabled && c.kind != ChannelKind::Sandbox)
                    .filter(|c| caller.may_use(c.channel_id))
                    .collect(),
            };
            if candidates.len() > 1 {
                return Err(GatewayError::new(
                    StatusCode::BAD_REQUEST,
                    "CHANNEL_REQUIRED",
                    "Several channels are connected: name one with the channel parameter",
                ));
            }
            candidates.into_iter().next()
        }
    };
    let chosen = chosen.ok_or_else(|| {
        GatewayError::new(
            StatusCode::NOT_FOUND,
            "CHANNEL_NOT_FOUND",
            "No such channel",
        )
    })?;
    if !caller.may_use(chosen.channel_id) {
        return Err(GatewayError::new(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "This API key may not use that channel",
        ));
    }
    Ok(chosen)
}

/// `GET /status` → `{"isConnected", "status", "phoneNumber", "pushName"}`: connected when the
/// channel is enabled and its last connection test passed.
async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<serde_json::Value>, GatewayError> {
    let caller = caller(&state, &headers, &query).await?;
    let channel = channel(&state, &caller, query.get("channel").map(String::as_str)).await?;
    let (connected, status) = match (&channel.health, channel.enabled) {
        (_, false) => (false, "disabled"),
        (ChannelHealth::Connected { .. }, true) => (true, "connected"),
        (ChannelHealth::Failed { .. } | ChannelHealth::Unreadable, true) => (false, "disconnected"),
        (ChannelHealth::Untested, true) => (false, "unknown"),
    };
    let phone: Option<String> = channel
        .display_phone
        .as_deref()
        .map(|p| p.chars().filter(char::is_ascii_digit).collect());
    Ok(Json(json!({
        "isConnected": connected,
        "status": status,
        "phoneNumber": phone,
        "pushName": channel.name,
    })))
}
