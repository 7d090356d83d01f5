//! Live updates: one `LISTEN inbox_events` connection per server process feeds a broadcast
//! channel; Server-Sent Events streams hand the events to browsers. Events are stored rows
//! (`event` table), so a browser that reconnects with `Last-Event-ID` gets what it missed.
//!
//! - `GET /api/events`: every event, for signed-in users.
//! - `GET /api/sandbox/events?phone=`: the sandbox phone's own conversation.

use app::ssr::db::events::{self, StoredEvent};
use app::ssr::AppState;
use app::AppError;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use futures::stream::{self, Stream, StreamExt};
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use std::collections::{HashMap, HashSet, VecDeque};
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::wrappers::BroadcastStream;
use tower_sessions::Session;

/// Replayed at most this many events on reconnect; beyond that the browser reloads its view.
const REPLAY_LIMIT: i64 = 500;

#[derive(Clone, Debug)]
pub struct Hub {
    tx: broadcast::Sender<Arc<StoredEvent>>,
    /// Cancelled when the server shuts down: open event streams end, so the graceful shutdown
    /// does not wait for browsers (they reconnect, to this server's successor or a sibling).
    closing: tokio_util::sync::CancellationToken,
}

impl Hub {
    /// Starts the listener task of this process and waits (up to a few seconds) until it
    /// listens, so no event published after start-up is missed.
    pub async fn start(pool: PgPool) -> Hub {
        let (tx, _) = broadcast::channel(4096);
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        tokio::spawn(listen(pool, tx.clone(), ready_tx));
        if tokio::time::timeout(Duration::from_secs(5), ready_rx)
            .await
            .is_err()
        {
            tracing::warn!(
                "the event listener is not connected yet; live updates start when it is"
            );
        }
        Hub {
            tx,
            closing: tokio_util::sync::CancellationToken::new(),
        }
    }

    /// Ends every open event stream (at shutdown).
    pub fn close(&self) {
        self.closing.cancel();
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<StoredEvent>> {
        self.tx.subscribe()
    }
}

/// The ids this process has broadcast lately, so a replay after a reconnect sends only what
/// was missed. Ids are a set, not a high-water mark: transactions can commit in another order
/// than they took their ids.
#[derive(Default)]
struct Seen {
    ids: HashSet<i64>,
    order: VecDeque<i64>,
    /// The newest event when this process first listened.
    start: i64,
}

impl Seen {
    const KEEP: usize = 20_000;

    /// Records an id; false when it was already broadcast.
    fn insert(&mut self, id: i64) -> bool {
        if !self.ids.insert(id) {
            return false;
        }
        self.order.push_back(id);
        if self.order.len() > Self::KEEP {
            if let Some(old) = self.order.pop_front() {
                self.ids.remove(&old);
            }
        }
        true
    }

    /// Where a replay starts: a little before the newest id seen (for late commits), but never
    /// before this process started.
    fn replay_from(&self) -> i64 {
        let newest = self.order.iter().max().copied().unwrap_or(self.start);
        (newest - 1_000).max(self.start)
    }
}

async fn listen(
    pool: PgPool,
    tx: broadcast::Sender<Arc<StoredEvent>>,
    ready: tokio::sync::oneshot::Sender<()>,
) {
    let mut ready = Some(ready);
    let mut seen = Seen::default();
    let send = |seen: &mut Seen, e: StoredEvent| {
        if seen.insert(e.event_id) {
            let _ = tx.send(Arc::new(e));
        }
    };
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "event listener cannot connect; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        // A lost connection ends this loop; the next one reconnects and replays.
        listener.eager_reconnect(false);
        if let Err(e) = listener.listen(events::CHANNEL).await {
            tracing::warn!(error = %e, "event listener cannot LISTEN; retrying");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        if let Some(ready) = ready.take() {
            seen.start = events::latest_id(&pool).await.unwrap_or_default();
            let _ = ready.send(());
        } else {
            let from = seen.replay_from();
            // Listening again after losing the connection (a database restart, a network
            // blip): what was committed meanwhile was notified to nobody here. Read it back.
            match events::since(&pool, from, 5_000).await {
                Ok(rows) => {
                    let before = seen.ids.len();
                    for row in rows {
                        send(&mut seen, row);
                    }
                    tracing::info!(
                        replayed = seen.ids.len().saturating_sub(before),
                        "event listener reconnected"
                    );
                }
                Err(e) => tracing::error!(error = %e, "cannot replay events after reconnecting"),
            }
        }
        loop {
            let first = match listener.try_recv().await {
                Ok(Some(n)) => n,
                Ok(None) => {
                    tracing::warn!("event listener lost its connection; reconnecting");
                    break;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "event listener failed; reconnecting");
                    break;
                }
            };
            // Take every notification already waiting; events that came inline go out at once,
            // the large ones are read in one query.
            let mut notes = vec![first];
            while let Some(n) = listener.next_buffered() {
                notes.push(n);
            }
            let mut by_id = Vec::new();
            for note in &notes {
                match events::decode(note.payload()) {
                    Some(events::Notified::Event(e)) => send(&mut seen, e),
                    Some(events::Notified::Id(id)) => by_id.push(id),
                    None => tracing::warn!("unreadable event notification"),
                }
            }
            if !by_id.is_empty() {
                match events::by_ids(&pool, &by_id).await {
                    Ok(rows) => {
                        for row in rows {
                            send(&mut seen, row);
                        }
                    }
                    Err(e) => tracing::error!(error = %e, "cannot read published events"),
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/events", get(inbox_events))
        .route("/api/sandbox/events", get(sandbox_events))
}

fn to_sse(e: &StoredEvent) -> Event {
    Event::default()
        .id(e.event_id.to_string())
        .event(&e.kind)
        .data(e.payload.to_string())
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

type Filter = Arc<dyn Fn(&StoredEvent) -> bool + Send + Sync>;

fn reload() -> Event {
    Event::default().event("reload").data("{}")
}

/// Missed events after `after` (if any), then live ones; each event once, and only those
/// `keep` lets through. Ids are compared as a set, not by order: two transactions can commit
/// in the other order than they took their ids.
fn event_stream(
    pool: PgPool,
    hub: &Hub,
    after: Option<i64>,
    keep: Filter,
) -> impl Stream<Item = Result<Event, Infallible>> {
    // Subscribe first, then read the backlog: nothing falls between the two.
    let live = BroadcastStream::new(hub.subscribe());
    let closing = hub.closing.clone().cancelled_owned();
    let backlog = async move {
        match after {
            None => (Vec::new(), false),
            Some(after) => match events::since(&pool, after, REPLAY_LIMIT + 1).await {
                Ok(rows) if rows.len() as i64 > REPLAY_LIMIT => (Vec::new(), true),
                Ok(rows) => (rows, false),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot replay events; asking the browser to reload");
                    (Vec::new(), true)
                }
            },
        }
    };
    stream::once(async move {
        let (rows, too_far) = backlog.await;
        let replayed: HashSet<i64> = rows.iter().map(|r| r.event_id).collect();
        let head: Vec<Result<Event, Infallible>> = too_far
            .then(reload)
            .into_iter()
            .chain(rows.iter().filter(|r| keep(r)).map(to_sse))
            .map(Ok)
            .collect();
        let keep = keep.clone();
        let tail = live.filter_map(move |item| {
            let out = match item {
                Ok(e) if !replayed.contains(&e.event_id) && keep(&e) => Some(Ok(to_sse(&e))),
                Ok(_) => None,
                // This subscriber fell behind the broadcast: its view must reload.
                Err(BroadcastStreamRecvError::Lagged(_)) => Some(Ok(reload())),
            };
            std::future::ready(out)
        });
        stream::iter(head).chain(tail)
    })
    .flatten()
    .take_until(closing)
}

fn sse(stream: impl Stream<Item = Result<Event, Infallible>> + Send + 'static) -> Response {
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

/// While a user's event stream is open they are online: refreshed every 20 seconds, and the
/// refreshing stops when the stream is dropped (the browser went away).
fn keep_online(pool: PgPool, user_id: i64) -> tokio_util::sync::DropGuard {
    let token = tokio_util::sync::CancellationToken::new();
    let stopped = token.clone();
    tokio::spawn(async move {
        loop {
            if let Err(e) = app::ssr::assignment::seen(&pool, user_id).await {
                tracing::warn!(error = %e, "cannot record presence");
            }
            tokio::select! {
                _ = stopped.cancelled() => return,
                _ = tokio::time::sleep(Duration::from_secs(20)) => {}
            }
        }
    });
    token.drop_guard()
}

/// Every event, for any signed-in user (401 otherwise).
async fn inbox_events(
    State(state): State<AppState>,
    Extension(hub): Extension<Hub>,
    session: Session,
    headers: HeaderMap,
) -> Response {
    match app::ssr::auth::session_user(&state.pool, &session).await {
        Ok(Some(user)) => {
            let online = keep_online(state.pool.clone(), user.user_id);
            let events = event_stream(
                state.pool.clone(),
                &hub,
                last_event_id(&headers),
                Arc::new(|_| true),
            );
            // The guard lives as long as the stream.
            sse(events.map(move |e| {
                let _ = &online;
                e
            }))
        }
        Ok(None) => AppError::Unauthenticated.into_response(),
        Err(e) => e.into_response(),
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
    if !state.settings.demo {
        match app::ssr::auth::session_user(&state.pool, &session).await {
            Ok(Some(u)) if u.is_admin() => {}
            Ok(Some(_)) => return AppError::Forbidden.into_response(),
            Ok(None) => return AppError::Unauthenticated.into_response(),
            Err(e) => return e.into_response(),
        }
    }
    let Some(phone) = q
        .get("phone")
        .and_then(|p| whatsapp::phone::normalize_phone(p))
    else {
        return AppError::invalid("phone", "phone_invalid").into_response();
    };
    let known: Vec<i64> = sqlx::query_scalar(
        "select c.chat_id from chat c join contact ct using (contact_id) join channel ch using (channel_id)
          where ch.kind = 'sandbox' and ct.phone = $1",
    )
    .bind(&phone)
    .fetch_all(&state.pool)
    .await
    .unwrap_or_default();
    let chats = Arc::new(Mutex::new(known.into_iter().collect::<HashSet<i64>>()));
    let keep: Filter = Arc::new(move |e: &StoredEvent| {
        let Ok(mut chats) = chats.lock() else {
            return false;
        };
        // A new chat of this phone announces itself with chat.updated.
        if e.kind == events::CHAT_UPDATED
            && e.payload.get("channel_kind").and_then(|v| v.as_str()) == Some("sandbox")
            && e.payload.get("contact_phone").and_then(|v| v.as_str()) == Some(phone.as_str())
        {
            if let Some(id) = e.chat_id {
                chats.insert(id);
            }
        }
        e.chat_id.is_some_and(|id| chats.contains(&id))
    });
    sse(event_stream(
        state.pool.clone(),
        &hub,
        last_event_id(&headers),
        keep,
    ))
}
