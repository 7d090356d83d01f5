//! Live updates over Server-Sent Events, fed by the hub (`inbox::live`):
//!
//! - `GET /api/events`: every event, for signed-in users.
//! - `GET /api/sandbox/events?phone=`: the sandbox phone's own conversation.

use app::ssr::AppState;
use app::AppError;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use futures::stream::{Stream, StreamExt};
use inbox::accounts::sessions::SessionKey;
use inbox::db::events::{self, StoredEvent};
use inbox::live::{while_signed_in, Delivery, Filter, Hub};
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

fn to_sse(d: Delivery) -> Result<Event, Infallible> {
    Ok(match d {
        Delivery::Event(e) => Event::default()
            .id(e.event_id.to_string())
            .event(e.kind.as_str())
            .data(e.payload_json()),
        Delivery::Reload => Event::default().event("reload").data("{}"),
    })
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

fn sse(stream: impl Stream<Item = Delivery> + Send + 'static) -> Response {
    let open = crate::metrics::OpenStream::new();
    Sse::new(stream.map(move |d| {
        let _ = &open;
        to_sse(d)
    }))
    .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
    .into_response()
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
    sse(while_signed_in(state.pool.clone(), key, events))
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
        Some(key) => sse(while_signed_in(state.pool.clone(), key, events)),
        None => sse(events),
    }
}
