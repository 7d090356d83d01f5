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
        if let Ok(mut open) = self.open.lock() {
            open.streams.remove(&self.id);
        }
    }
}

impl Watcher {
    /// Starts the checking task; it stops when `closing` is cancelled.
    pub fn start(pool: PgPool, closing: CancellationToken) -> Watcher {
        let watcher = Watcher {
            pool,
            open: Arc::default(),
        };
        tokio::spawn(watcher.clone().run(closing));
        watcher
    }

    /// `events` until the session `key` stops standing. Its user is marked online at once, and
    /// then with every other open stream's.
    pub fn while_signed_in<S: Stream + Send + 'static>(
        &self,
        key: SessionKey,
        events: S,
    ) -> impl Stream<Item = S::Item> + Send + use<S> {
        let ended = CancellationToken::new();
        let user_id = key.user_id;
        let id = {
            let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
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
        let pool = self.pool.clone();
        tokio::spawn(async move {
            if let Err(e) = crate::assignment::seen(&pool, user_id).await {
                tracing::warn!(error = %e, "cannot record presence");
            }
        });
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
        // The distinct sessions of the open streams (a user's tabs may share one).
        let keys: Vec<SessionKey> = {
            let Ok(open) = self.open.lock() else { return };
            let distinct: HashSet<&SessionKey> = open.streams.values().map(|w| &w.key).collect();
            distinct.into_iter().cloned().collect()
        };
        if keys.is_empty() {
            return;
        }
        let standing = match standing(&self.pool, &keys).await {
            Ok(standing) => standing,
            // The database is away: the streams stay (they have nothing to send either) and
            // the next check decides.
            Err(e) => {
                tracing::warn!(error = %e, "cannot check the event streams' sessions");
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
            if let Ok(open) = self.open.lock() {
                for w in open.streams.values().filter(|w| gone.contains(&w.key)) {
                    tracing::info!(user_id = %w.key.user_id, "session ended; closing its event stream");
                    w.ended.cancel();
                }
            }
        }
        if last_seen.elapsed() >= SEEN_EVERY {
            let users: Vec<model::UserId> = keys
                .iter()
                .filter(|k| !gone.contains(k))
                .map(|k| k.user_id)
                .collect::<HashSet<_>>()
                .into_iter()
                .collect();
            match crate::assignment::seen_all(&self.pool, &users).await {
                Ok(()) => *last_seen = tokio::time::Instant::now(),
                Err(e) => tracing::warn!(error = %e, "cannot record presence"),
            }
        }
    }
}
