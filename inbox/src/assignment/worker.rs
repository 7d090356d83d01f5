//! Runs auto-assignment (`crate::assignment`) whenever a chat changes and every 15 seconds
//! (agents come online, or go offline, without a chat changing). Several processes may run it.

use crate::assignment;
use crate::live::Hub;
use sqlx::PgPool;
use std::time::Duration;

pub async fn run_until_stopped(
    pool: PgPool,
    hub: Hub,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let mut events = hub.subscribe();
    let mut tick = tokio::time::interval(Duration::from_secs(15));
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => return,
            _ = tick.tick() => {}
            received = events.recv() => {
                match received {
                    Ok(crate::live::Delivery::Event(e)) if e.kind != model::EventKind::ChatUpdated => {
                        continue
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                    _ => {}
                }
                // One run covers a burst of changes.
                while events.try_recv().is_ok() {}
            }
        }
        match assignment::distribute(&pool).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(assigned = n, "auto-assigned waiting chats"),
            Err(e) => tracing::warn!(error = %e, "auto-assignment failed; retrying later"),
        }
    }
}
