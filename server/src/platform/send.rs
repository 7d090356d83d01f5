//! A send under `Idempotency-Key`: the key's answer kept in the send's own transaction (the
//! send in a savepoint, so a refusal undoes its partial work and is still kept), retries of one
//! key waiting for the first, and a file the send brought removed again when nothing used it.

use super::{ApiError, Shape};
use app::ssr::AppState;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use inbox::api_keys::ApiCaller;
use inbox::platform::idempotency::{self, Begun};
use inbox::platform::Outgoing;
use model::{ChatId, MessageView, Reason};
use serde_json::Value;
use std::collections::HashMap;

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
