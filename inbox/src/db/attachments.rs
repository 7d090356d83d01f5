//! `attachment` and `media_file`: a message's file and where it stands, the fetch queue of
//! customers' files (claimed with `FOR UPDATE SKIP LOCKED` and a lease, like the outbox), and
//! the media store's index. A customer's row is queued by a trigger when the message is stored
//! (migration `…10_media.sql`).

use crate::Error;
use model::{ChannelId, ChatId, MediaProblem, MessageId, MessageKind};
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use std::time::Duration;

/// `NOTIFY`ed when a file is queued (by the trigger, and by "Try again").
pub const WAKEUP_CHANNEL: &str = "media_wakeup";

/// A claimed download.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub message_id: MessageId,
    pub chat_id: ChatId,
    pub channel_id: ChannelId,
    pub kind: MessageKind,
    pub media: Json<whatsapp::MediaRef>,
    /// Attempts including this one; also the claim's token.
    pub attempts: i32,
}

/// Claims the next due download for `lease`.
pub async fn claim(pool: &PgPool, lease: Duration) -> Result<Option<Claimed>, Error> {
    Ok(sqlx::query_as(
        "with due as (select message_id from attachment
                        where state = 'pending' and next_attempt_at <= now()
                          and (locked_until is null or locked_until < now())
                        order by next_attempt_at limit 1 for update skip locked)
         update attachment a set locked_until = now() + make_interval(secs => $1),
                attempts = a.attempts + 1, updated_at = now()
           from due, message m
          where a.message_id = due.message_id and m.message_id = a.message_id
         returning a.message_id, m.chat_id, m.channel_id, m.kind, m.media, a.attempts",
    )
    .bind(lease.as_secs_f64())
    .fetch_optional(pool)
    .await?)
}

/// The file is in the store: indexes it (or marks it used again) and the row ready, while the
/// claim holds the row. `false` when another claim took it over.
pub async fn stored(
    conn: &mut PgConnection,
    job: &Claimed,
    sha256: &str,
    size: i64,
    mime_type: Option<&str>,
) -> Result<bool, Error> {
    sqlx::query(
        "insert into media_file (sha256, size) values ($1, $2)
         on conflict (sha256) do update set last_used_at = now()",
    )
    .bind(sha256)
    .bind(size)
    .execute(&mut *conn)
    .await?;
    let done = sqlx::query(
        "update attachment set state = 'ready', file_sha256 = $3, size = $4,
                mime_type = coalesce(mime_type, $5), problem = null, detail = null,
                locked_until = null, updated_at = now()
          where message_id = $1 and attempts = $2 and state = 'pending'",
    )
    .bind(job.message_id)
    .bind(job.attempts)
    .bind(sha256)
    .bind(size)
    .bind(mime_type)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Tries again after `delay`, keeping why this try failed.
pub async fn reschedule(
    pool: &PgPool,
    job: &Claimed,
    delay: Duration,
    detail: &str,
) -> Result<bool, Error> {
    let done = sqlx::query(
        "update attachment set next_attempt_at = now() + make_interval(secs => $3),
                locked_until = null, detail = $4, updated_at = now()
          where message_id = $1 and attempts = $2 and state = 'pending'",
    )
    .bind(job.message_id)
    .bind(job.attempts)
    .bind(delay.as_secs_f64())
    .bind(detail)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives up on the download: the bubble shows why.
pub async fn failed(
    conn: &mut PgConnection,
    job: &Claimed,
    problem: MediaProblem,
    detail: &str,
) -> Result<bool, Error> {
    let done = sqlx::query(
        "update attachment set state = 'failed', problem = $3, detail = $4, locked_until = null,
                updated_at = now()
          where message_id = $1 and attempts = $2 and state = 'pending'",
    )
    .bind(job.message_id)
    .bind(job.attempts)
    .bind(problem)
    .bind(detail)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// "Try again" on a failed or evicted customer file: queued afresh. `false` when the message
/// has no such file.
pub async fn requeue(conn: &mut PgConnection, message_id: MessageId) -> Result<bool, Error> {
    let done = sqlx::query(
        "update attachment a set state = 'pending', problem = null, detail = null, attempts = 0,
                next_attempt_at = now(), locked_until = null, updated_at = now()
           from message m
          where a.message_id = $1 and m.message_id = a.message_id and m.direction = 'in'
            and a.state in ('failed', 'evicted')",
    )
    .bind(message_id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        sqlx::query("select pg_notify($1, '')")
            .bind(WAKEUP_CHANNEL)
            .execute(conn)
            .await?;
    }
    Ok(done.rows_affected() == 1)
}

/// How long until the next download is due (`None` when none waits).
pub async fn next_due_in(pool: &PgPool) -> Result<Option<Duration>, Error> {
    let secs: Option<f64> = sqlx::query_scalar(
        "select extract(epoch from (min(greatest(next_attempt_at, coalesce(locked_until, next_attempt_at))) - now()))::float8
           from attachment where state = 'pending'",
    )
    .fetch_one(pool)
    .await?;
    Ok(secs.map(|s| Duration::from_secs_f64(s.max(0.0))))
}

/// A ready file, as the media endpoint serves it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Served {
    pub sha256: String,
    pub mime_type: Option<String>,
    pub filename: Option<String>,
    pub kind: MessageKind,
}

/// The ready file of `message_id`, if it has one.
pub async fn ready_file(pool: &PgPool, message_id: MessageId) -> Result<Option<Served>, Error> {
    Ok(sqlx::query_as(
        "select a.file_sha256 as sha256, a.mime_type, a.filename, m.kind
           from attachment a join message m on m.message_id = a.message_id
          where a.message_id = $1 and a.state = 'ready'",
    )
    .bind(message_id)
    .fetch_optional(pool)
    .await?)
}

/// The bytes the store holds.
pub async fn total_size(pool: &PgPool) -> Result<i64, Error> {
    Ok(
        sqlx::query_scalar("select coalesce(sum(size), 0)::bigint from media_file")
            .fetch_one(pool)
            .await?,
    )
}

/// Removes the file used longest ago from the index, its messages marked evicted; returns its
/// name and size, and the messages whose bubbles changed.
pub async fn evict_oldest(
    conn: &mut PgConnection,
) -> Result<Option<(String, i64, Vec<MessageId>)>, Error> {
    let Some((sha, size)): Option<(String, i64)> = sqlx::query_as(
        "select sha256, size from media_file order by last_used_at limit 1 for update skip locked",
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let messages = forget(conn, &sha).await?;
    Ok(Some((sha, size, messages)))
}

/// Takes a file out of the index; its messages show it as evicted (also for a file the store
/// lost: removed by hand, or by an eviction racing a download of the same file).
pub async fn forget(conn: &mut PgConnection, sha256: &str) -> Result<Vec<MessageId>, Error> {
    let messages = sqlx::query_scalar(
        "update attachment set state = 'evicted', file_sha256 = null, updated_at = now()
          where file_sha256 = $1
         returning message_id",
    )
    .bind(sha256)
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query("delete from media_file where sha256 = $1")
        .bind(sha256)
        .execute(conn)
        .await?;
    Ok(messages)
}
