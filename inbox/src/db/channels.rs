//! `channel`: the WhatsApp numbers this inbox serves. Credentials are stored encrypted; this
//! module only moves the opaque bytes (`channels` encrypts and decrypts them).

use crate::Error;
use model::{ChannelId, ChannelKind};
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
}

const COLUMNS: &str = "channel_id, kind, channel_key, name, display_phone, credentials";

/// Creates or updates the channel `(kind, key)`; returns its id.
pub async fn upsert(
    conn: &mut PgConnection,
    kind: ChannelKind,
    key: &str,
    name: &str,
    display_phone: Option<&str>,
    credentials: Option<&[u8]>,
) -> Result<ChannelId, Error> {
    Ok(sqlx::query_scalar(
        "insert into channel (kind, channel_key, name, display_phone, credentials) values ($1, $2, $3, $4, $5)
         on conflict (kind, channel_key) do update
           set name = excluded.name, display_phone = coalesce(excluded.display_phone, channel.display_phone),
               credentials = excluded.credentials, updated_at = now()
         returning channel_id",
    )
    .bind(kind)
    .bind(key)
    .bind(name)
    .bind(display_phone)
    .bind(credentials)
    .fetch_one(conn)
    .await?)
}

pub async fn find_by_key(
    pool: &PgPool,
    kind: &str,
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

pub async fn find(pool: &PgPool, channel_id: ChannelId) -> Result<ChannelRow, Error> {
    Ok(sqlx::query_as(&format!(
        "select {COLUMNS} from channel where channel_id = $1"
    ))
    .bind(channel_id)
    .fetch_one(pool)
    .await?)
}

/// All channels of one kind, oldest first.
pub async fn of_kind(pool: &PgPool, kind: &str) -> Result<Vec<ChannelRow>, Error> {
    Ok(sqlx::query_as(&format!(
        "select {COLUMNS} from channel where kind = $1 order by channel_id"
    ))
    .bind(kind)
    .fetch_all(pool)
    .await?)
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
