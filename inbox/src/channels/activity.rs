//! The last webhook and the last successful send of each channel, for the Channels page.
//! Recorded in memory on the hot paths (no write per webhook or send, no lock on the channel
//! row) and written every few seconds; several processes only move the times forward.

use chrono::{DateTime, Utc};
use model::ChannelId;
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

#[derive(Debug, Default)]
pub struct Activity {
    pending: Mutex<HashMap<ChannelId, Seen>>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Seen {
    webhook: Option<DateTime<Utc>>,
    send: Option<DateTime<Utc>>,
}

/// How often recorded activity is written.
pub const FLUSH_EVERY: Duration = Duration::from_secs(2);

impl Activity {
    pub fn webhook(&self, channel: ChannelId) {
        if let Ok(mut p) = self.pending.lock() {
            p.entry(channel).or_default().webhook = Some(Utc::now());
        }
    }

    pub fn sent(&self, channel: ChannelId) {
        if let Ok(mut p) = self.pending.lock() {
            p.entry(channel).or_default().send = Some(Utc::now());
        }
    }

    /// Writes what was recorded since the last call.
    pub async fn flush(&self, pool: &PgPool) {
        let taken = match self.pending.lock() {
            Ok(mut p) => std::mem::take(&mut *p),
            Err(_) => return,
        };
        for (channel, seen) in taken {
            if let Err(e) =
                crate::db::channels::record_activity(pool, channel, seen.webhook, seen.send).await
            {
                tracing::warn!(channel_id = %channel, error = %e, "cannot record channel activity");
            }
        }
    }
}

/// Flushes every [`FLUSH_EVERY`] until `shutdown`, then once more (the server also flushes once
/// after it stopped serving).
pub async fn flush_until_stopped(
    channels: std::sync::Arc<super::Channels>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut tick = tokio::time::interval(FLUSH_EVERY);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            _ = tick.tick() => channels.activity.flush(channels.pool()).await,
        }
    }
    channels.activity.flush(channels.pool()).await;
}
