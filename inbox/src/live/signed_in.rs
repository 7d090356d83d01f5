//! A user's event stream lives as long as their session: it ends within seconds of a logout,
//! a deactivation, a password reset or the session's expiry, and while it is open the user is
//! online (what auto-assignment looks at).

use crate::accounts::sessions::{still_signed_in, SessionKey};
use futures::stream::{Stream, StreamExt};
use sqlx::PgPool;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often an open stream checks that its session still stands (one indexed read).
const CHECK_EVERY: Duration = Duration::from_secs(2);
/// How often an open stream marks its user online.
const SEEN_EVERY: Duration = Duration::from_secs(20);

/// `events` until the session `key` stops standing. While it runs, the user is marked online;
/// the checking stops when the stream is dropped (the browser went away).
pub fn while_signed_in<S: Stream + Send + 'static>(
    pool: PgPool,
    key: SessionKey,
    events: S,
) -> impl Stream<Item = S::Item> + Send {
    let ended = CancellationToken::new();
    let dropped = CancellationToken::new();
    let guard = dropped.clone().drop_guard();
    tokio::spawn(watch(pool, key, ended.clone(), dropped));
    events.take_until(ended.cancelled_owned()).map(move |item| {
        let _ = &guard;
        item
    })
}

async fn watch(
    pool: PgPool,
    key: SessionKey,
    ended: CancellationToken,
    dropped: CancellationToken,
) {
    let mut check = tokio::time::interval(CHECK_EVERY);
    check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_seen: Option<tokio::time::Instant> = None;
    loop {
        tokio::select! {
            _ = dropped.cancelled() => return,
            _ = check.tick() => {}
        }
        match still_signed_in(&pool, &key).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::info!(user_id = %key.user_id, "session ended; closing its event stream");
                ended.cancel();
                return;
            }
            // The database is away: the stream stays (it has nothing to send either) and the
            // next check decides.
            Err(e) => tracing::warn!(error = %e, "cannot check an event stream's session"),
        }
        if last_seen.is_none_or(|at| at.elapsed() >= SEEN_EVERY) {
            match crate::assignment::seen(&pool, key.user_id).await {
                Ok(()) => last_seen = Some(tokio::time::Instant::now()),
                Err(e) => tracing::warn!(error = %e, "cannot record presence"),
            }
        }
    }
}
