//! The live hub: one `LISTEN inbox_events` connection per server process feeds a broadcast
//! channel, and [`stream`] turns it into one subscriber's events. Events are stored rows
//! (`event` table), so a subscriber that reconnects with the last id it saw gets what it
//! missed; when that cannot be proven, it gets [`Delivery::Reload`]. The HTTP side (SSE) is
//! the server's.

mod prune;
mod signed_in;

pub use prune::prune_until_stopped;
use signed_in::Watcher;

use crate::db::events::{self, StoredEvent};
use futures::stream::{self, Stream, StreamExt};
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::wrappers::BroadcastStream;

/// What a subscriber receives.
#[derive(Debug, Clone)]
pub enum Delivery {
    Event(Arc<StoredEvent>),
    /// The subscriber may have missed events: it must refetch what it shows.
    Reload,
}

/// Replayed at most this many events to a browser that reconnects; beyond that it reloads
/// its view.
const REPLAY_LIMIT: i64 = 500;
/// Events a subscriber may fall behind the broadcast before it is told to reload.
const BROADCAST_CAPACITY: usize = 4096;
/// Replayed at most this many events to every subscriber when the listener reconnects (below
/// the broadcast's capacity, so a replay cannot make subscribers lag); beyond that every
/// subscriber is told to reload.
const RELISTEN_REPLAY_LIMIT: i64 = 2_000;

#[derive(Clone, Debug)]
pub struct Hub {
    tx: broadcast::Sender<Delivery>,
    /// Cancelled when the server shuts down: open event streams end, so the graceful shutdown
    /// does not wait for browsers (they reconnect, to this server's successor or a sibling).
    closing: tokio_util::sync::CancellationToken,
    /// Checks the sessions of this process's open streams.
    sessions: Watcher,
}

impl Hub {
    /// Starts the listener task of this process and waits (up to a few seconds) until it
    /// listens, so no event published after start-up is missed.
    pub async fn start(pool: PgPool) -> Hub {
        let (tx, _) = broadcast::channel(BROADCAST_CAPACITY);
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        tokio::spawn(listen(pool.clone(), tx.clone(), ready_tx));
        if tokio::time::timeout(Duration::from_secs(5), ready_rx)
            .await
            .is_err()
        {
            tracing::warn!(
                "the event listener is not connected yet; live updates start when it is"
            );
        }
        let closing = tokio_util::sync::CancellationToken::new();
        Hub {
            tx,
            sessions: Watcher::start(pool, closing.clone()),
            closing,
        }
    }

    /// `events` until the session `key` stops standing (a logout, a deactivation, a password
    /// reset, expiry): checked every two seconds for all of this process's streams at once.
    /// While it is open, the user counts as online.
    pub fn while_signed_in<S: Stream + Send + 'static>(
        &self,
        key: crate::accounts::sessions::SessionKey,
        events: S,
    ) -> impl Stream<Item = S::Item> + Send + use<S> {
        self.sessions.while_signed_in(key, events)
    }

    /// Ends every open event stream (at shutdown).
    pub fn close(&self) {
        self.closing.cancel();
    }

    /// Every event this process learns of, once, and `Reload` whenever it may have missed
    /// some (a notification it could not read, a replay it could not finish).
    pub fn subscribe(&self) -> broadcast::Receiver<Delivery> {
        self.tx.subscribe()
    }

    /// Events broadcast that the slowest subscriber has not taken yet (the hub's lag).
    pub fn backlog(&self) -> usize {
        self.tx.len()
    }

    /// Open subscriptions (event streams, and the assigner).
    pub fn subscribers(&self) -> usize {
        self.tx.receiver_count()
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
    tx: broadcast::Sender<Delivery>,
    ready: tokio::sync::oneshot::Sender<()>,
) {
    let mut ready = Some(ready);
    let mut seen = Seen::default();
    let send = |seen: &mut Seen, e: StoredEvent| {
        if seen.insert(e.event_id) {
            let _ = tx.send(Delivery::Event(Arc::new(e)));
        }
    };
    // This process cannot prove it passed on every event: every subscriber refetches.
    let reload = |why: &str| {
        tracing::warn!("{why}; every open view reloads");
        metrics::counter!("inbox_live_hub_reloads_total").increment(1);
        let _ = tx.send(Delivery::Reload);
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
            match events::since(&pool, from, RELISTEN_REPLAY_LIMIT + 1).await {
                Ok(rows) if rows.len() as i64 > RELISTEN_REPLAY_LIMIT => {
                    // Mark them seen all the same: the reload covers them.
                    for row in &rows {
                        seen.insert(row.event_id);
                    }
                    reload("too many events to replay after the listener reconnected");
                }
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
                Err(e) => {
                    tracing::error!(error = %e, "cannot replay events after reconnecting");
                    reload("events missed while the listener was away");
                }
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
                    None => reload("unreadable event notification"),
                }
            }
            if !by_id.is_empty() {
                match events::by_ids(&pool, &by_id).await {
                    Ok(rows) => {
                        for row in rows {
                            send(&mut seen, row);
                        }
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "cannot read published events");
                        reload("published events could not be read");
                    }
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Which stored events a subscriber wants.
pub type Filter = Arc<dyn Fn(&StoredEvent) -> bool + Send + Sync>;

/// Missed events after `after` (if any), then live ones; each event once, and only those
/// `keep` lets through. Ids are compared as a set, not by order: two transactions can commit
/// in the other order than they took their ids.
pub fn stream(
    pool: PgPool,
    hub: &Hub,
    after: Option<i64>,
    keep: Filter,
) -> impl Stream<Item = Delivery> {
    // Subscribe first, then read the backlog: nothing falls between the two.
    let live = BroadcastStream::new(hub.subscribe());
    let closing = hub.closing.clone().cancelled_owned();
    let backlog = async move {
        match after {
            None => (Vec::new(), false),
            // Events after `after` were pruned: what they said is gone, so the view reloads.
            Some(after) if pruned_since(&pool, after).await => (Vec::new(), true),
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
        let head: Vec<Delivery> = too_far
            .then_some(Delivery::Reload)
            .into_iter()
            .chain(
                rows.into_iter()
                    .filter(|r| keep(r))
                    .map(|r| Delivery::Event(Arc::new(r))),
            )
            .collect();
        let keep = keep.clone();
        let tail = live.filter_map(move |item| {
            let out = match item {
                Ok(Delivery::Event(e)) if !replayed.contains(&e.event_id) && keep(&e) => {
                    Some(Delivery::Event(e))
                }
                Ok(Delivery::Event(_)) => None,
                Ok(Delivery::Reload) => Some(Delivery::Reload),
                // This subscriber fell behind the broadcast: its view must reload.
                Err(BroadcastStreamRecvError::Lagged(n)) => {
                    metrics::counter!("inbox_live_lagged_events_total").increment(n);
                    Some(Delivery::Reload)
                }
            };
            std::future::ready(out)
        });
        stream::iter(head).chain(tail)
    })
    .flatten()
    .take_until(closing)
}

/// Whether events after `after` may have been pruned (or cannot be checked).
async fn pruned_since(pool: &PgPool, after: i64) -> bool {
    match events::oldest_id(pool).await {
        Ok(Some(oldest)) => oldest > after + 1,
        Ok(None) => false,
        Err(e) => {
            tracing::warn!(error = %e, "cannot check for pruned events; asking the browser to reload");
            true
        }
    }
}
