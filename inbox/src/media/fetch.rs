//! The media fetchers: claim a queued download, fetch the file through the channel's adapter,
//! keep it in the store, mark it ready and tell the open conversations; retry with backoff;
//! after the last try, or at once when retrying cannot help (expired, too large, refused), the
//! bubble says why. `run_until_stopped` runs the loops, woken by `NOTIFY media_wakeup`; tests
//! call `fetch_next` directly.

use super::{MediaSettings, MediaStore};
use crate::channels::Channels;
use crate::db::attachments::{self, Claimed};
use crate::db::{events, messages};
use model::{LiveEvent, MediaProblem, MessageId};
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use whatsapp::MediaError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fetched {
    /// Nothing was due.
    Idle,
    Ready,
    /// Failed this time; scheduled again.
    Retrying,
    /// Gave up: the bubble shows why.
    Failed,
}

#[derive(Clone)]
pub struct Fetcher {
    pool: PgPool,
    channels: Arc<Channels>,
    store: MediaStore,
    settings: MediaSettings,
}

impl Fetcher {
    pub fn new(
        pool: PgPool,
        channels: Arc<Channels>,
        store: MediaStore,
        settings: MediaSettings,
    ) -> Fetcher {
        Fetcher {
            pool,
            channels,
            store,
            settings,
        }
    }

    pub fn store(&self) -> &MediaStore {
        &self.store
    }

    /// Fetches one due file, if any.
    pub async fn fetch_next(&self) -> anyhow::Result<Fetched> {
        let Some(job) = attachments::claim(&self.pool, self.settings.lease()).await? else {
            return Ok(Fetched::Idle);
        };
        let outcome = self.fetch(&job).await?;
        metrics::counter!("inbox_media_fetches_total", "result" => match outcome {
            Fetched::Ready => "ready",
            Fetched::Retrying => "retrying",
            _ => "failed",
        })
        .increment(1);
        Ok(outcome)
    }

    async fn fetch(&self, job: &Claimed) -> anyhow::Result<Fetched> {
        // A disabled channel's messages are stored, and so are their files: fetching one sends
        // nothing to the customer.
        let adapter = self
            .channels
            .get(job.channel_id)
            .ok_or_else(|| format!("no channel {}", job.channel_id.0))
            .and_then(|c| c.adapter().cloned().map_err(|e| e.to_string()));
        let adapter = match adapter {
            Ok(a) => a,
            Err(reason) => return self.not_now(job, &MediaError::temporary(reason)).await,
        };
        let kind = job
            .kind
            .as_str()
            .parse()
            .unwrap_or(whatsapp::MessageKind::Document);
        let limit = whatsapp::media::max_bytes(kind);
        // Bounded within the lease, so no second fetcher claims a download still running.
        let bound = self.settings.lease() - Duration::from_secs(10);
        let download =
            match tokio::time::timeout(bound, adapter.download_media(&job.media, limit)).await {
                Err(_) => {
                    let e = MediaError::temporary(format!(
                        "the download took longer than {} s",
                        bound.as_secs()
                    ));
                    return self.not_now(job, &e).await;
                }
                Ok(Ok(d)) => d,
                Ok(Err(e)) if e.retryable() => return self.not_now(job, &e).await,
                Ok(Err(e)) => return self.give_up(job, problem(&e), &e.to_string()).await,
            };
        // A full disk or a database hiccup after the download counts as a failed try: it is
        // retried with backoff, and the bubble tells once the tries are spent.
        match self.keep(job, &download).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(
                    message = job.message_id.0,
                    "download finished after its lease ran out; the new claim decides"
                );
                return Ok(Fetched::Retrying);
            }
            Err(e) => {
                let e = MediaError::temporary(format!("keeping the file: {e:#}"));
                return self.not_now(job, &e).await;
            }
        }
        tracing::debug!(
            message = job.message_id.0,
            bytes = download.bytes.len(),
            "media stored"
        );
        self.evict_past_limit().await?;
        Ok(Fetched::Ready)
    }

    /// Puts the file into the store and the row ready, while the claim still holds it. The
    /// file's index row is locked before its bytes are written, so an eviction of the same file
    /// cannot remove them in between (it waits, or skips the row).
    async fn keep(&self, job: &Claimed, download: &whatsapp::Downloaded) -> anyhow::Result<bool> {
        if !attachments::still_ours(&self.pool, job).await? {
            return Ok(false);
        }
        let sha = MediaStore::name_of(&download.bytes);
        let size = download.bytes.len() as i64;
        let mime = job
            .media
            .mime_type
            .as_deref()
            .or(download.mime_type.as_deref());
        // A photo's thumbnail is made before the transaction, off the runtime's threads.
        let thumbnail = if job.kind == model::MessageKind::Image {
            super::thumbnail::make_async(download.bytes.clone().into(), mime.map(str::to_owned))
                .await
        } else {
            None
        };
        let mut tx = self.pool.begin().await?;
        attachments::index_file(&mut tx, &sha, size).await?;
        self.store.put(&download.bytes).await?;
        if let Some(t) = &thumbnail {
            // Without its thumbnail the photo still shows (the bubble loads the photo itself).
            match self.store.put_thumb(&sha, &t.bytes).await {
                Ok(()) => {
                    attachments::set_thumbnail(&mut tx, &sha, t.mime_type, t.bytes.len() as i64)
                        .await?
                }
                Err(e) => {
                    tracing::warn!(file = %sha, error = %e, "keeping a thumbnail failed; the photo is shown as it is")
                }
            }
        }
        if !attachments::stored(&mut tx, job, &sha, size, mime).await? {
            return Ok(false);
        }
        announce(&mut tx, &[job.message_id]).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// A retryable failure: again after the backoff, or unavailable once the tries are spent.
    async fn not_now(&self, job: &Claimed, e: &MediaError) -> anyhow::Result<Fetched> {
        let tries = job.attempts - job.tries_before;
        if tries >= self.settings.max_attempts {
            return self
                .give_up(job, MediaProblem::Unavailable, &e.to_string())
                .await;
        }
        let after = match e {
            MediaError::Temporary {
                retry_after: Some(d),
                ..
            } => *d,
            _ => Duration::ZERO,
        };
        let delay = self.settings.backoff(tries).max(after);
        attachments::reschedule(&self.pool, job, delay, &e.to_string()).await?;
        tracing::warn!(message = job.message_id.0, error = %e, retry_in_ms = delay.as_millis() as u64, "media download failed; will retry");
        Ok(Fetched::Retrying)
    }

    async fn give_up(
        &self,
        job: &Claimed,
        problem: MediaProblem,
        detail: &str,
    ) -> anyhow::Result<Fetched> {
        let mut tx = self.pool.begin().await?;
        if attachments::failed(&mut tx, job, problem, detail).await? {
            announce(&mut tx, &[job.message_id]).await?;
        }
        tx.commit().await?;
        tracing::warn!(message = job.message_id.0, problem = %problem, detail, "media download gave up");
        Ok(Fetched::Failed)
    }

    /// Past the store's limit, removes the files used longest ago.
    async fn evict_past_limit(&self) -> anyhow::Result<()> {
        let mut total = attachments::total_size(&self.pool).await? as u64;
        while total > self.settings.max_bytes {
            let mut tx = self.pool.begin().await?;
            let Some((sha, size, messages)) = attachments::evict_oldest(&mut tx).await? else {
                break;
            };
            announce(&mut tx, &messages).await?;
            // Removed while the index row is locked: a download of the same file waits for
            // this commit and writes the bytes again.
            self.store.remove(&sha).await?;
            tx.commit().await?;
            tracing::info!(file = %sha, bytes = size, "media store over its limit: removed the file used longest ago");
            total = total.saturating_sub(size as u64);
        }
        Ok(())
    }

    /// Fetches until `shutdown` resolves: `workers` loops, woken by `NOTIFY media_wakeup` and
    /// by the next retry falling due. A download in flight at shutdown is abandoned; its lease
    /// runs out and the next start fetches it again.
    pub async fn run_until_stopped(self, shutdown: impl std::future::Future<Output = ()>) {
        let wake = Arc::new(Notify::new());
        let listener = tokio::spawn(crate::wakeup::listen(
            self.pool.clone(),
            attachments::WAKEUP_CHANNEL,
            wake.clone(),
        ));
        let mut loops = tokio::task::JoinSet::new();
        for _ in 0..self.settings.workers.max(1) {
            loops.spawn(self.clone().work(wake.clone()));
        }
        shutdown.await;
        listener.abort();
        loops.abort_all();
    }

    async fn work(self, wake: Arc<Notify>) {
        loop {
            let notified = wake.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            match self.fetch_next().await {
                Ok(Fetched::Idle) => {
                    let due = attachments::next_due_in(&self.pool).await.ok().flatten();
                    let nap = due
                        .unwrap_or(Duration::from_secs(30))
                        .clamp(Duration::from_millis(10), Duration::from_secs(30));
                    tokio::select! {
                        _ = notified => {}
                        _ = tokio::time::sleep(nap) => {}
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(error = %format!("{e:#}"), "media fetcher error; pausing");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }
}

/// `message.updated` for each message whose file changed, so open conversations redraw it.
pub(crate) async fn announce(
    conn: &mut sqlx::PgConnection,
    ids: &[MessageId],
) -> Result<(), crate::Error> {
    for &id in ids {
        let view = messages::view(conn, id).await?;
        events::publish(conn, &LiveEvent::MessageUpdated(view)).await?;
    }
    Ok(())
}

fn problem(e: &MediaError) -> MediaProblem {
    match e {
        MediaError::Expired(_) => MediaProblem::Expired,
        MediaError::TooLarge { .. } => MediaProblem::TooLarge,
        MediaError::Unsupported(_) => MediaProblem::Unsupported,
        MediaError::Refused(_) => MediaProblem::Refused,
        MediaError::Temporary { .. } => MediaProblem::Unavailable,
    }
}
