//! `event`: the log of everything browsers must learn about. Writers insert an event in the
//! same transaction as the change and `NOTIFY inbox_events`; PostgreSQL delivers the
//! notification only after commit, to every listening server process. The notification carries
//! the whole event when it fits (NOTIFY takes under 8000 bytes), so listeners need no query;
//! a larger one carries only its id and is read from the table.

use crate::AppError;
use serde::Serialize;
use sqlx::PgConnection;

pub const CHANNEL: &str = "inbox_events";

pub const MESSAGE_CREATED: &str = "message.created";
pub const MESSAGE_UPDATED: &str = "message.updated";
pub const CHAT_UPDATED: &str = "chat.updated";

/// A stored event, as it goes to subscribers.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct StoredEvent {
    pub event_id: i64,
    pub kind: String,
    pub chat_id: Option<i64>,
    pub payload: serde_json::Value,
}

/// Notifications longer than this carry only the event id.
const INLINE_LIMIT: usize = 7000;

pub async fn publish(
    conn: &mut PgConnection,
    kind: &str,
    chat_id: i64,
    payload: &impl Serialize,
) -> Result<i64, AppError> {
    let payload =
        serde_json::to_value(payload).map_err(|e| anyhow::anyhow!("event payload: {e}"))?;
    let event_id: i64 = sqlx::query_scalar(
        "insert into event (kind, chat_id, payload) values ($1, $2, $3) returning event_id",
    )
    .bind(kind)
    .bind(chat_id)
    .bind(&payload)
    .fetch_one(&mut *conn)
    .await?;
    let event = StoredEvent {
        event_id,
        kind: kind.to_string(),
        chat_id: Some(chat_id),
        payload,
    };
    let inline =
        serde_json::to_string(&event).map_err(|e| anyhow::anyhow!("event payload: {e}"))?;
    let note = if inline.len() <= INLINE_LIMIT {
        inline
    } else {
        event_id.to_string()
    };
    sqlx::query("select pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(note)
        .execute(conn)
        .await?;
    Ok(event_id)
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

pub async fn by_ids(pool: &sqlx::PgPool, ids: &[i64]) -> Result<Vec<StoredEvent>, AppError> {
    Ok(sqlx::query_as("select event_id, kind, chat_id, payload from event where event_id = any($1) order by event_id")
        .bind(ids)
        .fetch_all(pool)
        .await?)
}

/// Events after `after` (for a subscriber that reconnects), at most `limit`.
pub async fn since(
    pool: &sqlx::PgPool,
    after: i64,
    limit: i64,
) -> Result<Vec<StoredEvent>, AppError> {
    Ok(sqlx::query_as("select event_id, kind, chat_id, payload from event where event_id > $1 order by event_id limit $2")
        .bind(after)
        .bind(limit)
        .fetch_all(pool)
        .await?)
}
