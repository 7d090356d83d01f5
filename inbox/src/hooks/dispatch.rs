//! The fan-out: pending live events (queued by the trigger on `event`, in the transaction that
//! wrote them) become webhook events and one delivery per endpoint that wants each, in one
//! transaction: a crash before the commit leaves them pending, after it they are delivered.
//! One dispatcher runs at a time across server processes (a transaction-scoped advisory lock),
//! taking events in their order, so each chat's events are queued in order.

use super::events::{self, HookEvent};
use super::Hooks;
use crate::db::hooks as db;
use crate::Error;

/// The kinds of live event webhooks read (the trigger on `event` queues only these).
pub const LIVE_KINDS: [model::EventKind; 3] = [
    model::EventKind::MessageCreated,
    model::EventKind::MessageUpdated,
    model::EventKind::ChannelChanged,
];

/// Events taken per transaction.
const BATCH: i64 = 500;

impl Hooks {
    /// Fans out one batch of pending events; how many webhook events it made (0 when nothing
    /// was pending or another process is dispatching).
    pub async fn dispatch_next(&self) -> Result<Dispatched, Error> {
        let mut tx = self.pool.begin().await?;
        if !db::try_dispatch_lock(&mut tx).await? {
            return Ok(Dispatched::Busy);
        }
        let pending = db::take_pending(&mut tx, BATCH).await?;
        if pending.is_empty() {
            return Ok(Dispatched::Idle);
        }
        let made = events::from_live(&mut tx, &self.settings.public_url, &pending).await?;
        let subscriptions = db::subscriptions(&mut tx).await?;
        let mut queued = 0;
        for event in &made {
            queued += queue(&mut tx, &subscriptions, event).await?;
        }
        if queued > 0 {
            db::wake(&mut tx).await?;
        }
        tx.commit().await?;
        metrics::counter!("inbox_webhook_events_total").increment(made.len() as u64);
        Ok(Dispatched::Made {
            live: pending.len(),
            events: made.len(),
            deliveries: queued,
        })
    }
}

/// What one dispatch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dispatched {
    Idle,
    /// Another process holds the dispatch lock.
    Busy,
    Made {
        live: usize,
        events: usize,
        deliveries: usize,
    },
}

/// Stores `event` and a delivery for each endpoint that wants it; how many deliveries.
async fn queue(
    tx: &mut sqlx::PgConnection,
    subscriptions: &[(i64, Vec<String>)],
    event: &HookEvent,
) -> Result<usize, Error> {
    let endpoints: Vec<i64> = subscriptions
        .iter()
        .filter(|(_, wanted)| events::wants(wanted, event.name))
        .map(|(id, _)| *id)
        .collect();
    if endpoints.is_empty() {
        return Ok(0);
    }
    let data = serde_json::to_string(&event.data).map_err(anyhow::Error::from)?;
    db::insert_event(&mut *tx, event.name, event.chat_id, &data, &endpoints).await?;
    Ok(endpoints.len())
}

#[cfg(test)]
mod tests {
    use super::LIVE_KINDS;

    #[test]
    fn the_trigger_queues_the_kinds_webhooks_read() {
        let migration = include_str!("../../../migrations/20261206000018_outbound_webhooks.sql");
        for kind in LIVE_KINDS {
            assert!(
                migration.contains(&format!("'{}'", kind.as_str())),
                "{kind}"
            );
        }
    }
}
