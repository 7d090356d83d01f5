//! `setting`: small JSON documents edited by admins (the bot's settings, auto-assignment).

use crate::Error;
use sqlx::PgConnection;

pub const BOT: &str = "bot";
pub const ASSIGNMENT: &str = "assignment";

pub async fn get<T: serde::de::DeserializeOwned + Default>(
    conn: &mut PgConnection,
    key: &str,
) -> Result<T, Error> {
    let value: Option<serde_json::Value> =
        sqlx::query_scalar("select value from setting where key = $1")
            .bind(key)
            .fetch_optional(conn)
            .await?;
    match value {
        None => Ok(T::default()),
        Some(v) => {
            serde_json::from_value(v).map_err(|e| anyhow::anyhow!("setting {key}: {e}").into())
        }
    }
}

pub async fn put<T: serde::Serialize>(
    conn: &mut PgConnection,
    key: &str,
    value: &T,
) -> Result<(), Error> {
    let value = serde_json::to_value(value).map_err(|e| anyhow::anyhow!("setting {key}: {e}"))?;
    sqlx::query(
        "insert into setting (key, value) values ($1, $2)
         on conflict (key) do update set value = excluded.value, updated_at = now()",
    )
    .bind(key)
    .bind(value)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn bot(conn: &mut PgConnection) -> Result<bot::BotSettings, Error> {
    get(conn, BOT).await
}

/// The advisory lock auto-assignment runs under (one distribution at a time, across processes).
pub const ASSIGNMENT_LOCK: i64 = 7310002;

/// Takes a transaction-scoped advisory lock.
pub async fn lock(conn: &mut PgConnection, key: i64) -> Result<(), Error> {
    sqlx::query("select pg_advisory_xact_lock($1)")
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}
