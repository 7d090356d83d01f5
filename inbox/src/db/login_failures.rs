//! `login_failure`: recent failed logins, by account and by client address, for throttling.
//! Kept in PostgreSQL so that several server processes share one count.

use crate::Error;
use sqlx::PgPool;

/// How many failures within how long throttle an account or a client address (the policy is
/// the caller's: `accounts::sessions::THROTTLE`).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub per_account: i64,
    pub per_address: i64,
    pub window_secs: i64,
}

/// `Some(seconds)` to wait when the account or the address has too many recent failures.
pub async fn retry_after(
    pool: &PgPool,
    limits: &Limits,
    username: &str,
    address: &str,
) -> Result<Option<u64>, Error> {
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
        .bind(limits.window_secs as f64)
        .bind(limits.per_account)
        .bind(limits.per_address)
        .fetch_one(pool)
        .await?;
    let wait = |count: i64, max: i64, until: Option<f64>| {
        (count >= max).then(|| until.unwrap_or(1.0).ceil().max(1.0) as u64)
    };
    Ok(
        wait(account_count, limits.per_account, account_until).max(wait(
            address_count,
            limits.per_address,
            address_until,
        )),
    )
}

pub async fn record(
    pool: &PgPool,
    limits: &Limits,
    username: &str,
    address: &str,
) -> Result<(), Error> {
    sqlx::query("insert into login_failure (username, address) values ($1, $2)")
        .bind(username)
        .bind(address)
        .execute(pool)
        .await?;
    // Keep the table small: rows older than the window are never read again.
    sqlx::query("delete from login_failure where at < now() - make_interval(secs => $1)")
        .bind(limits.window_secs as f64)
        .execute(pool)
        .await?;
    Ok(())
}

/// A successful login forgives the account's failures (not the address's).
pub async fn clear(pool: &PgPool, username: &str) -> Result<(), Error> {
    sqlx::query("delete from login_failure where lower(username) = lower($1)")
        .bind(username)
        .execute(pool)
        .await?;
    Ok(())
}
