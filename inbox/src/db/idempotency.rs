//! `api_idempotency`: the first answer to each (API key, Idempotency-Key), for 24 hours.

use crate::Error;
use sqlx::{PgConnection, PgPool};

#[derive(Debug, sqlx::FromRow)]
pub struct Earlier {
    pub request_hash: Vec<u8>,
    pub status: Option<i16>,
    pub response: Option<serde_json::Value>,
}

/// Inserts the key's row (or takes over one older than `kept_for`); false when the key is
/// already used. Waits for a concurrent transaction holding the same key to end.
pub async fn claim(
    conn: &mut PgConnection,
    api_key_id: i64,
    key: &str,
    request_hash: &[u8],
    kept_for: std::time::Duration,
) -> Result<bool, Error> {
    let claimed: Option<i32> = sqlx::query_scalar(
        "insert into api_idempotency (api_key_id, key, request_hash) values ($1, $2, $3)
         on conflict (api_key_id, key) do update
            set request_hash = excluded.request_hash, status = null, response = null, created_at = now()
          where api_idempotency.created_at < now() - make_interval(secs => $4)
         returning 1",
    )
    .bind(api_key_id)
    .bind(key)
    .bind(request_hash)
    .bind(kept_for.as_secs_f64())
    .fetch_optional(conn)
    .await?;
    Ok(claimed.is_some())
}

pub async fn find(
    conn: &mut PgConnection,
    api_key_id: i64,
    key: &str,
) -> Result<Option<Earlier>, Error> {
    Ok(sqlx::query_as(
        "select request_hash, status, response from api_idempotency where api_key_id = $1 and key = $2",
    )
    .bind(api_key_id)
    .bind(key)
    .fetch_optional(conn)
    .await?)
}

pub async fn answer(
    conn: &mut PgConnection,
    api_key_id: i64,
    key: &str,
    status: i16,
    response: &serde_json::Value,
) -> Result<(), Error> {
    sqlx::query(
        "update api_idempotency set status = $3, response = $4 where api_key_id = $1 and key = $2",
    )
    .bind(api_key_id)
    .bind(key)
    .bind(status)
    .bind(response)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets answers older than `kept_for`, a batch at a time; how many went.
pub async fn prune(pool: &PgPool, kept_for: std::time::Duration) -> Result<u64, Error> {
    Ok(sqlx::query(
        "delete from api_idempotency where ctid = any(array(
            select ctid from api_idempotency where created_at < now() - make_interval(secs => $1) limit 1000))",
    )
    .bind(kept_for.as_secs_f64())
    .execute(pool)
    .await?
    .rows_affected())
}
