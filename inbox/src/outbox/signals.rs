//! Read receipts and typing rows (see [`crate::receipts`]): delivered by the same workers, claim
//! and retries as replies. A row that is too late, that the provider cannot do, or whose channel
//! is disabled is dropped. A delivered read receipt marks its message (`marked_read_at`: it and
//! the earlier customer messages are read, which the sandbox phone shows as blue ticks), a
//! delivered "typing…" or its end marks the chat (`typing_shown_at`: the sandbox phone shows
//! "typing…"), and each says so live.

use super::worker::{db, recipient, Outbox, Outcome};
use crate::db::outbox::{self, Job};
use crate::db::{chats, events, messages};
use model::{LiveEvent, TypingShown};
use whatsapp::SendErrorKind;

impl Outbox {
    /// A read receipt or typing indicator: sent with the same retries as a reply; a delivered
    /// read receipt marks its own message read, a delivered "typing…" (or its end) its chat, and
    /// "typing…" that comes too late is dropped instead.
    pub(super) async fn signal(&self, job: outbox::Claimed) -> anyhow::Result<Outcome> {
        let outcome = self.try_signal(&job).await?;
        let result = match outcome {
            Outcome::Sent => "sent",
            Outcome::Retrying => "retrying",
            Outcome::Failed => "failed",
            Outcome::Dropped | Outcome::Idle => "dropped",
        };
        metrics::counter!("inbox_signals_total", "kind" => job.job.as_str(), "result" => result)
            .increment(1);
        Ok(outcome)
    }

    async fn try_signal(&self, job: &outbox::Claimed) -> anyhow::Result<Outcome> {
        let drop = |why: String| async move {
            let mut conn = self.pool.acquire().await?;
            outbox::remove(&mut conn, job.outbox_id, job.attempts)
                .await
                .map_err(db)?;
            tracing::info!("{why}; dropped");
            anyhow::Ok(Outcome::Dropped)
        };
        if job.expired {
            return drop("too late to show".into()).await;
        }
        if job.attempts > self.settings.max_attempts {
            return drop(format!("no result after {} attempts", job.attempts - 1)).await;
        }
        let route = self.route(job.chat_id).await?;
        let provider = match self.channels.provider(route.channel_id) {
            Ok(p) => p,
            Err(e) => return drop(format!("not sent: {e}")).await,
        };
        let can = provider.capabilities();
        let supported = match job.job {
            Job::Read => can.read_receipts,
            Job::Typing => can.typing,
            Job::TypingOff => can.typing_stops,
            Job::Send => false,
        };
        let Some(target) = job.provider_message_id.as_deref().filter(|_| supported) else {
            return drop(format!("{:?} cannot do this", provider.kind())).await;
        };
        let to = recipient(&route);
        let result = match job.job {
            Job::Read => provider.mark_read(&to, target).await,
            on => provider.typing(&to, target, on == Job::Typing).await,
        };
        let Err(e) = result else {
            // What the customer now sees is marked before the row goes: the order in which
            // rows are queued (the message or chat, then the outbox), so neither waits on the
            // other.
            let mut tx = self.pool.begin().await?;
            match job.job {
                Job::Read => self.read_up_to(&mut tx, job).await?,
                Job::Typing | Job::TypingOff => self.typing_shown(&mut tx, job).await?,
                Job::Send => {}
            }
            outbox::remove(&mut tx, job.outbox_id, job.attempts)
                .await
                .map_err(db)?;
            tx.commit().await?;
            tracing::debug!("delivered");
            return Ok(Outcome::Sent);
        };
        let mut conn = self.pool.acquire().await?;
        if e.kind == SendErrorKind::Retryable && job.attempts < self.settings.max_attempts {
            self.retry_later(&mut conn, job, &e).await?;
            return Ok(Outcome::Retrying);
        }
        outbox::remove(&mut conn, job.outbox_id, job.attempts)
            .await
            .map_err(db)?;
        tracing::warn!(error = %e, "failed for good");
        Ok(Outcome::Failed)
    }

    /// The provider took "typing…" or its end: the customer's phone shows it or no more, and
    /// whoever shows it (the sandbox phone) is told.
    async fn typing_shown(
        &self,
        tx: &mut sqlx::PgConnection,
        job: &outbox::Claimed,
    ) -> anyhow::Result<()> {
        let shown = job.job == Job::Typing;
        if chats::typing_shown(&mut *tx, job.chat_id, shown)
            .await
            .map_err(db)?
        {
            let change = TypingShown {
                chat_id: job.chat_id,
                shown,
            };
            events::publish(&mut *tx, &LiveEvent::Typing(change))
                .await
                .map_err(db)?;
        }
        Ok(())
    }

    /// The provider took the read receipt: the customer's messages up to it are read, and
    /// whoever shows them (the sandbox phone) is told.
    async fn read_up_to(
        &self,
        tx: &mut sqlx::PgConnection,
        job: &outbox::Claimed,
    ) -> anyhow::Result<()> {
        if messages::receipt_delivered(&mut *tx, job.message_id)
            .await
            .map_err(db)?
        {
            let view = messages::view(&mut *tx, job.message_id).await.map_err(db)?;
            events::publish(&mut *tx, &LiveEvent::MessageUpdated(view))
                .await
                .map_err(db)?;
        }
        Ok(())
    }
}
