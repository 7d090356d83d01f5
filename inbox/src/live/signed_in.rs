//! A user's event stream lives as long as their session: it ends within seconds of a logout,
//! a deactivation, a password reset or the session's expiry, and while it is open the user is
//! online (what auto-assignment looks at).
//!
//! One task per process checks the sessions of all its open streams together, in one query
//! every [`CHECK_EVERY`] (and marks their users online in one update every [`SEEN_EVERY`]):
//! a thousand open streams cost one query every two seconds, not five hundred a second.

use crate::accounts::sessions::{standing, SessionKey};
use futures::stream::{Stream, StreamExt};
use sqlx::PgPool;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often the open streams' sessions are checked (one indexed read for all of them).
const CHECK_EVERY: Duration = Duration::from_secs(2);
/// How often the users of open streams are marked online.
const SEEN_EVERY: Duration = Duration::from_secs(20);
/// A check or presence update that takes longer is given up (the next one tries again), so a
/// query stuck on a dead connection cannot stop the checking of every stream.
const QUERY_LIMIT: Duration = Duration::from_secs(5);

/// The open streams of this process, by a number of their own, and their sessions.
#[derive(Debug, Clone)]
pub struct Watcher {
    pool: PgPool,
    open: Arc<Mutex<Open>>,
}

#[derive(Debug, Default)]
struct Open {
    next: u64,
    streams: HashMap<u64, Watched>,
    /// Users whose stream opened since the last check: marked online at the next one.
    arrived: HashSet<model::UserId>,
}

/// The lock, even if a thread panicked while holding it (the map stays usable).
fn lock(open: &Mutex<Open>) -> std::sync::MutexGuard<'_, Open> {
    open.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[derive(Debug)]
struct Watched {
    key: SessionKey,
    /// Cancelled when the session no longer stands: the stream ends.
    ended: CancellationToken,
}

/// Takes a stream off the watch when it is dropped (the browser went away, or it ended).
struct Unwatch {
    id: u64,
    open: Arc<Mutex<Open>>,
}

impl Drop for Unwatch {
    fn drop(&mut self) {
        lock(&self.open).streams.remove(&self.id);
    }
}

impl Watcher {
    /// Starts the checking task; it stops when `closing` is cancelled, and starts again if it
    /// ever panics.
    pub fn start(pool: PgPool, closing: CancellationToken) -> Watcher {
        let watcher = Watcher {
            pool,
            open: Arc::default(),
        };
        let supervised = watcher.clone();
        tokio::spawn(async move {
            loop {
                let run = tokio::spawn(supervised.clone().run(closing.clone()));
                match run.await {
                    Err(e) if e.is_panic() => {
                        tracing::error!("the event streams' session check panicked; restarting it");
                    }
                    _ => return,
                }
            }
        });
        watcher
    }

    /// `events` until the session `key` stops standing. Its user is marked online at the next
    /// check (within two seconds), and then with every other open stream's.
    pub fn while_signed_in<S: Stream + Send + 'static>(
        &self,
        key: SessionKey,
        events: S,
    ) -> impl Stream<Item = S::Item> + Send + use<S> {
        let ended = CancellationToken::new();
        let user_id = key.user_id;
        let id = {
            let mut open = lock(&self.open);
            open.arrived.insert(user_id);
            open.next += 1;
            let id = open.next;
            open.streams.insert(
                id,
                Watched {
                    key,
                    ended: ended.clone(),
                },
            );
            id
        };
        let unwatch = Unwatch {
            id,
            open: self.open.clone(),
        };
        events.take_until(ended.cancelled_owned()).map(move |item| {
            let _ = &unwatch;
            item
        })
    }

    async fn run(self, closing: CancellationToken) {
        let mut check = tokio::time::interval(CHECK_EVERY);
        check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_seen = tokio::time::Instant::now();
        loop {
            tokio::select! {
                _ = closing.cancelled() => return,
                _ = check.tick() => {}
            }
            self.check(&mut last_seen).await;
        }
    }

    async fn check(&self, last_seen: &mut tokio::time::Instant) {
        // The distinct sessions of the open streams (a user's tabs may share one), and the users
        // who opened a stream since the last check.
        let (keys, arrived) = {
            let mut open = lock(&self.open);
            let distinct: HashSet<&SessionKey> = open.streams.values().map(|w| &w.key).collect();
            let keys: Vec<SessionKey> = distinct.into_iter().cloned().collect();
            (keys, std::mem::take(&mut open.arrived))
        };
        if keys.is_empty() {
            return;
        }
        let standing = match tokio::time::timeout(QUERY_LIMIT, standing(&self.pool, &keys)).await {
            Ok(Ok(standing)) => standing,
            // The database is away or slow: the streams stay (they have nothing to send either)
            // and the next check decides; the new users are marked online then.
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "cannot check the event streams' sessions");
                lock(&self.open).arrived.extend(arrived);
                return;
            }
            Err(_) => {
                tracing::warn!("checking the event streams' sessions took too long");
                lock(&self.open).arrived.extend(arrived);
                return;
            }
        };
        let gone: HashSet<&SessionKey> = keys
            .iter()
            .zip(&standing)
            .filter(|(_, stands)| !**stands)
            .map(|(key, _)| key)
            .collect();
        if !gone.is_empty() {
            for w in lock(&self.open)
                .streams
                .values()
                .filter(|w| gone.contains(&w.key))
            {
                tracing::info!(user_id = %w.key.user_id, "session ended; closing its event stream");
                w.ended.cancel();
            }
        }
        // Presence: everyone every SEEN_EVERY, the newly arrived at once.
        let everyone = last_seen.elapsed() >= SEEN_EVERY;
        let users: Vec<model::UserId> = keys
            .iter()
            .filter(|k| !gone.contains(k) && (everyone || arrived.contains(&k.user_id)))
            .map(|k| k.user_id)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        if users.is_empty() {
            return;
        }
        match tokio::time::timeout(QUERY_LIMIT, crate::assignment::seen_all(&self.pool, &users))
            .await
        {
            Ok(Ok(())) if everyone => *last_seen = tokio::time::Instant::now(),
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "cannot record presence"),
            Err(_) => tracing::warn!("recording presence took too long"),
        }
    }
}
