//! `channel`: the WhatsApp numbers this inbox serves. Credentials are stored encrypted; this
//! module only moves the opaque bytes (`channels` encrypts and decrypts them).

use crate::Error;
use chrono::{DateTime, Utc};
use model::{ChannelId, ChannelKind, ChannelSettings};
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};

pub const SANDBOX_KEY: &str = "sandbox";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChannelRow {
    pub channel_id: ChannelId,
    pub kind: ChannelKind,
    pub channel_key: String,
    pub name: String,
    pub display_phone: Option<String>,
    pub credentials: Option<Vec<u8>>,
    pub webhook_key: String,
    pub enabled: bool,
    pub from_env: bool,
    pub settings: Json<ChannelSettings>,
    pub check_state: Option<String>,
    pub check_failure: Option<String>,
    pub check_detail: Option<String>,
    pub checked_at: Option<DateTime<Utc>>,
    pub last_webhook_at: Option<DateTime<Utc>>,
    pub last_send_at: Option<DateTime<Utc>>,
    /// Marked by an admin as the API's channel for calls that name none.
    pub api_default: bool,
}

const COLUMNS: &str =
    "channel_id, kind, channel_key, name, display_phone, credentials, webhook_key,
    enabled, from_env, settings, check_state, check_failure, check_detail, checked_at,
    last_webhook_at, last_send_at, api_default";

/// Creates or updates the channel `(kind, key)` described by the environment (or the sandbox);
/// returns its id. Its webhook key, switches and settings stay as they were.
pub async fn upsert_env(
    conn: &mut PgConnection,
    kind: ChannelKind,
    key: &str,
    name: &str,
    credentials: Option<&[u8]>,
) -> Result<ChannelId, Error> {
    Ok(sqlx::query_scalar(
        "insert into channel (kind, channel_key, name, credentials, from_env)
         values ($1, $2, $3, $4, $1 <> 'sandbox')
         on conflict (kind, channel_key) do update
           set name = excluded.name, credentials = excluded.credentials,
               from_env = excluded.from_env, updated_at = now()
         returning channel_id",
    )
    .bind(kind)
    .bind(key)
    .bind(name)
    .bind(credentials)
    .fetch_one(conn)
    .await?)
}

/// A new channel (an admin's, or another number of a Meta app); `None` when `(kind, key)`
/// exists already.
pub async fn insert(
    conn: &mut PgConnection,
    kind: ChannelKind,
    key: &str,
    name: &str,
    credentials: &[u8],
    from_env: bool,
) -> Result<Option<ChannelId>, Error> {
    Ok(sqlx::query_scalar(
        "insert into channel (kind, channel_key, name, credentials, from_env)
         values ($1, $2, $3, $4, $5)
         on conflict (kind, channel_key) do nothing
         returning channel_id",
    )
    .bind(kind)
    .bind(key)
    .bind(name)
    .bind(credentials)
    .bind(from_env)
    .fetch_optional(conn)
    .await?)
}

/// Renames a channel and replaces its credentials.
pub async fn update(
    conn: &mut PgConnection,
    channel_id: ChannelId,
    name: &str,
    credentials: &[u8],
) -> Result<bool, Error> {
    Ok(sqlx::query(
        "update channel set name = $2, credentials = $3, updated_at = now() where channel_id = $1",
    )
    .bind(channel_id)
    .bind(name)
    .bind(credentials)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Replaces a channel's sealed credentials (key rotation).
pub async fn set_credentials(
    pool: &PgPool,
    channel_id: ChannelId,
    credentials: &[u8],
) -> Result<(), Error> {
    sqlx::query("update channel set credentials = $2 where channel_id = $1")
        .bind(channel_id)
        .bind(credentials)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn set_enabled(
    conn: &mut PgConnection,
    channel_id: ChannelId,
    enabled: bool,
) -> Result<bool, Error> {
    Ok(
        sqlx::query("update channel set enabled = $2, updated_at = now() where channel_id = $1")
            .bind(channel_id)
            .bind(enabled)
            .execute(conn)
            .await?
            .rows_affected()
            == 1,
    )
}

pub async fn set_settings(
    conn: &mut PgConnection,
    channel_id: ChannelId,
    settings: &ChannelSettings,
) -> Result<bool, Error> {
    Ok(
        sqlx::query("update channel set settings = $2, updated_at = now() where channel_id = $1")
            .bind(channel_id)
            .bind(Json(settings))
            .execute(conn)
            .await?
            .rows_affected()
            == 1,
    )
}

/// Deletes a channel that has no chats; false when it has some (or does not exist).
pub async fn delete_without_chats(
    conn: &mut PgConnection,
    channel_id: ChannelId,
) -> Result<bool, Error> {
    Ok(sqlx::query(
        "delete from channel c where c.channel_id = $1
            and not exists (select 1 from chat where chat.channel_id = c.channel_id)
            and not exists (select 1 from message where message.channel_id = c.channel_id)",
    )
    .bind(channel_id)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// What a connection test found: `Ok(display phone, summary)` or `Err(failure, detail)`.
pub async fn record_check(
    pool: &PgPool,
    channel_id: ChannelId,
    result: Result<(Option<&str>, &str), (&str, &str)>,
) -> Result<(), Error> {
    let (state, phone, failure, detail) = match result {
        Ok((phone, summary)) => ("connected", phone, None, summary),
        Err((failure, detail)) => ("failed", None, Some(failure), detail),
    };
    sqlx::query(
        "update channel set check_state = $2, display_phone = coalesce($3, display_phone),
                check_failure = $4, check_detail = $5, checked_at = now()
          where channel_id = $1",
    )
    .bind(channel_id)
    .bind(state)
    .bind(phone)
    .bind(failure)
    .bind(detail)
    .execute(pool)
    .await?;
    Ok(())
}

/// Moves the activity times forward (never back: several processes write them).
pub async fn record_activity(
    pool: &PgPool,
    channel_id: ChannelId,
    webhook_at: Option<DateTime<Utc>>,
    send_at: Option<DateTime<Utc>>,
) -> Result<(), Error> {
    sqlx::query(
        "update channel set last_webhook_at = greatest(last_webhook_at, $2),
                            last_send_at = greatest(last_send_at, $3)
          where channel_id = $1",
    )
    .bind(channel_id)
    .bind(webhook_at)
    .bind(send_at)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn find(pool: &PgPool, channel_id: ChannelId) -> Result<Option<ChannelRow>, Error> {
    Ok(sqlx::query_as(&format!(
        "select {COLUMNS} from channel where channel_id = $1"
    ))
    .bind(channel_id)
    .fetch_optional(pool)
    .await?)
}

/// Every channel, oldest first.
pub async fn all(pool: &PgPool) -> Result<Vec<ChannelRow>, Error> {
    Ok(sqlx::query_as(&format!(
        "select {COLUMNS} from channel order by channel_id"
    ))
    .fetch_all(pool)
    .await?)
}

/// The number of chats of each channel that has any.
pub async fn chat_counts(pool: &PgPool) -> Result<Vec<(ChannelId, i64)>, Error> {
    Ok(
        sqlx::query_as("select channel_id, count(*) from chat group by channel_id")
            .fetch_all(pool)
            .await?,
    )
}

/// The built-in sandbox channel (created at start-up).
pub async fn sandbox_id(pool: &PgPool) -> Result<ChannelId, Error> {
    Ok(sqlx::query_scalar(
        "select channel_id from channel where kind = 'sandbox' and channel_key = $1",
    )
    .bind(SANDBOX_KEY)
    .fetch_one(pool)
    .await?)
}

pub async fn find_by_key(
    pool: &PgPool,
    kind: ChannelKind,
    key: &str,
) -> Result<Option<ChannelRow>, Error> {
    Ok(sqlx::query_as(&format!(
        "select {COLUMNS} from channel where kind = $1 and channel_key = $2"
    ))
    .bind(kind)
    .bind(key)
    .fetch_optional(pool)
    .await?)
}

/// The number of chats of one channel.
pub async fn chat_count(pool: &PgPool, channel_id: ChannelId) -> Result<i64, Error> {
    Ok(
        sqlx::query_scalar("select count(*) from chat where channel_id = $1")
            .bind(channel_id)
            .fetch_one(pool)
            .await?,
    )
}

/// Every channel's id, name and whether it is enabled, by name (the chat list's filter).
pub async fn options(conn: &mut PgConnection) -> Result<Vec<model::ChannelOption>, Error> {
    Ok(
        sqlx::query_as("select channel_id, name, enabled from channel order by name, channel_id")
            .fetch_all(conn)
            .await?,
    )
}

/// Whether a channel is enabled; `None` when there is no such channel.
pub async fn is_enabled(
    conn: &mut PgConnection,
    channel_id: ChannelId,
) -> Result<Option<bool>, Error> {
    Ok(
        sqlx::query_scalar("select enabled from channel where channel_id = $1")
            .bind(channel_id)
            .fetch_optional(conn)
            .await?,
    )
}

/// Marks `channel_id` as the API's default channel (and no other), or unmarks it. False when
/// there is no such channel.
pub async fn set_api_default(
    conn: &mut PgConnection,
    channel_id: ChannelId,
    on: bool,
) -> Result<bool, Error> {
    if on {
        sqlx::query(
            "update channel set api_default = false where api_default and channel_id <> $1",
        )
        .bind(channel_id)
        .execute(&mut *conn)
        .await?;
    }
    let done = sqlx::query("update channel set api_default = $2 where channel_id = $1")
        .bind(channel_id)
        .bind(on)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
