//! The event log's retention.

use crate::db::events;
use sqlx::PgPool;
use std::time::Duration;

/// Deletes events older than `retention` in small batches, every ten minutes, until
/// `shutdown`: the log keeps copies of customer text, and browsers only need the last hours of
/// it (one that asks for pruned events reloads instead).
pub async fn prune_until_stopped(
    pool: PgPool,
    retention: Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    const BATCH: i64 = 1_000;
    tokio::pin!(shutdown);
    loop {
        loop {
            match events::prune(&pool, retention, BATCH).await {
                Ok(n) if (n as i64) < BATCH => break,
                Ok(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot prune old events; trying again later");
                    break;
                }
            }
        }
        tokio::select! {
            _ = &mut shutdown => return,
            _ = tokio::time::sleep(Duration::from_secs(600)) => {}
        }
    }
}
