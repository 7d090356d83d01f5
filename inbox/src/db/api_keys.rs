//! `api_key`: keys for other software, kept as a prefix and a keyed hash (`inbox::api_keys`).

use crate::Error;
use model::{ApiKeyView, ChannelId, UserId};
use sqlx::PgPool;

/// A key found by its hash.
#[derive(Debug, sqlx::FromRow)]
pub struct Found {
    pub api_key_id: i64,
    pub name: String,
    pub channel_ids: Option<Vec<i64>>,
    pub revoked: bool,
}

/// How many of `ids` are channels.
pub async fn known_channels(pool: &PgPool, ids: &[ChannelId]) -> Result<usize, Error> {
    let n: i64 = sqlx::query_scalar("select count(*) from channel where channel_id = any($1)")
        .bind(ids)
        .fetch_one(pool)
        .await?;
    Ok(n as usize)
}

pub async fn insert(
    pool: &PgPool,
    name: &str,
    prefix: &str,
    hash: &[u8],
    channels: Option<&[ChannelId]>,
    created_by: UserId,
) -> Result<i64, Error> {
    Ok(sqlx::query_scalar(
        "insert into api_key (name, prefix, hash, channel_ids, created_by)
         values ($1, $2, $3, $4, $5) returning api_key_id",
    )
    .bind(name)
    .bind(prefix)
    .bind(hash)
    .bind(channels)
    .bind(created_by)
    .fetch_one(pool)
    .await?)
}

/// Every key, newest first (revoked ones too).
pub async fn list(pool: &PgPool) -> Result<Vec<ApiKeyView>, Error> {
    Ok(sqlx::query_as(
        "select api_key_id, name, prefix, channel_ids, created_at, last_used_at, revoked_at
           from api_key order by api_key_id desc",
    )
    .fetch_all(pool)
    .await?)
}

/// Marks the key revoked (kept when already); `false` when there is no such key.
pub async fn revoke(pool: &PgPool, api_key_id: i64) -> Result<bool, Error> {
    let done = sqlx::query(
        "update api_key set revoked_at = coalesce(revoked_at, now()) where api_key_id = $1",
    )
    .bind(api_key_id)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn find(pool: &PgPool, hash: &[u8]) -> Result<Option<Found>, Error> {
    Ok(sqlx::query_as(
        "select api_key_id, name, channel_ids, revoked_at is not null as revoked
           from api_key where hash = $1",
    )
    .bind(hash)
    .fetch_optional(pool)
    .await?)
}

/// The key's hash under a new secret key (after a rotation).
pub async fn rehash(pool: &PgPool, api_key_id: i64, hash: &[u8]) -> Result<(), Error> {
    sqlx::query("update api_key set hash = $2 where api_key_id = $1")
        .bind(api_key_id)
        .bind(hash)
        .execute(pool)
        .await?;
    Ok(())
}

/// The key was used: at most one write a minute.
pub async fn touch(pool: &PgPool, api_key_id: i64) -> Result<(), Error> {
    sqlx::query(
        "update api_key set last_used_at = now()
          where api_key_id = $1 and (last_used_at is null or last_used_at < now() - interval '1 minute')",
    )
    .bind(api_key_id)
    .execute(pool)
    .await?;
    Ok(())
}
