//! `login_failure`: recent failed logins, by account and by client address, for throttling.
//! Kept in PostgreSQL so that several server processes share one count.

use crate::ssr::auth::{MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ADDRESS, THROTTLE_WINDOW_SECS};
use crate::AppError;
use sqlx::PgPool;

/// `Some(seconds)` to wait when the account or the address has too many recent failures.
pub async fn retry_after(
    pool: &PgPool,
    username: &str,
    address: &str,
) -> Result<Option<u64>, AppError> {
    // For each key: the number of failures in the window and when the oldest of the newest N
    // leaves the window, which is when one more attempt becomes possible.
    let (account_count, account_until, address_count, address_until): (i64, Option<f64>, i64, Option<f64>) =
        sqlx::query_as(
            "with recent as (
               select lower(username) as username, address, at from login_failure
                where at > now() - make_interval(secs => $3)
             )
             select
               (select count(*) from recent where username = lower($1)),
               (select extract(epoch from (min(at) + make_interval(secs => $3) - now()))::float8
                  from (select at from recent where username = lower($1) order by at desc limit $4) a),
               (select count(*) from recent where address = $2),
               (select extract(epoch from (min(at) + make_interval(secs => $3) - now()))::float8
                  from (select at from recent where address = $2 order by at desc limit $5) b)",
        )
        .bind(username)
        .bind(address)
        .bind(THROTTLE_WINDOW_SECS as f64)
        .bind(MAX_FAILURES_PER_ACCOUNT)
        .bind(MAX_FAILURES_PER_ADDRESS)
        .fetch_one(pool)
        .await?;
    let wait = |count: i64, max: i64, until: Option<f64>| {
        (count >= max).then(|| until.unwrap_or(1.0).ceil().max(1.0) as u64)
    };
    Ok(
        wait(account_count, MAX_FAILURES_PER_ACCOUNT, account_until).max(wait(
            address_count,
            MAX_FAILURES_PER_ADDRESS,
            address_until,
        )),
    )
}

pub async fn record(pool: &PgPool, username: &str, address: &str) -> Result<(), AppError> {
    sqlx::query("insert into login_failure (username, address) values ($1, $2)")
        .bind(username)
        .bind(address)
        .execute(pool)
        .await?;
    // Keep the table small: rows older than the window are never read again.
    sqlx::query("delete from login_failure where at < now() - make_interval(secs => $1)")
        .bind(THROTTLE_WINDOW_SECS as f64)
        .execute(pool)
        .await?;
    Ok(())
}

/// A successful login forgives the account's failures (not the address's).
pub async fn clear(pool: &PgPool, username: &str) -> Result<(), AppError> {
    sqlx::query("delete from login_failure where lower(username) = lower($1)")
        .bind(username)
        .execute(pool)
        .await?;
    Ok(())
}
