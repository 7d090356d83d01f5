//! `event`: the log of everything browsers must learn about. Writers insert an event in the
//! same transaction as the change and `NOTIFY inbox_events`; PostgreSQL delivers the
//! notification only after commit, to every listening server process. The notification carries
//! the whole event when it fits (NOTIFY takes under 8000 bytes), so listeners need no query;
//! a larger one carries only its id and is read from the table.

use crate::Error;
use model::ChatId;
use model::{EventKind, LiveEvent};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};

pub const CHANNEL: &str = "inbox_events";

/// A stored event, as it goes to subscribers.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct StoredEvent {
    pub event_id: i64,
    pub kind: EventKind,
    pub chat_id: Option<ChatId>,
    pub payload: serde_json::Value,
    /// The event as a live stream sends it, made once however many streams send it.
    #[sqlx(skip)]
    #[serde(skip)]
    frame: std::sync::OnceLock<bytes::Bytes>,
}

impl StoredEvent {
    /// The event as one Server-Sent Events message (`id`, `event`, `data`: the payload's JSON),
    /// written on first use; every stream then sends the same bytes (a reference count, not a
    /// copy).
    pub fn sse_frame(&self) -> bytes::Bytes {
        self.frame
            .get_or_init(|| {
                let json = self.payload.to_string();
                let mut frame = format!("id: {}\nevent: {}\n", self.event_id, self.kind.as_str());
                // Compact JSON has no line breaks (they are escaped in strings); were there any,
                // each line would need its own `data:`.
                for line in json.split('\n') {
                    frame.push_str("data: ");
                    frame.push_str(line);
                    frame.push('\n');
                }
                frame.push('\n');
                bytes::Bytes::from(frame)
            })
            .clone()
    }
}

/// Notifications longer than this carry only the event id.
pub const INLINE_LIMIT: i32 = 7000;

/// Stores an event and notifies every listening process, in one statement. The notification
/// carries the event as JSON when it fits, else only its id. (Ingest publishes its own two
/// events inside `inbox_store_inbound`, the same way; tests hold its JSON to [`LiveEvent`].)
pub async fn publish(conn: &mut PgConnection, event: &LiveEvent) -> Result<(), Error> {
    let payload = event
        .payload()
        .map_err(|e| anyhow::anyhow!("event payload: {e}"))?;
    sqlx::query(
        "with e as (insert into event (kind, chat_id, payload) values ($1, $2, $3)
                    returning event_id, kind, chat_id, payload),
              n as (select event_id, json_build_object('event_id', event_id, 'kind', kind,
                                                       'chat_id', chat_id, 'payload', payload)::text as note
                      from e)
         select pg_notify($4, case when octet_length(note) <= $5 then note else event_id::text end)
           from n",
    )
    .bind(event.kind())
    .bind(event.chat_id())
    .bind(payload)
    .bind(CHANNEL)
    .bind(INLINE_LIMIT)
    .execute(conn)
    .await?;
    Ok(())
}

pub fn to_json(payload: &impl Serialize) -> Result<serde_json::Value, Error> {
    Ok(serde_json::to_value(payload).map_err(|e| anyhow::anyhow!("event payload: {e}"))?)
}

/// What a notification says: the whole event, or only its id (a large event).
pub enum Notified {
    Event(StoredEvent),
    Id(i64),
}

pub fn decode(note: &str) -> Option<Notified> {
    match note.parse::<i64>() {
        Ok(id) => Some(Notified::Id(id)),
        Err(_) => serde_json::from_str(note).ok().map(Notified::Event),
    }
}

pub async fn by_ids(pool: &sqlx::PgPool, ids: &[i64]) -> Result<Vec<StoredEvent>, Error> {
    Ok(sqlx::query_as("select event_id, kind, chat_id, payload from event where event_id = any($1) order by event_id")
        .bind(ids)
        .fetch_all(pool)
        .await?)
}

/// Events after `after` (for a subscriber that reconnects), at most `limit`.
pub async fn since(pool: &sqlx::PgPool, after: i64, limit: i64) -> Result<Vec<StoredEvent>, Error> {
    Ok(sqlx::query_as("select event_id, kind, chat_id, payload from event where event_id > $1 order by event_id limit $2")
        .bind(after)
        .bind(limit)
        .fetch_all(pool)
        .await?)
}

/// The newest event id (0 with none).
pub async fn latest_id(pool: &sqlx::PgPool) -> Result<i64, Error> {
    Ok(
        sqlx::query_scalar("select coalesce(max(event_id), 0) from event")
            .fetch_one(pool)
            .await?,
    )
}

/// The sandbox channel's chats of one phone number (the sandbox phone's event filter).
pub async fn sandbox_chat_ids(pool: &PgPool, phone: &str) -> Result<Vec<ChatId>, Error> {
    Ok(sqlx::query_scalar(
        "select c.chat_id from chat c join contact ct using (contact_id) join channel ch using (channel_id)
          where ch.kind = 'sandbox' and ct.phone = $1",
    )
    .bind(phone)
    .fetch_all(pool)
    .await?)
}

/// The oldest stored event id (`None` with none).
pub async fn oldest_id(pool: &sqlx::PgPool) -> Result<Option<i64>, Error> {
    Ok(sqlx::query_scalar("select min(event_id) from event")
        .fetch_one(pool)
        .await?)
}

/// Deletes up to `batch` events older than `retention`, oldest first, never the newest event
/// (so the oldest id left always tells a resuming subscriber whether it missed pruned ones).
/// Returns how many went.
pub async fn prune(
    pool: &sqlx::PgPool,
    retention: std::time::Duration,
    batch: i64,
) -> Result<u64, Error> {
    Ok(sqlx::query(
        "delete from event where event_id in (
            select event_id from event
             where created_at < now() - make_interval(secs => $1)
               and event_id < (select max(event_id) from event)
             order by event_id limit $2)",
    )
    .bind(retention.as_secs_f64())
    .bind(batch)
    .execute(pool)
    .await?
    .rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_one_sse_message_written_once() {
        let event = StoredEvent {
            event_id: 42,
            kind: EventKind::MessageCreated,
            chat_id: Some(ChatId(7)),
            payload: serde_json::json!({"body": "two\nlines", "chat_id": 7}),
            frame: Default::default(),
        };
        let frame = event.sse_frame();
        assert_eq!(
            std::str::from_utf8(&frame).unwrap(),
            "id: 42\nevent: message.created\ndata: {\"body\":\"two\\nlines\",\"chat_id\":7}\n\n"
        );
        // The same bytes for every stream, not a copy.
        assert_eq!(event.sse_frame().as_ptr(), frame.as_ptr());
    }
}
