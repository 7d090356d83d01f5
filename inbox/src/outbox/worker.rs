//! The outbox worker: delivers queued replies to the providers.
//!
//! `deliver_next` claims one due row (`FOR UPDATE SKIP LOCKED`, with a lease), sends it, and
//! records the result: sent (the provider's id is kept), retried later (exponential backoff with
//! jitter, honouring the provider's Retry-After), or failed with the provider's code and reason
//! (a permanent error at once, a retryable one once the attempts are spent).
//! `run_until_stopped` runs several such loops and wakes them on `NOTIFY outbox_wakeup`, so a
//! reply goes out as soon as it is committed; tests call `deliver_next` directly.
//!
//! Duplicates: no provider we send to accepts an idempotency key. A retry after a timeout or a
//! 5xx (`maybe_sent`), or after this process died between the send and its bookkeeping (the
//! lease expires), can therefore deliver a second copy; Meta statuses carry our message id
//! (`biz_opaque_callback_data`), which lets the inbox still match them to the right message.

use super::OutboxSettings;
use crate::channels::Channels;
use crate::db::outbox::Job;
use crate::db::{chats, events, messages, outbox};
use crate::media::MediaStore;
use model::LiveEvent;
use rand::Rng;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use whatsapp::{Recipient, SendErrorKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing was due.
    Idle,
    Sent,
    /// Failed this time; scheduled again.
    Retrying,
    /// Gave up: the message shows as failed with the reason.
    Failed,
    /// A read receipt or typing row not worth sending: too late (typing), or the provider
    /// cannot do it, or the channel is disabled.
    Dropped,
}

#[derive(Clone)]
pub struct Outbox {
    pub(super) pool: PgPool,
    pub(super) channels: Arc<Channels>,
    /// Where agents' files wait until they are uploaded.
    pub(super) store: MediaStore,
    pub(super) settings: OutboxSettings,
}

impl Outbox {
    pub fn new(
        pool: PgPool,
        channels: Arc<Channels>,
        store: MediaStore,
        settings: OutboxSettings,
    ) -> Outbox {
        Outbox {
            pool,
            channels,
            store,
            settings,
        }
    }

    /// The delay before attempt `attempts + 1`: base · 2^(attempts-1), capped, then a random
    /// 50–100 % of it so that many failed sends do not come back at the same instant.
    pub fn backoff(&self, attempts: i32) -> Duration {
        let exp = self
            .settings
            .retry_base
            .saturating_mul(1u32 << attempts.clamp(1, 20).saturating_sub(1));
        let capped = exp.min(self.settings.retry_max);
        capped.mul_f64(rand::rng().random_range(0.5..=1.0))
    }

    /// Where the chat's messages go: its channel and the customer.
    pub(super) async fn route(&self, chat_id: model::ChatId) -> anyhow::Result<chats::Route> {
        let mut conn = self.pool.acquire().await?;
        chats::route(&mut conn, chat_id)
            .await
            .map_err(|e| anyhow::anyhow!("route: {e}"))
    }

    /// Schedules the claimed row's next attempt after a retryable failure: the backoff, or the
    /// provider's Retry-After if longer. Only while the claim still holds the row.
    pub(super) async fn retry_later(
        &self,
        conn: &mut sqlx::PgConnection,
        job: &outbox::Claimed,
        e: &whatsapp::SendError,
    ) -> anyhow::Result<()> {
        let delay = self
            .backoff(job.attempts)
            .max(e.retry_after.unwrap_or_default());
        if outbox::reschedule(conn, job.outbox_id, job.attempts, delay, &e.to_string())
            .await
            .map_err(db)?
        {
            tracing::warn!(error = %e, retry_in_ms = delay.as_millis() as u64, "failed; will retry");
        } else {
            tracing::warn!(error = %e, "failed after its lease ran out; the new claim decides");
        }
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    pub async fn deliver_next(&self) -> anyhow::Result<Outcome> {
        let Some(job) = outbox::claim(&self.pool, self.settings.lease)
            .await
            .map_err(|e| anyhow::anyhow!("claim: {e}"))?
        else {
            return Ok(Outcome::Idle);
        };
        let span = tracing::info_span!(
            "deliver",
            message_id = %job.message_id,
            job = ?job.job,
            attempt = job.attempts
        );
        let _enter = span.enter();
        if job.job != Job::Send {
            return self.signal(job).await;
        }
        // More claims than attempts allowed: the earlier ones ended without a recorded result
        // (the process died mid-send, or the bookkeeping kept failing). Each may have reached
        // the provider; sending again and again would repeat the reply without end.
        if job.attempts > self.settings.max_attempts {
            let reason = format!(
                "no result recorded after {} attempts (the reply may have been sent)",
                job.attempts - 1
            );
            let mut tx = self.pool.begin().await?;
            if outbox::remove(&mut tx, job.outbox_id, job.attempts)
                .await
                .map_err(db)?
            {
                messages::mark_failed(&mut tx, job.message_id, None, &reason)
                    .await
                    .map_err(db)?;
                let view = messages::view(&mut tx, job.message_id).await.map_err(db)?;
                events::publish(&mut tx, &LiveEvent::MessageUpdated(view))
                    .await
                    .map_err(db)?;
            }
            tx.commit().await?;
            tracing::warn!("{reason}; given up");
            return Ok(Outcome::Failed);
        }
        let route = self.route(job.chat_id).await?;
        let send_started = std::time::Instant::now();
        let result = match self.channels.provider(route.channel_id) {
            Ok(provider) => match self.outgoing(provider.as_ref(), &job).await {
                Ok(message) => {
                    let to = recipient(&route);
                    provider
                        .send(&to, &message, &super::Callback(job.message_id).encode())
                        .await
                }
                Err(e) => Err(e),
            },
            Err(e) => Err(whatsapp::SendError::permanent(e.to_string())),
        };

        metrics::histogram!("inbox_send_seconds").record(send_started.elapsed());
        let mut tx = self.pool.begin().await?;
        let outcome = match result {
            Ok(receipt) => {
                self.channels.activity.sent(route.channel_id);
                // It was sent, whoever holds the row now: the message says so.
                if !messages::mark_sent(&mut tx, job.message_id, &receipt.provider_message_id)
                    .await
                    .map_err(db)?
                {
                    tracing::warn!(
                        provider_message_id = %receipt.provider_message_id,
                        "the provider answered an id another message already has; this one shows as sent without it"
                    );
                }
                if !outbox::remove(&mut tx, job.outbox_id, job.attempts)
                    .await
                    .map_err(db)?
                {
                    tracing::warn!(
                        "sent after its lease ran out: another claim holds the row (it may send again)"
                    );
                }
                tracing::info!(provider_message_id = %receipt.provider_message_id, "sent");
                Outcome::Sent
            }
            Err(e)
                if e.kind == SendErrorKind::Retryable
                    && job.attempts < self.settings.max_attempts =>
            {
                self.retry_later(&mut tx, &job, &e).await?;
                Outcome::Retrying
            }
            Err(e) => {
                let reason = match &e.detail {
                    Some(detail) if !e.reason.contains(detail.as_str()) => {
                        format!("{}: {detail}", e.reason)
                    }
                    _ => e.reason.clone(),
                };
                if outbox::remove(&mut tx, job.outbox_id, job.attempts)
                    .await
                    .map_err(db)?
                {
                    messages::mark_failed(&mut tx, job.message_id, e.code.as_deref(), &reason)
                        .await
                        .map_err(db)?;
                    tracing::warn!(error = %e, "send failed for good");
                    Outcome::Failed
                } else {
                    tracing::warn!(error = %e, "send failed after its lease ran out; the new claim decides");
                    Outcome::Retrying
                }
            }
        };
        if outcome != Outcome::Retrying {
            let view = messages::view(&mut tx, job.message_id).await.map_err(db)?;
            // A reaction shows on the message it is on: that one is redrawn.
            if let Some(reacted) = messages::reacted_to(&mut tx, &view).await.map_err(db)? {
                events::publish(&mut tx, &LiveEvent::MessageUpdated(reacted))
                    .await
                    .map_err(db)?;
            }
            events::publish(&mut tx, &LiveEvent::MessageUpdated(view))
                .await
                .map_err(db)?;
        }
        tx.commit().await?;
        let result = match outcome {
            Outcome::Sent => "sent",
            Outcome::Retrying => "retrying",
            Outcome::Failed => "failed",
            Outcome::Idle => "idle",
            Outcome::Dropped => "dropped",
        };
        metrics::counter!("inbox_sends_total", "result" => result).increment(1);
        if outcome == Outcome::Retrying {
            metrics::counter!("inbox_send_retries_total").increment(1);
        }
        Ok(outcome)
    }

    /// Delivers until `shutdown` resolves: `workers` loops, woken by `NOTIFY outbox_wakeup` and
    /// by the next retry falling due. A database outage pauses them; they go on afterwards.
    /// At shutdown no new reply is claimed, and the sends in flight finish (each bounded by the
    /// send timeout) and record their result, so a deploy does not send a reply twice.
    pub async fn run_until_stopped(self, shutdown: impl std::future::Future<Output = ()>) {
        let wake = Arc::new(Notify::new());
        let stopping = CancellationToken::new();
        let listener = tokio::spawn(crate::wakeup::listen(
            self.pool.clone(),
            outbox::WAKEUP_CHANNEL,
            wake.clone(),
        ));
        let mut loops = tokio::task::JoinSet::new();
        for _ in 0..self.settings.workers {
            loops.spawn(self.clone().work(wake.clone(), stopping.clone()));
        }
        shutdown.await;
        stopping.cancel();
        listener.abort();
        let bound = whatsapp::SEND_TIMEOUT + Duration::from_secs(5);
        let finished =
            tokio::time::timeout(bound, async { while loops.join_next().await.is_some() {} }).await;
        match finished {
            Ok(()) => tracing::info!("outbox stopped; every send in flight was recorded"),
            Err(_) => {
                tracing::warn!(
                    "outbox sends still in flight after {} s; their leases run out and they are \
                     retried",
                    bound.as_secs()
                );
                loops.abort_all();
            }
        }
    }

    async fn work(self, wake: Arc<Notify>, stopping: CancellationToken) {
        while !stopping.is_cancelled() {
            // Register for a wake-up before looking at the queue, so a reply committed between
            // "nothing due" and the wait is not missed.
            let notified = wake.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            match self.deliver_next().await {
                Ok(Outcome::Idle) => {
                    let due = outbox::next_due_in(&self.pool).await.ok().flatten();
                    let nap = due
                        .unwrap_or(Duration::from_secs(30))
                        .clamp(Duration::from_millis(10), Duration::from_secs(30));
                    tokio::select! {
                        _ = notified => {}
                        _ = tokio::time::sleep(nap) => {}
                        _ = stopping.cancelled() => {}
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(error = %format!("{e:#}"), "outbox worker error; pausing");
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                        _ = stopping.cancelled() => {}
                    }
                }
            }
        }
    }
}

pub(super) fn recipient(route: &chats::Route) -> Recipient {
    Recipient {
        phone: route.contact_phone.clone(),
        user_id: route.contact_bsuid.clone(),
    }
}

pub(super) fn db(e: crate::Error) -> anyhow::Error {
    anyhow::anyhow!("database: {e}")
}
