//! The gateway-compatible endpoints, at the root, in the wire format of the WhatsApp gateway our
//! users already script against (shared/whatsapp/gateways.md §4), so a script moves here by
//! changing only its base URL and key:
//!
//! - `GET /status` → `{"isConnected", "status", "phoneNumber", "pushName"}`, or for a linked
//!   device waiting to be paired `{"isConnected": false, "status": "qr_ready", "qr": "data:…"}`;
//! - `POST /send-message` `{"to", "message", "reply_to_id"?}` → `{"success": true, "messageId",
//!   "to", "message"}`;
//! - `POST /send-interactive`, buttons or a list in either of the seed's shapes
//!   ([`interactive`]) → `{"success": true, "messageId", "to", "type", "timestamp"}`.
//!
//! Every call carries a key; `channel` (a query parameter or body field, a channel's name or
//! id) picks the channel, else the rule in `inbox::platform::channel`. Sends also take `"mode":
//! "keep"` (the chat's mode is left alone) and `Idempotency-Key`. Errors come in the seed's
//! shape, `{"success": false, "error": "CODE", "message": "…"}`.

pub mod interactive;

use super::{caller, channel, send, ApiError, GatewayError, SendRequest, Sent, Shape};
use app::ssr::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use inbox::platform::{ApiChannel, ChannelState, Content, Outgoing, ReplyTo};
use serde_json::{json, Value};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/status", get(status))
        .route("/send-message", post(send_message))
        .route("/send-interactive", post(send_interactive))
}

/// A request body: JSON, or a form (some scripts post forms).
pub fn body_value(headers: &HeaderMap, body: &[u8]) -> Result<Value, ApiError> {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if form {
        let pairs: HashMap<String, String> =
            url::form_urlencoded::parse(body).into_owned().collect();
        return Ok(json!(pairs));
    }
    serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request("INVALID_JSON", format!("The body is not valid JSON: {e}"))
    })
}

/// `"mode": "keep"` leaves the chat's mode as it is; anything else (or nothing) is a reply
/// that takes a BOT chat over.
pub fn keep_mode(body: &Value) -> Result<bool, ApiError> {
    match body.get("mode").and_then(Value::as_str) {
        None | Some("takeover") => Ok(false),
        Some("keep") => Ok(true),
        Some(other) => Err(ApiError::bad_request(
            "INVALID_MODE",
            format!("mode {other:?}: expected \"keep\" or \"takeover\""),
        )),
    }
}

/// `GET /status`: connected when the channel is enabled and its last connection test passed; a
/// Whapi device waiting for its scan answers its QR code.
async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, GatewayError> {
    let caller = caller(&state, &headers, &query).await?;
    let channel = channel(&state, &caller, query.get("channel").map(String::as_str)).await?;
    Ok(Json(status_of(&state, &channel).await))
}

/// A channel's status in the seed's shape (also the per-device form's answer).
pub async fn status_of(state: &AppState, channel: &ApiChannel) -> Value {
    if channel.state == (ChannelState::Disconnected { pairing: true }) {
        let qr = match state.channels.provider(channel.channel_id) {
            Ok(provider) => provider
                .pairing_qr(std::time::Duration::from_secs(10))
                .await
                .unwrap_or_else(|e| {
                    tracing::warn!(channel_id = %channel.channel_id, error = %e, "fetching a pairing QR code");
                    None
                }),
            Err(_) => None,
        };
        if let Some(qr) = qr {
            return json!({ "isConnected": false, "status": "qr_ready", "qr": qr, "pushName": channel.name });
        }
    }
    let status = match channel.state {
        ChannelState::Disconnected { .. } => "disconnected",
        other => other.as_str(),
    };
    json!({
        "isConnected": channel.state == ChannelState::Connected,
        "status": status,
        "phoneNumber": channel.phone,
        "pushName": channel.name,
    })
}

/// A gateway send of `content`: its number (`to`), its channel (the body's or the query's
/// `channel`), the message it quotes (`reply_to_id`) and `mode`.
async fn outgoing(
    state: &AppState,
    caller: &inbox::api_keys::ApiCaller,
    query: &HashMap<String, String>,
    v: &Value,
    content: Content,
) -> Result<Outgoing, ApiError> {
    let to = interactive::text(v, &["to", "phone", "number"])
        .ok_or_else(|| ApiError::bad_request("INVALID_PHONE", "to is required"))?;
    let asked = interactive::text(v, &["channel"]).or_else(|| query.get("channel").cloned());
    let channel = channel(state, caller, asked.as_deref()).await?;
    Ok(Outgoing {
        channel_id: channel.channel_id,
        to,
        content,
        reply_to: interactive::text(v, &["reply_to_id", "replyToId", "quoted"])
            .and_then(|r| ReplyTo::parse(&r)),
        keep_mode: keep_mode(v)?,
    })
}

/// `POST /send-message`.
async fn send_message(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Result<Response, GatewayError> {
    let caller = caller(&state, &headers, &query).await?;
    let v = body_value(&headers, &body)?;
    let message = interactive::text(&v, &["message", "text"])
        .ok_or_else(|| ApiError::bad_request("MESSAGE_REQUIRED", "message is required"))?;
    let outgoing = outgoing(&state, &caller, &query, &v, Content::Text(message.clone())).await?;
    let req = SendRequest {
        method: "POST",
        path: "/send-message",
        headers: &headers,
        body: &body,
        shape: Shape::Gateway,
    };
    Ok(send(&state, &caller, req, &outgoing, |sent: Sent<'_>| {
        let ids: Vec<String> = sent
            .messages
            .iter()
            .map(|m| m.message_id.0.to_string())
            .collect();
        json!({
            "success": true,
            "messageId": ids.first(),
            "messageIds": ids,
            "to": sent.to,
            "message": message,
            "status": "queued",
            "chatId": sent.chat_id,
        })
    })
    .await)
}

/// `POST /send-interactive`.
async fn send_interactive(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Result<Response, GatewayError> {
    let caller = caller(&state, &headers, &query).await?;
    let v = body_value(&headers, &body)?;
    // The seed refuses a fourth button before anything else.
    let options = interactive::parse(&v)?;
    inbox::replies::interactive::check(&options)?;
    let kind = match options.choices {
        whatsapp::Choices::Buttons { .. } => "button",
        whatsapp::Choices::List { .. } => "list",
    };
    let outgoing = outgoing(&state, &caller, &query, &v, Content::Interactive(options)).await?;
    let req = SendRequest {
        method: "POST",
        path: "/send-interactive",
        headers: &headers,
        body: &body,
        shape: Shape::Gateway,
    };
    Ok(send(&state, &caller, req, &outgoing, |sent: Sent<'_>| {
        json!({
            "success": true,
            "messageId": sent.messages.first().map(|m| m.message_id.0.to_string()),
            "to": sent.to,
            "type": kind,
            "timestamp": chrono::Utc::now().timestamp_millis(),
            "status": "queued",
            "chatId": sent.chat_id,
        })
    })
    .await)
}

/// A 404 in the seed's shape for a per-device form that is switched off.
pub fn not_found() -> GatewayError {
    GatewayError(ApiError::new(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        "Not found",
    ))
}
