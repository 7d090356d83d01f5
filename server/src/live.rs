//! Live updates over Server-Sent Events, fed by the hub (`inbox::live`):
//!
//! - `GET /api/events`: every event, for signed-in users.
//! - `GET /api/sandbox/events?phone=`: the sandbox phone's own conversation.

use app::ssr::AppState;
use app::AppError;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::header;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use bytes::Bytes;
use futures::stream::{Stream, StreamExt};
use inbox::accounts::sessions::SessionKey;
use inbox::db::events::{self, StoredEvent};
use inbox::live::{Delivery, Filter, Hub};
use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tower_sessions::Session;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/events", get(inbox_events))
        .route("/api/sandbox/events", get(sandbox_events))
}

/// Sent to a stream that was idle this long, so proxies and browsers keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// A delivery as Server-Sent Events bytes. An event's are written once and shared by every
/// stream that sends it ([`inbox::db::events::StoredEvent::sse_frame`]).
fn frame(d: &Delivery) -> Bytes {
    match d {
        Delivery::Event(e) => e.sse_frame(),
        Delivery::Reload => Bytes::from_static(b"event: reload\ndata: {}\n\n"),
    }
}

fn last_event_id(headers: &HeaderMap) -> Option<i64> {
    headers
        .get("last-event-id")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The deliveries as a `text/event-stream` answer, with a comment line whenever the stream was
/// idle for [`KEEP_ALIVE`]; it ends when the deliveries end.
fn sse(stream: impl Stream<Item = Delivery> + Send + 'static) -> Response {
    let open = crate::metrics::OpenStream::new();
    let frames = stream.map(move |d| {
        let _ = &open;
        frame(&d)
    });
    let body = keep_alive(frames, KEEP_ALIVE).map(Ok::<_, Infallible>);
    (
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

/// `frames`, with a `: keep-alive` comment when none went out for a whole `idle` period (so
/// after 15 to 30 s of silence). No timer is touched per frame: a stream sends hundreds a second
/// under load, and a thousand streams would otherwise re-arm a thousand timers for each event.
fn keep_alive(
    frames: impl Stream<Item = Bytes> + Send + 'static,
    idle: Duration,
) -> impl Stream<Item = Bytes> + Send + 'static {
    let tick = tokio::time::interval_at(tokio::time::Instant::now() + idle, idle);
    futures::stream::unfold(
        (Box::pin(frames), tick, false),
        |(mut frames, mut tick, mut sent)| async move {
            loop {
                tokio::select! {
                    biased;
                    next = frames.next() => return Some((next?, (frames, tick, true))),
                    _ = tick.tick() => {
                        if !sent {
                            let ping = Bytes::from_static(b": keep-alive\n\n");
                            return Some((ping, (frames, tick, false)));
                        }
                        sent = false;
                    }
                }
            }
        },
    )
}

/// Every event, for any signed-in user (401 otherwise).
async fn inbox_events(
    State(state): State<AppState>,
    Extension(hub): Extension<Hub>,
    session: Session,
    headers: HeaderMap,
) -> Response {
    let key = match signed_in(&state, &session).await {
        Ok(key) => key,
        Err(e) => return e.into_response(),
    };
    let events = inbox::live::stream(
        state.pool.clone(),
        &hub,
        last_event_id(&headers),
        Arc::new(|_| true),
    );
    sse(hub.while_signed_in(key, events))
}

/// The session's key when it stands, for a stream to check it again later.
async fn signed_in(state: &AppState, session: &Session) -> Result<SessionKey, AppError> {
    use inbox::accounts::sessions::{session_key, session_user};
    match session_user(&state.pool, session).await? {
        Some(_) => session_key(session).await?.ok_or(AppError::Unauthenticated),
        None => Err(AppError::Unauthenticated),
    }
}

/// The sandbox phone's conversation: events of this phone's chats on the sandbox channel.
async fn sandbox_events(
    State(state): State<AppState>,
    Extension(hub): Extension<Hub>,
    session: Session,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    // Outside demo mode only admins use the sandbox, and their stream lives with their session.
    let key = if state.settings.demo {
        None
    } else {
        match inbox::accounts::sessions::session_user(&state.pool, &session).await {
            Ok(Some(u)) if u.is_admin() => match signed_in(&state, &session).await {
                Ok(key) => Some(key),
                Err(e) => return e.into_response(),
            },
            Ok(Some(_)) => return AppError::Forbidden.into_response(),
            Ok(None) => return AppError::Unauthenticated.into_response(),
            Err(e) => return AppError::from(e).into_response(),
        }
    };
    let Some(phone) = q
        .get("phone")
        .and_then(|p| whatsapp::phone::normalize_phone(p))
    else {
        return AppError::invalid("phone", model::Reason::PhoneInvalid).into_response();
    };
    let known = match events::sandbox_chat_ids(&state.pool, &phone).await {
        Ok(ids) => ids,
        Err(e) => return AppError::from(e).into_response(),
    };
    let chats = Arc::new(Mutex::new(
        known.into_iter().collect::<HashSet<model::ChatId>>(),
    ));
    let keep: Filter = Arc::new(move |e: &StoredEvent| {
        let Ok(mut chats) = chats.lock() else {
            return false;
        };
        // A new chat of this phone announces itself with chat.updated.
        if e.kind == model::EventKind::ChatUpdated
            && e.payload.get("channel_kind").and_then(|v| v.as_str()) == Some("sandbox")
            && e.payload.get("contact_phone").and_then(|v| v.as_str()) == Some(phone.as_str())
        {
            if let Some(id) = e.chat_id {
                chats.insert(id);
            }
        }
        e.chat_id.is_some_and(|id| chats.contains(&id))
    });
    let events = inbox::live::stream(state.pool.clone(), &hub, last_event_id(&headers), keep);
    match key {
        Some(key) => sse(hub.while_signed_in(key, events)),
        None => sse(events),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PING: &[u8] = b": keep-alive\n\n";

    #[tokio::test]
    async fn an_idle_stream_gets_keep_alives() {
        let idle = keep_alive(futures::stream::pending(), Duration::from_millis(50));
        let sent: Vec<Bytes> =
            tokio::time::timeout(Duration::from_secs(10), idle.take(2).collect())
                .await
                .expect("two keep-alives");
        assert_eq!(sent, vec![Bytes::from_static(PING); 2]);
    }

    #[tokio::test]
    async fn a_busy_stream_gets_its_frames_and_ends_with_them() {
        let frames =
            futures::stream::iter((0..1000).map(|n| Bytes::from(format!("data: {n}\n\n"))));
        let sent: Vec<Bytes> = keep_alive(frames, Duration::from_millis(1)).collect().await;
        assert_eq!(sent.len(), 1000);
        assert!(sent.iter().all(|b| b.as_ref() != PING));
        assert_eq!(sent[999].as_ref(), b"data: 999\n\n");
    }

    #[test]
    fn a_reload_is_an_sse_message_of_its_own() {
        assert_eq!(
            frame(&Delivery::Reload).as_ref(),
            b"event: reload\ndata: {}\n\n"
        );
    }
}
