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

/// A key found by its hash (not revoked), and whether its rate allows this call.
#[derive(Debug, sqlx::FromRow)]
pub struct Used {
    pub api_key_id: i64,
    pub name: String,
    pub channel_ids: Option<Vec<i64>>,
    pub allowed: bool,
    /// When refused: how long until the next call is allowed.
    pub wait_secs: f64,
}

/// Finds a key that is not revoked by its hash and takes one request from its rate (GCRA:
/// `interval` seconds per request, up to `burst` seconds ahead), in one statement; marks it
/// used. A refused call leaves the rate as it was.
pub async fn use_key(
    pool: &PgPool,
    hash: &[u8],
    interval: f64,
    burst: f64,
) -> Result<Option<Used>, Error> {
    Ok(sqlx::query_as(
        "with k as (select api_key_id, greatest(coalesce(rate_tat, now()), now()) as tat
                      from api_key where hash = $1 and revoked_at is null for update),
              d as (select api_key_id, tat, tat - now() <= make_interval(secs => $3) as allowed from k)
         update api_key a
            set rate_tat = case when d.allowed then d.tat + make_interval(secs => $2) else a.rate_tat end,
                last_used_at = now()
           from d where a.api_key_id = d.api_key_id
         returning a.api_key_id, a.name, a.channel_ids, d.allowed,
                   extract(epoch from (d.tat - now() - make_interval(secs => $3)))::float8 as wait_secs",
    )
    .bind(hash)
    .bind(interval)
    .bind(burst)
    .fetch_optional(pool)
    .await?)
}

/// A key that is not revoked, by its id (the playground sends as a key an admin picks).
pub async fn active(pool: &PgPool, api_key_id: i64) -> Result<Option<Found>, Error> {
    Ok(sqlx::query_as(
        "select api_key_id, name, channel_ids, revoked_at is not null as revoked
           from api_key where api_key_id = $1 and revoked_at is null",
    )
    .bind(api_key_id)
    .fetch_optional(pool)
    .await?)
}

/// The latest messages sent through any key, newest first.
pub async fn sends(pool: &PgPool, limit: i64) -> Result<Vec<model::ApiSendView>, Error> {
    Ok(sqlx::query_as(
        "select m.message_id, k.name as key_name, ch.name as channel_name, ct.phone as to,
                m.kind, m.body, m.status, m.error_reason, m.sent_at
           from message m
           join api_key k on k.api_key_id = m.api_key_id
           join channel ch on ch.channel_id = m.channel_id
           join chat c on c.chat_id = m.chat_id
           join contact ct on ct.contact_id = c.contact_id
          where m.api_key_id is not null
          order by m.message_id desc limit $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?)
}
