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

/// A stream silent this long gets a comment line, so proxies and browsers keep it open.
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
/// silent for [`KEEP_ALIVE`] (7.5 to 15 s); it ends when the deliveries end.
fn sse(stream: impl Stream<Item = Delivery> + Send + 'static) -> Response {
    let open = crate::metrics::OpenStream::new();
    let frames = stream.map(move |d| {
        let _ = &open;
        frame(&d)
    });
    let body = keep_alive(frames, keep_alive_ticks()).map(Ok::<_, Infallible>);
    (
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

/// Ticks every half [`KEEP_ALIVE`]: a stream silent for a whole tick period gets a keep-alive,
/// so never more than [`KEEP_ALIVE`] of silence.
fn keep_alive_ticks() -> impl Stream<Item = ()> + Send + 'static {
    let period = KEEP_ALIVE / 2;
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio_stream::wrappers::IntervalStream::new(tick).map(|_| ())
}

/// `frames`, with a `: keep-alive` comment at a tick when none went out since the tick before.
/// No timer is touched per frame: a stream sends hundreds a second under load, and a thousand
/// streams would otherwise re-arm a thousand timers for each event.
fn keep_alive(
    frames: impl Stream<Item = Bytes> + Send + 'static,
    ticks: impl Stream<Item = ()> + Send + 'static,
) -> impl Stream<Item = Bytes> + Send + 'static {
    futures::stream::unfold(
        (Box::pin(frames), Box::pin(ticks), false),
        |(mut frames, mut ticks, mut sent)| async move {
            loop {
                tokio::select! {
                    biased;
                    next = frames.next() => return Some((next?, (frames, ticks, true))),
                    Some(()) = ticks.next() => {
                        if !sent {
                            let ping = Bytes::from_static(b": keep-alive\n\n");
                            return Some((ping, (frames, ticks, false)));
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
    // "Typing…" as the customer sees it is the sandbox phone's; agents' pages do not show it.
    let events = inbox::live::stream(
        state.pool.clone(),
        &hub,
        last_event_id(&headers),
        Arc::new(|e: &StoredEvent| e.kind != model::EventKind::Typing),
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
    use futures::FutureExt;

    const PING: &[u8] = b": keep-alive\n\n";

    /// The keep-alive stream with frames and ticks the test sends by hand.
    struct Harness {
        frames: futures::channel::mpsc::UnboundedSender<Bytes>,
        ticks: futures::channel::mpsc::UnboundedSender<()>,
        out: std::pin::Pin<Box<dyn Stream<Item = Bytes> + Send>>,
    }

    impl Harness {
        fn new() -> Harness {
            let (frames, frames_rx) = futures::channel::mpsc::unbounded();
            let (ticks, ticks_rx) = futures::channel::mpsc::unbounded();
            Harness {
                frames,
                ticks,
                out: Box::pin(keep_alive(frames_rx, ticks_rx)),
            }
        }
        fn frame(&self, text: &'static str) {
            self.frames
                .unbounded_send(Bytes::from_static(text.as_bytes()))
                .unwrap();
        }
        fn tick(&self) {
            self.ticks.unbounded_send(()).unwrap();
        }
        /// What the stream has ready now (it is never waited for).
        fn ready(&mut self) -> Vec<Bytes> {
            let mut out = Vec::new();
            while let Some(Some(b)) = self.out.next().now_or_never() {
                out.push(b);
            }
            out
        }
    }

    #[test]
    fn a_keep_alive_goes_out_only_after_a_whole_tick_period_of_silence() {
        let mut h = Harness::new();
        h.frame("a");
        assert_eq!(h.ready(), [Bytes::from_static(b"a")]);
        // The period the frame went out in ends: no keep-alive.
        h.tick();
        assert!(h.ready().is_empty());
        // A whole period without a frame: one keep-alive.
        h.tick();
        assert_eq!(h.ready(), [Bytes::from_static(PING)]);
        h.tick();
        assert_eq!(h.ready(), [Bytes::from_static(PING)]);
        // Frames in every period: none.
        for _ in 0..5 {
            h.frame("b");
            h.tick();
            assert_eq!(h.ready(), [Bytes::from_static(b"b")]);
        }
    }

    #[test]
    fn the_answer_ends_when_the_deliveries_end() {
        let mut h = Harness::new();
        h.frame("last");
        h.frames.close_channel();
        assert_eq!(
            h.out.next().now_or_never(),
            Some(Some(Bytes::from_static(b"last")))
        );
        assert_eq!(h.out.next().now_or_never(), Some(None));
    }

    #[test]
    fn a_reload_is_an_sse_message_of_its_own() {
        assert_eq!(
            frame(&Delivery::Reload).as_ref(),
            b"event: reload\ndata: {}\n\n"
        );
    }
}
