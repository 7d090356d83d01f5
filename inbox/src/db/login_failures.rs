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

/// What [`reserve`] decided for one login attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// The attempt may check the password; it is already counted as a failure (row id), and
    /// [`forgive`] takes it back if the password was right.
    Go(i64),
    /// Too many recent failures: wait this many seconds.
    Wait(u64),
}

/// Checks and counts one login attempt in one step, so parallel guesses cannot all pass the
/// check before any is counted: the attempt is recorded as a failure up front, under a lock
/// per account and per address. An account over its limit still lets in an address with no
/// recent failures (the owner, from their usual place): the account limit slows guessing; it
/// must not lock the owner out.
pub async fn reserve(
    pool: &PgPool,
    limits: &Limits,
    username: &str,
    address: &str,
) -> Result<Attempt, Error> {
    let mut tx = pool.begin().await?;
    // Always in this order (account, then address), so two attempts cannot deadlock.
    sqlx::query(
        "select pg_advisory_xact_lock(hashtextextended('login account ' || lower($1), 0)),
                pg_advisory_xact_lock(hashtextextended('login address ' || $2, 0))",
    )
    .bind(username)
    .bind(address)
    .execute(&mut *tx)
    .await?;
    // For each key: the number of failures in the window and when the oldest of the newest N
    // leaves the window, which is when one more attempt becomes possible.
    let (account_count, account_until, address_count, address_until): (i64, Option<f64>, i64, Option<f64>) =
        sqlx::query_as(
            "with recent as (
               select lower(username) as username, address, at from login_failure
                where at > now() - make_interval(secs => $3)
                  and (lower(username) = lower($1) or address = $2)
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
        .fetch_one(&mut *tx)
        .await?;
    let wait = |count: i64, max: i64, until: Option<f64>| {
        (count >= max).then(|| until.unwrap_or(1.0).ceil().max(1.0) as u64)
    };
    let account_wait = if address_count == 0 {
        None
    } else {
        wait(account_count, limits.per_account, account_until)
    };
    if let Some(secs) = account_wait.max(wait(address_count, limits.per_address, address_until)) {
        tx.commit().await?;
        return Ok(Attempt::Wait(secs));
    }
    let id: i64 = sqlx::query_scalar(
        "insert into login_failure (username, address) values ($1, $2) returning login_failure_id",
    )
    .bind(username)
    .bind(address)
    .fetch_one(&mut *tx)
    .await?;
    // Keep the table small: rows older than the window are never read again.
    sqlx::query("delete from login_failure where at < now() - make_interval(secs => $1)")
        .bind(limits.window_secs as f64)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Attempt::Go(id))
}

/// Takes back an attempt counted by [`reserve`] (the password was right, or it was never
/// checked).
pub async fn forgive(pool: &PgPool, attempt_id: i64) -> Result<(), Error> {
    sqlx::query("delete from login_failure where login_failure_id = $1")
        .bind(attempt_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// A successful login forgives the account's failures from that address (an attacker's
/// failures from elsewhere still count against their addresses and the account).
pub async fn clear(pool: &PgPool, username: &str, address: &str) -> Result<(), Error> {
    sqlx::query("delete from login_failure where lower(username) = lower($1) and address = $2")
        .bind(username)
        .bind(address)
        .execute(pool)
        .await?;
    Ok(())
}
