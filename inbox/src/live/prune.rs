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
        // Idempotency answers past their 24 hours, and webhook deliveries finished a week ago
        // (the Webhooks page's log shows the latest ones).
        if let Err(e) =
            crate::db::idempotency::prune(&pool, crate::platform::idempotency::KEPT_FOR).await
        {
            tracing::warn!(error = %e, "cannot prune old idempotency keys; trying again later");
        }
        if let Err(e) = crate::db::hooks::prune(&pool, Duration::from_secs(7 * 24 * 3600)).await {
            tracing::warn!(error = %e, "cannot prune old webhook deliveries; trying again later");
        }
        tokio::select! {
            _ = &mut shutdown => return,
            _ = tokio::time::sleep(Duration::from_secs(600)) => {}
        }
    }
}
