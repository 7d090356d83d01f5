//! `LISTEN` on a channel, turned into wake-ups of a worker's loops (the outbox's, the media
//! fetchers'); reconnects after errors, and wakes everyone whenever it (re)connects, since rows
//! may have been queued while nobody listened.

use sqlx::postgres::PgListener;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

pub(crate) async fn listen(pool: PgPool, channel: &'static str, wake: Arc<Notify>) {
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, channel, "listener cannot connect; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(e) = listener.listen(channel).await {
            tracing::warn!(error = %e, channel, "listener cannot LISTEN; retrying");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        wake.notify_waiters();
        loop {
            match listener.recv().await {
                Ok(_) => wake.notify_waiters(),
                Err(e) => {
                    tracing::warn!(error = %e, channel, "listener lost its connection");
                    wake.notify_waiters();
                    break;
                }
            }
        }
    }
}
