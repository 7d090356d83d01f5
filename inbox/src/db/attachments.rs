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
    /// Attempts including this one; also the claim's token (it only grows).
    pub attempts: i32,
    /// Attempts made before the last "Try again": the tries counted against the limit are
    /// `attempts - tries_before`.
    pub tries_before: i32,
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
         returning a.message_id, m.chat_id, m.channel_id, m.kind, m.media, a.attempts, a.tries_before",
    )
    .bind(lease.as_secs_f64())
    .fetch_optional(pool)
    .await?)
}

/// Indexes the file named `sha256` (or marks it used again), locking its row until the
/// transaction ends: an eviction of the same file waits, or is skipped (see [`evict_oldest`]).
/// Call before putting the bytes into the store.
pub async fn index_file(conn: &mut PgConnection, sha256: &str, size: i64) -> Result<(), Error> {
    lock_file(&mut *conn, sha256).await?;
    sqlx::query(
        "insert into media_file (sha256, size) values ($1, $2)
         on conflict (sha256) do update set last_used_at = now()",
    )
    .bind(sha256)
    .bind(size)
    .execute(conn)
    .await?;
    Ok(())
}

/// The indexed file named `sha256` has a thumbnail in the store, of type `mime_type`.
pub async fn set_thumbnail(
    conn: &mut PgConnection,
    sha256: &str,
    mime_type: &str,
    size: i64,
) -> Result<(), Error> {
    sqlx::query("update media_file set thumb_mime = $2, thumb_size = $3 where sha256 = $1")
        .bind(sha256)
        .bind(mime_type)
        .bind(size)
        .execute(conn)
        .await?;
    Ok(())
}

/// The file is in the store (indexed by [`index_file`] in the same transaction): the row is
/// ready, while the claim holds it. `false` when another claim took it over.
pub async fn stored(
    conn: &mut PgConnection,
    job: &Claimed,
    sha256: &str,
    size: i64,
    mime_type: Option<&str>,
) -> Result<bool, Error> {
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

/// Whether the claim of attempt `job.attempts` still holds the row (its lease has not run out).
pub async fn still_ours(pool: &PgPool, job: &Claimed) -> Result<bool, Error> {
    Ok(sqlx::query_scalar(
        "select exists (select 1 from attachment
                         where message_id = $1 and attempts = $2 and state = 'pending'
                           and locked_until > now())",
    )
    .bind(job.message_id)
    .bind(job.attempts)
    .fetch_one(pool)
    .await?)
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
        "update attachment a set state = 'pending', problem = null, detail = null,
                tries_before = a.attempts, next_attempt_at = now(), locked_until = null,
                updated_at = now()
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

/// An agent's file, already in the store: indexed (or marked used again) and attached to its
/// reply, ready from the start.
pub async fn insert_outgoing(
    conn: &mut PgConnection,
    message_id: MessageId,
    file: &crate::replies::files::StoredFile,
) -> Result<(), Error> {
    let size = i64::try_from(file.size).unwrap_or(i64::MAX);
    index_file(&mut *conn, &file.sha256, size).await?;
    if let Some((mime, thumb_size)) = file.thumbnail {
        set_thumbnail(&mut *conn, &file.sha256, mime, thumb_size).await?;
    }
    sqlx::query(
        "insert into attachment (message_id, state, mime_type, filename, size, file_sha256)
         values ($1, 'ready', $2, $3, $4, $5)",
    )
    .bind(message_id)
    .bind(&file.mime_type)
    .bind(&file.filename)
    .bind(size)
    .bind(&file.sha256)
    .execute(conn)
    .await?;
    Ok(())
}

/// The provider took an agent's file under `upload_id`: a later attempt sends that instead of
/// uploading again.
pub async fn set_upload_id(
    pool: &PgPool,
    message_id: MessageId,
    upload_id: &str,
) -> Result<(), Error> {
    sqlx::query("update attachment set upload_id = $2, updated_at = now() where message_id = $1")
        .bind(message_id)
        .bind(upload_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// A ready file, as the media endpoint serves it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Served {
    pub sha256: String,
    pub mime_type: Option<String>,
    pub filename: Option<String>,
    pub kind: MessageKind,
    pub channel_id: ChannelId,
    /// The type of the file's thumbnail, when it has one.
    pub thumb_mime: Option<String>,
}

/// The ready file of `message_id`, if it has one.
pub async fn ready_file(pool: &PgPool, message_id: MessageId) -> Result<Option<Served>, Error> {
    Ok(sqlx::query_as(
        "select a.file_sha256 as sha256, a.mime_type, a.filename, m.kind, m.channel_id, f.thumb_mime
           from attachment a join message m on m.message_id = a.message_id
           left join media_file f on f.sha256 = a.file_sha256
          where a.message_id = $1 and a.state = 'ready'",
    )
    .bind(message_id)
    .fetch_optional(pool)
    .await?)
}

/// A file was served: it counts as used (at most once an hour, to spare the writes), so
/// eviction removes the file used longest ago, not the one received first.
pub async fn touch(pool: &PgPool, sha256: &str) -> Result<(), Error> {
    sqlx::query(
        "update media_file set last_used_at = now()
          where sha256 = $1 and last_used_at < now() - interval '1 hour'",
    )
    .bind(sha256)
    .execute(pool)
    .await?;
    Ok(())
}

/// Whether the index names the file `sha256`.
pub async fn is_indexed(conn: &mut PgConnection, sha256: &str) -> Result<bool, Error> {
    Ok(
        sqlx::query_scalar("select exists (select 1 from media_file where sha256 = $1)")
            .bind(sha256)
            .fetch_one(conn)
            .await?,
    )
}

/// Holds the file named `sha256` until the transaction ends: indexing it and removing an
/// unindexed one take turns, so a refused upload's removal never takes the bytes of a send of
/// the same file that is being queued.
pub async fn lock_file(conn: &mut PgConnection, sha256: &str) -> Result<(), Error> {
    sqlx::query("select pg_advisory_xact_lock(hashtext('media_file'), hashtext($1))")
        .bind(sha256)
        .execute(conn)
        .await?;
    Ok(())
}

/// The bytes the store holds.
pub async fn total_size(pool: &PgPool) -> Result<i64, Error> {
    Ok(sqlx::query_scalar(
        "select coalesce(sum(size + coalesce(thumb_size, 0)), 0)::bigint from media_file",
    )
    .fetch_one(pool)
    .await?)
}

/// Removes the file used longest ago from the index, its messages marked evicted; returns its
/// name and size, and the messages whose bubbles changed.
pub async fn evict_oldest(
    conn: &mut PgConnection,
) -> Result<Option<(String, i64, Vec<MessageId>)>, Error> {
    let Some((sha, size)): Option<(String, i64)> = sqlx::query_as(
        "select sha256, size + coalesce(thumb_size, 0) from media_file
          order by last_used_at limit 1 for update skip locked",
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
