//! `chat`: conversations, their mode, assignment, unread count and last activity. The chat
//! list's query, with its search, is in `list.rs`.

mod list;
pub use list::{page, ListFilter, Search};

use crate::Error;
use chrono::{DateTime, Utc};
use model::ChannelId;
use model::ChatId;
use model::{ChatSummary, Mode};
use sqlx::{PgConnection, PgPool};

const SUMMARY: &str =
    "select c.chat_id, c.channel_id, ch.kind as channel_kind, ch.name as channel_name,
        c.contact_id, ct.display_name as contact_name, ct.phone as contact_phone, c.mode,
        c.assigned_user_id, u.display_name as assigned_name, c.unread_count, c.last_message_at,
        c.last_message_preview, c.last_customer_message_at
   from chat c
   join channel ch using (channel_id)
   join contact ct using (contact_id)
   left join app_user u on u.user_id = c.assigned_user_id";

pub async fn summary(conn: &mut PgConnection, chat_id: ChatId) -> Result<ChatSummary, Error> {
    Ok(
        sqlx::query_as::<_, ChatSummary>(&format!("{SUMMARY} where c.chat_id = $1"))
            .bind(chat_id)
            .fetch_one(conn)
            .await?,
    )
}

/// The customer panel: who, since when, how many chats.
pub async fn customer(
    conn: &mut PgConnection,
    contact_id: model::ContactId,
) -> Result<model::CustomerInfo, Error> {
    let (name, phone, first_contact_at, chat_count): (Option<String>, Option<String>, DateTime<Utc>, i64) = sqlx::query_as(
        "select ct.display_name, ct.phone, ct.created_at, (select count(*) from chat where contact_id = ct.contact_id)
           from contact ct where ct.contact_id = $1",
    )
    .bind(contact_id)
    .fetch_one(conn)
    .await?;
    Ok(model::CustomerInfo {
        name,
        phone,
        first_contact_at,
        chat_count,
    })
}

/// We sent something: activity and preview.
pub async fn record_outbound(
    conn: &mut PgConnection,
    chat_id: ChatId,
    at: DateTime<Utc>,
    preview: &str,
) -> Result<(), Error> {
    sqlx::query("update chat set last_message_at = greatest(last_message_at, $2), last_message_preview = $3 where chat_id = $1")
        .bind(chat_id)
        .bind(at)
        .bind(preview)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn mark_read(conn: &mut PgConnection, chat_id: ChatId) -> Result<bool, Error> {
    let done =
        sqlx::query("update chat set unread_count = 0 where chat_id = $1 and unread_count <> 0")
            .bind(chat_id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() > 0)
}

/// What the outbox needs to send into a chat.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Route {
    pub chat_id: ChatId,
    pub channel_id: ChannelId,
    pub channel_kind: model::ChannelKind,
    pub contact_phone: Option<String>,
    pub contact_bsuid: Option<String>,
    pub last_customer_message_at: Option<DateTime<Utc>>,
    pub channel_enabled: bool,
    pub channel_settings: sqlx::types::Json<model::ChannelSettings>,
}

pub async fn route(conn: &mut PgConnection, chat_id: ChatId) -> Result<Route, Error> {
    Ok(sqlx::query_as(
        "select c.chat_id, c.channel_id, ch.kind as channel_kind, ct.phone as contact_phone, ct.bsuid as contact_bsuid,
                c.last_customer_message_at, ch.enabled as channel_enabled, ch.settings as channel_settings
           from chat c join channel ch using (channel_id) join contact ct using (contact_id)
          where c.chat_id = $1",
    )
    .bind(chat_id)
    .fetch_one(conn)
    .await?)
}

/// How long a typing indicator is worth showing, and so the least time between two of a chat
/// (Meta's own indicator lasts about 25 s).
pub const TYPING_EVERY_SECS: i64 = 20;

/// Whether "typing…" may be shown in this chat now: at most once per [`TYPING_EVERY_SECS`]
/// (taken atomically, so two agents or two servers do not both send it).
pub async fn take_typing_turn(conn: &mut PgConnection, chat_id: ChatId) -> Result<bool, Error> {
    let done = sqlx::query(
        "update chat set typing_at = now()
          where chat_id = $1 and (typing_at is null or typing_at < now() - make_interval(secs => $2))",
    )
    .bind(chat_id)
    .bind(TYPING_EVERY_SECS as f64)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether "typing…" was queued for this chat within `secs` (so taking it away is worth a call).
pub async fn typing_since(
    conn: &mut PgConnection,
    chat_id: ChatId,
    secs: f64,
) -> Result<bool, Error> {
    Ok(sqlx::query_scalar(
        "select coalesce(typing_at > now() - make_interval(secs => $2), false) from chat where chat_id = $1",
    )
    .bind(chat_id)
    .bind(secs)
    .fetch_one(conn)
    .await?)
}

/// The provider took our "typing…" for the chat (`shown`), or its end: the customer's phone
/// shows it from now until a later message of ours reaches them, or
/// [`crate::receipts::TYPING_SHOWN`] passes (see [`typing_shown_to_phone`]), or no more.
/// Returns whether that changed what the phone shows (a stop when nothing showed does not).
pub async fn typing_shown(
    conn: &mut PgConnection,
    chat_id: ChatId,
    shown: bool,
) -> Result<bool, Error> {
    let done = if shown {
        sqlx::query(
            "update chat set typing_shown_at = now(),
                    typing_shown_after = (select max(message_id) from message
                                           where chat_id = $1 and direction = 'out'
                                             and status in ('sent', 'delivered', 'read'))
              where chat_id = $1",
        )
        .bind(chat_id)
        .execute(conn)
        .await?
    } else {
        sqlx::query(
            "update chat set typing_shown_at = null, typing_shown_after = null
              where chat_id = $1 and typing_shown_at is not null",
        )
        .bind(chat_id)
        .execute(conn)
        .await?
    };
    Ok(done.rows_affected() == 1)
}

/// How many more milliseconds the phone of `phone` on this channel shows our "typing…" (its
/// newest chat's, if one shows): shown within [`crate::receipts::TYPING_SHOWN`], and no
/// message of ours sent since (a chat's replies go out in order, so one sent since has a
/// greater id than the newest sent then).
pub async fn typing_shown_to_phone(
    pool: &PgPool,
    channel_id: ChannelId,
    phone: &str,
) -> Result<Option<u32>, Error> {
    let left: Option<f64> = sqlx::query_scalar(
        "select extract(epoch from c.typing_shown_at + make_interval(secs => $3) - now())::float8 * 1000
           from chat c join contact ct on ct.contact_id = c.contact_id
          where c.channel_id = $1 and ct.phone = $2
            and c.typing_shown_at > now() - make_interval(secs => $3)
            and not exists (select 1 from message m
                             where m.chat_id = c.chat_id and m.direction = 'out'
                               and m.status in ('sent', 'delivered', 'read')
                               and m.message_id > coalesce(c.typing_shown_after, 0))
          order by c.typing_shown_at desc limit 1",
    )
    .bind(channel_id)
    .bind(phone)
    .bind(crate::receipts::TYPING_SHOWN.as_secs_f64())
    .fetch_optional(pool)
    .await?;
    Ok(left.map(|ms| ms.clamp(0.0, u32::MAX as f64) as u32))
}

/// A reply went out: it ends "typing…" at the customer, so the next keystroke may show it again.
pub async fn reset_typing(conn: &mut PgConnection, chat_id: ChatId) -> Result<(), Error> {
    sqlx::query("update chat set typing_at = null where chat_id = $1 and typing_at is not null")
        .bind(chat_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A chat's mode and assignee, with the row locked until the transaction ends (changes to one
/// chat apply one after the other).
pub async fn lock_state(
    conn: &mut PgConnection,
    chat_id: model::ChatId,
) -> Result<(Mode, Option<model::UserId>), Error> {
    Ok(
        sqlx::query_as("select mode, assigned_user_id from chat where chat_id = $1 for update")
            .bind(chat_id)
            .fetch_one(conn)
            .await?,
    )
}

/// Sets a chat's mode and assignee (and when it was closed).
pub async fn set_state(
    conn: &mut PgConnection,
    chat_id: model::ChatId,
    mode: Mode,
    assigned: Option<model::UserId>,
) -> Result<(), Error> {
    sqlx::query(
        "update chat set mode = $2, assigned_user_id = $3,
                closed_at = case when $2 = 'closed' then coalesce(closed_at, now()) else null end
          where chat_id = $1",
    )
    .bind(chat_id)
    .bind(mode)
    .bind(assigned)
    .execute(conn)
    .await?;
    Ok(())
}

/// The chat waiting longest in the agents' queue without an agent, if any.
pub async fn next_waiting(conn: &mut PgConnection) -> Result<Option<model::ChatId>, Error> {
    Ok(sqlx::query_scalar(
        "select chat_id from chat where mode = 'agent' and assigned_user_id is null
          order by last_customer_message_at nulls last, chat_id limit 1",
    )
    .fetch_optional(conn)
    .await?)
}

pub async fn count(conn: &mut PgConnection) -> Result<i64, Error> {
    Ok(sqlx::query_scalar("select count(*) from chat")
        .fetch_one(conn)
        .await?)
}

/// The chat of a phone number (the demo's sample customers have one each).
pub async fn of_phone(pool: &PgPool, phone: &str) -> Result<model::ChatId, Error> {
    Ok(sqlx::query_scalar(
        "select chat_id from chat join contact using (contact_id) where phone = $1",
    )
    .bind(phone)
    .fetch_one(pool)
    .await?)
}

/// The chats assigned to a user.
pub async fn assigned_to(
    conn: &mut PgConnection,
    user_id: model::UserId,
) -> Result<Vec<model::ChatId>, Error> {
    Ok(
        sqlx::query_scalar("select chat_id from chat where assigned_user_id = $1 order by chat_id")
            .bind(user_id)
            .fetch_all(conn)
            .await?,
    )
}

/// The contact of a phone number, created when it never wrote (concurrent calls find the one
/// row the unique index lets win).
pub async fn contact_of_phone(
    conn: &mut PgConnection,
    phone: &str,
) -> Result<model::ContactId, Error> {
    loop {
        let found: Option<model::ContactId> =
            sqlx::query_scalar("select contact_id from contact where phone = $1")
                .bind(phone)
                .fetch_optional(&mut *conn)
                .await?;
        if let Some(id) = found {
            return Ok(id);
        }
        let created: Option<model::ContactId> = sqlx::query_scalar(
            "insert into contact (phone) values ($1) on conflict do nothing returning contact_id",
        )
        .bind(phone)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(id) = created {
            return Ok(id);
        }
    }
}

/// The contact's chat on `channel_id`, locked: the open one, else the latest closed one.
pub async fn latest_of_contact(
    conn: &mut PgConnection,
    channel_id: ChannelId,
    contact_id: model::ContactId,
) -> Result<Option<model::ChatId>, Error> {
    Ok(sqlx::query_scalar(
        "select chat_id from chat where channel_id = $1 and contact_id = $2
          order by (mode <> 'closed') desc, chat_id desc limit 1 for update",
    )
    .bind(channel_id)
    .bind(contact_id)
    .fetch_optional(conn)
    .await?)
}

/// A chat the business starts, in `mode` and assigned to `assigned`. `None` when another
/// request opened one at the same moment.
pub async fn insert_started(
    conn: &mut PgConnection,
    channel_id: ChannelId,
    contact_id: model::ContactId,
    mode: model::Mode,
    assigned: Option<model::UserId>,
) -> Result<Option<model::ChatId>, Error> {
    Ok(sqlx::query_scalar(
        "insert into chat (channel_id, contact_id, mode, assigned_user_id) values ($1, $2, $3, $4)
             on conflict (channel_id, contact_id) where mode <> 'closed' do nothing
         returning chat_id",
    )
    .bind(channel_id)
    .bind(contact_id)
    .bind(mode)
    .bind(assigned)
    .fetch_optional(conn)
    .await?)
}
