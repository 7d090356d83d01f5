//! `webhook_delivery` and `webhook_attempt` as the workers and the log use them: the claim of a
//! chat's head, the attempt recorded (and the next head made), the endpoint's health, the log,
//! pruning.

use crate::Error;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use std::time::Duration;

/// A delivery claimed for one attempt.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub webhook_delivery_id: i64,
    pub webhook_endpoint_id: i64,
    pub webhook_event_id: i64,
    /// Attempts including this one.
    pub attempts: i32,
    /// The claim's token: results are recorded only while it still holds.
    pub locked_until: DateTime<Utc>,
    pub first_attempt_at: DateTime<Utc>,
    pub url: String,
    pub secret: Vec<u8>,
    pub name: String,
    pub data: String,
}

/// Takes the next due delivery for `lease`: a pending head (the oldest of its chat for its
/// endpoint), due, its endpoint enabled and not paused.
pub async fn claim(pool: &PgPool, lease: Duration) -> Result<Option<Claimed>, Error> {
    Ok(sqlx::query_as(
        "with due as (
            select d.webhook_delivery_id from webhook_delivery d
             where d.state = 'pending' and d.head and d.next_attempt_at <= now()
               and (d.locked_until is null or d.locked_until < now())
               and d.webhook_endpoint_id = any(array(
                   select webhook_endpoint_id from webhook_endpoint where enabled and paused_at is null))
             order by d.next_attempt_at, d.webhook_delivery_id
             limit 1 for update of d skip locked)
         update webhook_delivery d
            set attempts = d.attempts + 1,
                first_attempt_at = coalesce(d.first_attempt_at, now()),
                locked_until = clock_timestamp() + make_interval(secs => $1)
           from due, webhook_endpoint e, webhook_event ev
          where d.webhook_delivery_id = due.webhook_delivery_id
            and e.webhook_endpoint_id = d.webhook_endpoint_id
            and ev.webhook_event_id = d.webhook_event_id
         returning d.webhook_delivery_id, d.webhook_endpoint_id, d.webhook_event_id, d.attempts,
                   d.locked_until, d.first_attempt_at, e.url, e.secret, ev.name, ev.data",
    )
    .bind(lease.as_secs_f64())
    .fetch_optional(pool)
    .await?)
}

/// When the next delivery a worker could claim falls due (for the workers' sleep): heads only
/// (the others wait behind them), a delivery in flight not before its lease ends.
pub async fn next_due_in(pool: &PgPool) -> Result<Option<Duration>, Error> {
    let secs: Option<f64> = sqlx::query_scalar(
        "select greatest(0, extract(epoch from min(greatest(d.next_attempt_at,
                                                   coalesce(d.locked_until, '-infinity'))) - now()))::float8
           from webhook_delivery d
          where d.state = 'pending' and d.head
            and d.webhook_endpoint_id = any(array(
                select webhook_endpoint_id from webhook_endpoint where enabled and paused_at is null))",
    )
    .fetch_one(pool)
    .await?;
    Ok(secs.map(Duration::from_secs_f64))
}

/// One attempt's answer, as the log keeps it.
#[derive(Debug, Clone)]
pub struct Attempt<'a> {
    pub status: Option<i32>,
    pub latency_ms: i32,
    pub response: Option<&'a str>,
    pub error: Option<&'a str>,
}

/// Records an attempt and the delivery's new state, if the claim still holds: `Ok(true)`;
/// delivered (`next` None and `failed` false), failed for good, or due again after `next`.
pub async fn record(
    conn: &mut PgConnection,
    job: &Claimed,
    attempt: &Attempt<'_>,
    next: Option<Duration>,
    failed: bool,
) -> Result<bool, Error> {
    let state = match (next, failed) {
        (_, true) => "failed",
        (None, false) => "delivered",
        (Some(_), false) => "pending",
    };
    let updated = sqlx::query(
        "update webhook_delivery
            set state = $3, locked_until = null, last_status = $4, last_error = $5,
                head = $3 = 'pending',
                next_attempt_at = case when $6::float8 is null then next_attempt_at
                                       else now() + make_interval(secs => $6) end,
                finished_at = case when $3 = 'pending' then null else now() end
          where webhook_delivery_id = $1 and locked_until = $2",
    )
    .bind(job.webhook_delivery_id)
    .bind(job.locked_until)
    .bind(state)
    .bind(attempt.status)
    .bind(attempt.error)
    .bind(next.map(|d| d.as_secs_f64()))
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() != 1 {
        return Ok(false);
    }
    if state != "pending" {
        // The next of its chat becomes the head.
        sqlx::query(
            "update webhook_delivery set head = true
              where webhook_delivery_id = (
                    select n.webhook_delivery_id from webhook_delivery d, webhook_delivery n
                     where d.webhook_delivery_id = $1 and d.chat_id is not null
                       and n.webhook_endpoint_id = d.webhook_endpoint_id and n.chat_id = d.chat_id
                       and n.state = 'pending'
                     order by n.webhook_delivery_id limit 1)",
        )
        .bind(job.webhook_delivery_id)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "insert into webhook_attempt (webhook_delivery_id, attempt, http_status, latency_ms, response, error)
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(job.webhook_delivery_id)
    .bind(job.attempts)
    .bind(attempt.status)
    .bind(attempt.latency_ms)
    .bind(attempt.response)
    .bind(attempt.error)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// After a success: the endpoint is healthy again.
pub async fn endpoint_succeeded(conn: &mut PgConnection, id: i64) -> Result<(), Error> {
    sqlx::query(
        "update webhook_endpoint set failing_since = null
          where webhook_endpoint_id = $1 and failing_since is not null",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// After a failure: the endpoint has been failing since its first failure after a success;
/// failing longer than `pause_after`, it is paused with `reason`. True when this paused it.
pub async fn endpoint_failed(
    conn: &mut PgConnection,
    id: i64,
    pause_after: Duration,
    reason: &str,
) -> Result<bool, Error> {
    let paused: Option<bool> = sqlx::query_scalar(
        "update webhook_endpoint
            set failing_since = coalesce(failing_since, now()),
                paused_at = case when paused_at is null and failing_since < now() - make_interval(secs => $2)
                                 then now() else paused_at end,
                pause_reason = case when paused_at is null and failing_since < now() - make_interval(secs => $2)
                                    then $3 else pause_reason end
          where webhook_endpoint_id = $1
         returning paused_at is not null and pause_reason = $3 and paused_at = now()",
    )
    .bind(id)
    .bind(pause_after.as_secs_f64())
    .bind(reason)
    .fetch_optional(conn)
    .await?;
    Ok(paused == Some(true))
}

/// One row of an endpoint's delivery log.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LogRow {
    pub webhook_delivery_id: i64,
    pub webhook_event_id: i64,
    pub event: String,
    pub state: String,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub last_at: Option<DateTime<Utc>>,
    pub http_status: Option<i32>,
    pub latency_ms: Option<i32>,
    pub response: Option<String>,
    pub error: Option<String>,
}

/// The endpoint's latest deliveries, newest first, each with its last attempt.
pub async fn log(pool: &PgPool, endpoint_id: i64, limit: i64) -> Result<Vec<LogRow>, Error> {
    Ok(sqlx::query_as(
        "select d.webhook_delivery_id, d.webhook_event_id, ev.name as event, d.state, d.attempts,
                d.created_at, a.at as last_at, a.http_status, a.latency_ms, a.response, a.error
           from webhook_delivery d
           join webhook_event ev on ev.webhook_event_id = d.webhook_event_id
           left join lateral (select * from webhook_attempt x where x.webhook_delivery_id = d.webhook_delivery_id
                               order by x.webhook_attempt_id desc limit 1) a on true
          where d.webhook_endpoint_id = $1
          order by d.webhook_delivery_id desc limit $2",
    )
    .bind(endpoint_id)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// The event a delivery carried, with its endpoint (for "redeliver").
pub async fn delivery_target(pool: &PgPool, delivery_id: i64) -> Result<Option<(i64, i64)>, Error> {
    Ok(sqlx::query_as(
        "select webhook_endpoint_id, webhook_event_id from webhook_delivery where webhook_delivery_id = $1",
    )
    .bind(delivery_id)
    .fetch_optional(pool)
    .await?)
}

/// Deletes finished deliveries (and events no delivery needs any more) older than `keep`, a
/// batch at a time; how many deliveries went.
pub async fn prune(pool: &PgPool, keep: Duration) -> Result<u64, Error> {
    let gone = sqlx::query(
        "delete from webhook_delivery where webhook_delivery_id = any(array(
            select webhook_delivery_id from webhook_delivery
             where state <> 'pending' and created_at < now() - make_interval(secs => $1) limit 1000))",
    )
    .bind(keep.as_secs_f64())
    .execute(pool)
    .await?
    .rows_affected();
    sqlx::query(
        "delete from webhook_event ev where ev.webhook_event_id = any(array(
            select e.webhook_event_id from webhook_event e
             where e.created_at < now() - make_interval(secs => $1)
               and not exists (select 1 from webhook_delivery d where d.webhook_event_id = e.webhook_event_id)
             limit 1000))",
    )
    .bind(keep.as_secs_f64())
    .execute(pool)
    .await?;
    // What was announced of messages and channels a month ago no longer matters.
    sqlx::query(
        "delete from webhook_announced where subject = any(array(
            select subject from webhook_announced where at < now() - interval '30 days' limit 1000))",
    )
    .execute(pool)
    .await?;
    Ok(gone)
}
