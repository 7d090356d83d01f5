//! Media: the files of customers' photos, voice notes, videos, documents and stickers.
//!
//! A customer's message with a file is stored by ingest like any other; a trigger queues its
//! download in the same transaction (`db::attachments`). The [`fetch`] workers claim queued
//! downloads, fetch each file through the channel's adapter ([`whatsapp::Provider::download_media`])
//! once, keep it in the [`store`] and tell every open conversation (`message.updated`). The
//! webhook never waits for a download. The store is bounded (`INBOX_MEDIA_MAX_GB`): past it,
//! the file used longest ago is removed, and its bubbles say so.

pub mod fetch;
pub mod s3;
pub mod store;
pub mod thumbnail;

pub use fetch::{Fetched, Fetcher};
pub use s3::{Bucket, S3Config};
pub use store::{Located, MediaStore};

use std::time::Duration;

/// How media is fetched and kept (`INBOX_MEDIA_*`).
#[derive(Debug, Clone)]
pub struct MediaSettings {
    /// `INBOX_MEDIA_WORKERS` (default 2): downloads in flight at once per server process.
    pub workers: usize,
    /// `INBOX_MEDIA_MAX_GB` (default 10): the store's size; past it the file used longest ago
    /// is removed.
    pub max_bytes: u64,
    /// Tries before a file shows as unavailable (default 12, over about 40 minutes).
    pub max_attempts: i32,
    /// The first retry's delay (default 2 s); it doubles each time, up to `retry_max`.
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// `INBOX_MEDIA_S3_*`: keep the files in an S3-compatible bucket instead of on disk.
    pub s3: Option<S3Config>,
}

impl Default for MediaSettings {
    fn default() -> Self {
        MediaSettings {
            workers: 2,
            max_bytes: 10 * 1024 * 1024 * 1024,
            max_attempts: 12,
            retry_base: Duration::from_secs(2),
            retry_max: Duration::from_secs(600),
            s3: None,
        }
    }
}

impl MediaSettings {
    /// A claimed download counts as lost after this (a download's longest time, and a margin).
    pub fn lease(&self) -> Duration {
        whatsapp::media::DOWNLOAD_TIMEOUT + whatsapp::SEND_TIMEOUT + Duration::from_secs(15)
    }

    /// The delay before attempt `attempts + 1`.
    pub fn backoff(&self, attempts: i32) -> Duration {
        self.retry_base
            .saturating_mul(1u32 << attempts.clamp(1, 20).saturating_sub(1))
            .min(self.retry_max)
    }
}

/// "Try again" on a customer's file that failed or was removed to save space: queued afresh
/// (the provider may still have it: Meta keeps a customer's file 7 days).
pub async fn retry(
    pool: &sqlx::PgPool,
    message_id: model::MessageId,
) -> Result<model::MessageView, crate::Error> {
    use crate::db::{attachments, events, messages};
    let mut tx = pool.begin().await?;
    if !attachments::requeue(&mut tx, message_id).await? {
        return Err(crate::Error::Conflict(model::Reason::NotFailed));
    }
    let view = messages::view(&mut tx, message_id).await?;
    events::publish(&mut tx, &model::LiveEvent::MessageUpdated(view.clone())).await?;
    tx.commit().await?;
    Ok(view)
}

/// A file the index names but the store no longer holds (removed by hand, or an eviction racing
/// a download of the same file): its messages show it as removed from now on.
pub async fn lost(pool: &sqlx::PgPool, sha256: &str) -> Result<(), crate::Error> {
    let mut tx = pool.begin().await?;
    let ids = crate::db::attachments::forget(&mut tx, sha256).await?;
    fetch::announce(&mut tx, &ids).await?;
    tx.commit().await?;
    Ok(())
}

/// An upload refused after its bytes were kept (a template that does not fit, a caption too
/// long, …): removed with its thumbnail, unless the index names the same bytes (sent before).
pub async fn discard_unindexed(pool: &sqlx::PgPool, store: &MediaStore, sha256: &str) {
    let discarded = async {
        let mut tx = pool.begin().await?;
        crate::db::attachments::lock_file(&mut tx, sha256).await?;
        if !crate::db::attachments::is_indexed(&mut tx, sha256).await? {
            // Under the lock: a send of the same bytes indexes them only after this.
            store.remove(sha256).await.map_err(|e| {
                crate::Error::Other(anyhow::anyhow!("removing a refused upload: {e}"))
            })?;
        }
        tx.commit().await?;
        Ok::<_, crate::Error>(())
    };
    if let Err(e) = discarded.await {
        tracing::warn!(file = %sha256, error = %e, "discarding a refused upload");
    }
}
