//! `event`: the log of everything browsers must learn about. Writers insert an event in the
//! same transaction as the change and `NOTIFY inbox_events` with its id; PostgreSQL delivers
//! the notification only after commit, to every listening server process.

use crate::AppError;
use serde::Serialize;
use sqlx::PgConnection;

pub const CHANNEL: &str = "inbox_events";

pub const MESSAGE_CREATED: &str = "message.created";
pub const MESSAGE_UPDATED: &str = "message.updated";
pub const CHAT_UPDATED: &str = "chat.updated";

/// A stored event, as it goes to subscribers.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredEvent {
    pub event_id: i64,
    pub kind: String,
    pub chat_id: Option<i64>,
    pub payload: serde_json::Value,
}

pub async fn publish(
    conn: &mut PgConnection,
    kind: &str,
    chat_id: i64,
    payload: &impl Serialize,
) -> Result<i64, AppError> {
    let payload =
        serde_json::to_value(payload).map_err(|e| anyhow::anyhow!("event payload: {e}"))?;
    let event_id: i64 = sqlx::query_scalar(
        "with e as (insert into event (kind, chat_id, payload) values ($1, $2, $3) returning event_id)
         select e.event_id, pg_notify($4, e.event_id::text) from e",
    )
    .bind(kind)
    .bind(chat_id)
    .bind(payload)
    .bind(CHANNEL)
    .fetch_one(conn)
    .await?;
    Ok(event_id)
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
