//! The per-device forms of the second gateway our users script against, the channel and the
//! key in the URL's path:
//!
//! - `GET /api/services/whatsapp/chat/{channel}/{api_key}`: the channel's status;
//! - `POST /api/services/whatsapp/chat/{channel}/{api_key}` with `{"phone", "message"}`, or a
//!   file: `{"phone", "image": "<base64>", "caption"}` / `{"phone", "document": "<base64>",
//!   "filename", "caption"}`;
//! - `POST /api/services/whatsapp/chat/{channel}/{api_key}/{phone}/{message}`: the same text
//!   send for tools that can only call a URL.
//!
//! `{channel}` is a channel's name or id. A key in a path ends up in proxies' and browsers'
//! logs (the API keys page warns about it): `INBOX_API_KEY_IN_PATH=false` switches these
//! forms off, and this server never logs the path.

use super::gateway::{body_value, interactive::text, keep_mode, status_of};
use super::{admit, channel, send, ApiError, GatewayError, SendRequest, Sent, Shape};
use app::ssr::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use inbox::platform::media::{Given, Source};
use inbox::platform::{Content, Outgoing};
use serde_json::{json, Value};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/services/whatsapp/chat/{channel}/{api_key}",
            get(status).post(send_json),
        )
        .route(
            "/api/services/whatsapp/chat/{channel}/{api_key}/{phone}/{message}",
            post(send_in_url),
        )
}

async fn status(
    State(state): State<AppState>,
    Path((asked, key)): Path<(String, String)>,
) -> Result<Json<Value>, GatewayError> {
    let caller = admit(&state, Some(&key)).await?;
    let channel = channel(&state, &caller, Some(&asked)).await?;
    Ok(Json(status_of(&state, &channel).await))
}

/// The path as idempotency fingerprints it: without the key.
fn fingerprint_path(channel: &str) -> String {
    format!("/api/services/whatsapp/chat/{channel}")
}

async fn send_json(
    State(state): State<AppState>,
    Path((asked, key)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GatewayError> {
    let caller = admit(&state, Some(&key)).await?;
    let v = body_value(&headers, &body)?;
    let phone = text(&v, &["phone", "to", "number"])
        .ok_or_else(|| ApiError::bad_request("INVALID_PHONE", "phone is required"))?;
    let channel = channel(&state, &caller, Some(&asked)).await?;
    let caption = text(&v, &["caption", "message"]);
    let file = match (text(&v, &["image"]), text(&v, &["document"])) {
        (Some(data), _) => Some((data, None)),
        (None, Some(data)) => Some((data, text(&v, &["filename", "fileName"]))),
        (None, None) => None,
    };
    let content = match file {
        Some((data, filename)) => {
            let source = match data.starts_with("http://") || data.starts_with("https://") {
                true => Source::Url(data),
                false => Source::Base64(data),
            };
            let given = Given {
                source,
                mime_type: text(&v, &["mimetype", "mimeType"]),
                filename,
            };
            let file = inbox::platform::media::keep(
                (&state.pool, &state.media),
                (
                    state.hooks.guarded_http(),
                    state.hooks.settings.allow_private,
                ),
                &given,
            )
            .await?;
            Content::File { file, caption }
        }
        None => Content::Text(
            caption
                .ok_or_else(|| ApiError::bad_request("MESSAGE_REQUIRED", "message is required"))?,
        ),
    };
    let outgoing = Outgoing {
        channel_id: channel.channel_id,
        to: phone,
        content,
        reply_to: None,
        keep_mode: keep_mode(&v)?,
    };
    let path = fingerprint_path(&asked);
    let req = SendRequest {
        method: "POST",
        path: &path,
        headers: &headers,
        body: &body,
        shape: Shape::Gateway,
    };
    Ok(send(&state, &caller, req, &outgoing, answer).await)
}

async fn send_in_url(
    State(state): State<AppState>,
    Path((asked, key, phone, message)): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, GatewayError> {
    let caller = admit(&state, Some(&key)).await?;
    let channel = channel(&state, &caller, Some(&asked)).await?;
    let outgoing = Outgoing {
        channel_id: channel.channel_id,
        to: phone.clone(),
        content: Content::Text(message.clone()),
        reply_to: None,
        keep_mode: false,
    };
    let path = format!("{}/{phone}/{message}", fingerprint_path(&asked));
    let req = SendRequest {
        method: "POST",
        path: &path,
        headers: &headers,
        body: &[],
        shape: Shape::Gateway,
    };
    Ok(send(&state, &caller, req, &outgoing, answer).await)
}

fn answer(sent: Sent<'_>) -> Value {
    let first = sent.messages.first();
    json!({
        "success": true,
        "status": "queued",
        "messageId": first.map(|m| m.message_id.0.to_string()),
        "to": sent.to,
        "message": first.and_then(|m| m.body.clone()),
        "chatId": sent.chat_id,
    })
}
