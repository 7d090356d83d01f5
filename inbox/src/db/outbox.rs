//! `outbox`: replies waiting for delivery. Enqueued in the same transaction as their message;
//! claimed by workers with `FOR UPDATE SKIP LOCKED` and a lease, so several server processes
//! share the work and a worker that dies mid-send is noticed when its lease expires.

use crate::Error;
use model::{ChatId, MessageId};
use sqlx::{PgConnection, PgPool};
use std::time::Duration;

/// `NOTIFY`ed on every enqueue, so idle workers wake at once.
pub const WAKEUP_CHANNEL: &str = "outbox_wakeup";

/// What an outbox row asks the provider to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum Job {
    /// Deliver the row's message (a reply).
    Send,
    /// Mark the row's message (the customer's) read.
    Read,
    /// Show "typing…" in the row's chat.
    Typing,
    /// Take "typing…" away.
    TypingOff,
}

impl Job {
    /// As stored, and as the metrics label it.
    pub fn as_str(self) -> &'static str {
        match self {
            Job::Send => "send",
            Job::Read => "read",
            Job::Typing => "typing",
            Job::TypingOff => "typing_off",
        }
    }
}

/// Queues the reply `message_id`, due after `delay` (the bot's reply delay; zero otherwise).
/// "Typing…" not yet on its way to that chat is dropped: the reply ends it.
pub async fn enqueue(
    conn: &mut PgConnection,
    message_id: MessageId,
    delay: Duration,
) -> Result<i64, Error> {
    let id: i64 = sqlx::query_scalar(
        "with gone as (delete from outbox o using message m
                        where m.message_id = $1 and o.chat_id = m.chat_id and o.lane = 'typing'
                          and (o.locked_until is null or o.locked_until < now()))
         insert into outbox (message_id, chat_id, next_attempt_at)
         select message_id, chat_id, now() + make_interval(secs => $2) from message where message_id = $1
         returning outbox_id",
    )
    .bind(message_id)
    .bind(delay.as_secs_f64())
    .fetch_one(&mut *conn)
    .await?;
    wake(conn).await?;
    Ok(id)
}

/// Queues a read receipt or typing row about the customer's message `message_id`; one that
/// `expires` is dropped if it has not reached the provider by then. False when the same row is
/// already waiting.
pub async fn enqueue_signal(
    conn: &mut PgConnection,
    message_id: MessageId,
    job: Job,
    expires: Option<Duration>,
) -> Result<bool, Error> {
    let queued = sqlx::query(
        "insert into outbox (message_id, chat_id, kind, expires_at)
         select message_id, chat_id, $2, now() + make_interval(secs => $3) from message where message_id = $1
         on conflict (message_id, kind) do nothing",
    )
    .bind(message_id)
    .bind(job)
    .bind(expires.map(|d| d.as_secs_f64()))
    .execute(&mut *conn)
    .await?;
    if queued.rows_affected() == 0 {
        return Ok(false);
    }
    wake(conn).await?;
    Ok(true)
}

async fn wake(conn: &mut PgConnection) -> Result<(), Error> {
    sqlx::query("select pg_notify($1, '')")
        .bind(WAKEUP_CHANNEL)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub outbox_id: i64,
    pub message_id: MessageId,
    pub job: Job,
    /// Attempts including this one.
    pub attempts: i32,
    pub chat_id: ChatId,
    pub body: Option<String>,
    /// The provider's id of the row's message (for receipts and typing: the customer's).
    pub provider_message_id: Option<String>,
    /// Past this the row is not worth sending (typing).
    pub expired: bool,
    /// `text`, or the kind of the file the reply carries.
    pub kind: model::MessageKind,
    /// The provider's id of the message the reply quotes.
    pub reply_to: Option<String>,
    /// An agent's file: its name in the media store, type, file name, and the provider's media
    /// id once uploaded.
    pub file_sha256: Option<String>,
    pub mime_type: Option<String>,
    pub filename: Option<String>,
    pub upload_id: Option<String>,
    /// A template's send object.
    pub template: Option<serde_json::Value>,
    /// Buttons or a list (`whatsapp::Interactive`).
    pub interactive: Option<serde_json::Value>,
}

/// Takes the next due row, if any, for `lease`; the attempt count goes up before the send. A
/// row is due only when no earlier row of its chat and lane is still in the outbox (sending,
/// or waiting for a retry): replies reach each customer in the order they were written.
pub async fn claim(pool: &PgPool, lease: Duration) -> Result<Option<Claimed>, Error> {
    Ok(sqlx::query_as(
        "with due as (
            select o.outbox_id from outbox o
             where o.next_attempt_at <= now() and (o.locked_until is null or o.locked_until < now())
               and not exists (select 1 from outbox e
                                where e.chat_id = o.chat_id and e.lane = o.lane and e.outbox_id < o.outbox_id)
             order by o.next_attempt_at, o.outbox_id
             limit 1 for update skip locked
         )
         update outbox o set attempts = o.attempts + 1, locked_until = now() + make_interval(secs => $1)
           from due, message m left join attachment a on a.message_id = m.message_id
          where o.outbox_id = due.outbox_id and m.message_id = o.message_id
         returning o.outbox_id, o.message_id, o.kind as job, o.attempts, m.chat_id, m.body,
                   m.provider_message_id, coalesce(o.expires_at < now(), false) as expired,
                   m.kind, m.reply_to_provider_id as reply_to, a.file_sha256, a.mime_type,
                   a.filename, a.upload_id, m.template, m.interactive",
    )
    .bind(lease.as_secs_f64())
    .fetch_optional(pool)
    .await?)
}

/// Delivered or given up: the row is done. Only by the claim that made attempt `attempt`
/// (nobody claimed it again after its lease ran out); false when it is no longer ours.
pub async fn remove(conn: &mut PgConnection, outbox_id: i64, attempt: i32) -> Result<bool, Error> {
    let done = sqlx::query("delete from outbox where outbox_id = $1 and attempts = $2")
        .bind(outbox_id)
        .bind(attempt)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Schedules the next attempt, if the claim of attempt `attempt` still holds the row.
pub async fn reschedule(
    conn: &mut PgConnection,
    outbox_id: i64,
    attempt: i32,
    delay: Duration,
    error: &str,
) -> Result<bool, Error> {
    let done = sqlx::query(
        "update outbox set next_attempt_at = now() + make_interval(secs => $3), locked_until = null, last_error = $4
          where outbox_id = $1 and attempts = $2",
    )
    .bind(outbox_id)
    .bind(attempt)
    .bind(delay.as_secs_f64())
    .bind(error)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How long until the next row is due (`None` when the outbox is empty). A row waiting behind
/// an earlier one of its chat and lane is due when that one is.
pub async fn next_due_in(pool: &PgPool) -> Result<Option<Duration>, Error> {
    // `min` over no rows is NULL, and so is the difference; `greatest(0, NULL)` would be 0 and
    // keep idle workers polling, so the floor at zero is taken here instead.
    let secs: Option<f64> = sqlx::query_scalar(
        "select extract(epoch from (min(greatest(next_attempt_at, coalesce(locked_until, next_attempt_at))) - now()))::float8
           from outbox o
          where not exists (select 1 from outbox e
                             where e.chat_id = o.chat_id and e.lane = o.lane and e.outbox_id < o.outbox_id)",
    )
    .fetch_one(pool)
    .await?;
    Ok(secs.map(|s| Duration::from_secs_f64(s.max(0.0))))
}

pub async fn pending_count(pool: &PgPool) -> Result<i64, Error> {
    Ok(sqlx::query_scalar("select count(*) from outbox")
        .fetch_one(pool)
        .await?)
}
