//! Outbound webhooks (`inbox::hooks`): `webhook_endpoint`, `webhook_pending`, `webhook_event`,
//! `webhook_announced`, and queuing deliveries; their claim, attempts and log are in
//! [`deliveries`].

mod deliveries;

pub use deliveries::*;

use crate::Error;
use chrono::{DateTime, Utc};
use model::{ChannelId, ChatId, MessageId};
use sqlx::{PgConnection, PgPool};

/// `NOTIFY`ed when events are queued for webhooks (by the trigger on `event`) and when
/// deliveries are made or redelivered.
pub const WAKEUP_CHANNEL: &str = "webhook_wakeup";

/// An endpoint as stored (its secret sealed).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EndpointRow {
    pub webhook_endpoint_id: i64,
    pub url: String,
    pub secret: Vec<u8>,
    pub events: Vec<String>,
    pub enabled: bool,
    pub failing_since: Option<DateTime<Utc>>,
    pub paused_at: Option<DateTime<Utc>>,
    pub pause_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

const ENDPOINT: &str = "select webhook_endpoint_id, url, secret, events, enabled, failing_since,
        paused_at, pause_reason, created_at from webhook_endpoint";

pub async fn endpoints(pool: &PgPool) -> Result<Vec<EndpointRow>, Error> {
    Ok(
        sqlx::query_as(&format!("{ENDPOINT} order by webhook_endpoint_id"))
            .fetch_all(pool)
            .await?,
    )
}

pub async fn endpoint(pool: &PgPool, id: i64) -> Result<Option<EndpointRow>, Error> {
    Ok(
        sqlx::query_as(&format!("{ENDPOINT} where webhook_endpoint_id = $1"))
            .bind(id)
            .fetch_optional(pool)
            .await?,
    )
}

/// Inserts an endpoint whose secret is sealed afterwards (it is bound to the id).
pub async fn insert_endpoint(
    conn: &mut PgConnection,
    url: &str,
    events: &[String],
    created_by: model::UserId,
) -> Result<i64, Error> {
    Ok(sqlx::query_scalar(
        "insert into webhook_endpoint (url, secret, events, created_by) values ($1, '', $2, $3)
         returning webhook_endpoint_id",
    )
    .bind(url)
    .bind(events)
    .bind(created_by)
    .fetch_one(conn)
    .await?)
}

pub async fn set_secret(conn: &mut PgConnection, id: i64, sealed: &[u8]) -> Result<(), Error> {
    sqlx::query("update webhook_endpoint set secret = $2 where webhook_endpoint_id = $1")
        .bind(id)
        .bind(sealed)
        .execute(conn)
        .await?;
    Ok(())
}

/// Enables (and un-pauses: it starts again with a clean slate) or disables an endpoint; false
/// when there is none.
pub async fn set_enabled(pool: &PgPool, id: i64, enabled: bool) -> Result<bool, Error> {
    let done = sqlx::query(
        "update webhook_endpoint
            set enabled = $2,
                paused_at = case when $2 then null else paused_at end,
                pause_reason = case when $2 then null else pause_reason end,
                failing_since = case when $2 then null else failing_since end
          where webhook_endpoint_id = $1",
    )
    .bind(id)
    .bind(enabled)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete_endpoint(pool: &PgPool, id: i64) -> Result<bool, Error> {
    let done = sqlx::query("delete from webhook_endpoint where webhook_endpoint_id = $1")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes up to `limit` pending events, oldest first, with their payloads (an event already
/// pruned from `event` comes without one).
pub async fn take_pending(
    conn: &mut PgConnection,
    limit: i64,
) -> Result<Vec<super::events::StoredEvent>, Error> {
    Ok(sqlx::query_as(
        "with taken as (delete from webhook_pending where event_id in
                          (select event_id from webhook_pending order by event_id limit $1)
                        returning event_id)
         select e.event_id, e.kind, e.chat_id, e.payload
           from taken t join event e using (event_id) order by e.event_id",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// Only one dispatcher at a time, across processes: events are fanned out in their order.
pub async fn try_dispatch_lock(conn: &mut PgConnection) -> Result<bool, Error> {
    Ok(
        sqlx::query_scalar("select pg_try_advisory_xact_lock(hashtext('inbox webhook dispatch'))")
            .fetch_one(conn)
            .await?,
    )
}

/// The enabled endpoints and the events they want (empty: all).
pub async fn subscriptions(conn: &mut PgConnection) -> Result<Vec<(i64, Vec<String>)>, Error> {
    Ok(sqlx::query_as(
        "select webhook_endpoint_id, events from webhook_endpoint where enabled order by webhook_endpoint_id",
    )
    .fetch_all(conn)
    .await?)
}

/// Locks the pending deliveries of `chat_id` to `endpoints` until the transaction ends (none
/// for an event without a chat). A worker finishing one of them waits for this transaction, so
/// it then sees the deliveries queued here and makes the next one its chat's head; a worker
/// that finished first has committed by the time this returns, so the deliveries queued here
/// see that. Either way a chat has exactly one head. Rows are locked oldest first, as a
/// finishing worker takes them (its head, then the next), so the two never wait on each other.
async fn lock_chat(
    conn: &mut PgConnection,
    chat_id: Option<ChatId>,
    endpoints: &[i64],
) -> Result<(), Error> {
    if chat_id.is_some() {
        sqlx::query(
            "select 1 from webhook_delivery
              where chat_id = $1 and webhook_endpoint_id = any($2) and state = 'pending'
              order by webhook_delivery_id
              for update",
        )
        .bind(chat_id)
        .bind(endpoints)
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// Stores an event and queues it for `endpoints` (each delivery its chat's head when nothing
/// of that chat is pending for the endpoint); its id.
pub async fn insert_event(
    conn: &mut PgConnection,
    name: &str,
    chat_id: Option<ChatId>,
    data: &str,
    endpoints: &[i64],
) -> Result<i64, Error> {
    lock_chat(&mut *conn, chat_id, endpoints).await?;
    let id: i64 = sqlx::query_scalar(
        "with e as (insert into webhook_event (name, chat_id, data) values ($1, $2, $3)
                    returning webhook_event_id, chat_id),
              d as (insert into webhook_delivery (webhook_endpoint_id, webhook_event_id, chat_id, head)
                    select ep, e.webhook_event_id, e.chat_id,
                           e.chat_id is null or not exists (
                               select 1 from webhook_delivery p
                                where p.webhook_endpoint_id = ep and p.chat_id = e.chat_id
                                  and p.state = 'pending')
                      from e, unnest($4::bigint[]) ep)
         select webhook_event_id from e",
    )
    .bind(name)
    .bind(chat_id)
    .bind(data)
    .bind(endpoints)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// A new delivery of an event already sent (its id stays the same), or of a test event: its
/// chat's head when nothing of that chat is pending for the endpoint.
pub async fn insert_delivery(
    conn: &mut PgConnection,
    endpoint_id: i64,
    event_id: i64,
) -> Result<i64, Error> {
    let chat_id: Option<ChatId> =
        sqlx::query_scalar("select chat_id from webhook_event where webhook_event_id = $1")
            .bind(event_id)
            .fetch_one(&mut *conn)
            .await?;
    lock_chat(&mut *conn, chat_id, &[endpoint_id]).await?;
    Ok(sqlx::query_scalar(
        "insert into webhook_delivery (webhook_endpoint_id, webhook_event_id, chat_id, head)
         select $1, ev.webhook_event_id, ev.chat_id,
                ev.chat_id is null or not exists (
                    select 1 from webhook_delivery p
                     where p.webhook_endpoint_id = $1 and p.chat_id = ev.chat_id and p.state = 'pending')
           from webhook_event ev where ev.webhook_event_id = $2
         returning webhook_delivery_id",
    )
    .bind(endpoint_id)
    .bind(event_id)
    .fetch_one(conn)
    .await?)
}

/// Makes the oldest pending delivery of each chat its head where none is (which the locking
/// above should never leave); how many it found.
pub async fn heal_heads(pool: &PgPool) -> Result<u64, Error> {
    Ok(sqlx::query(
        "update webhook_delivery n set head = true
          where n.state = 'pending' and not n.head and n.chat_id is not null
            and not exists (select 1 from webhook_delivery p
                             where p.webhook_endpoint_id = n.webhook_endpoint_id and p.chat_id = n.chat_id
                               and p.state = 'pending' and p.webhook_delivery_id < n.webhook_delivery_id)",
    )
    .execute(pool)
    .await?
    .rows_affected())
}

pub async fn wake(conn: &mut PgConnection) -> Result<(), Error> {
    sqlx::query("select pg_notify($1, '')")
        .bind(WAKEUP_CHANNEL)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records `state` as the last announced state of `subject` (and when it was last seen, for
/// the retention); true when it differs from the one before (so the change is worth an event).
pub async fn announce(conn: &mut PgConnection, subject: &str, state: &str) -> Result<bool, Error> {
    let changed: bool = sqlx::query_scalar(
        "with before as (select state from webhook_announced where subject = $1 for update),
              now_known as (insert into webhook_announced (subject, state) values ($1, $2)
                            on conflict (subject) do update set state = excluded.state, at = now())
         select (select state from before) is distinct from $2",
    )
    .bind(subject)
    .bind(state)
    .fetch_one(conn)
    .await?;
    Ok(changed)
}

/// What a webhook says of a message besides its view: who, where, which ids.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MessageFacts {
    pub message_id: MessageId,
    pub chat_id: ChatId,
    pub channel_id: ChannelId,
    pub channel_name: String,
    pub provider_message_id: Option<String>,
    pub reply_to_provider_id: Option<String>,
    pub phone: Option<String>,
    pub contact_name: Option<String>,
    pub details: Option<serde_json::Value>,
    /// What the business offered last before this message (the quoted message's buttons or
    /// list, else the chat's latest): where a tap's id is found.
    pub menu: Option<serde_json::Value>,
    pub sent_by: Option<String>,
}

pub async fn message_facts(
    conn: &mut PgConnection,
    ids: &[MessageId],
) -> Result<Vec<MessageFacts>, Error> {
    Ok(sqlx::query_as(
        "select m.message_id, m.chat_id, m.channel_id, ch.name as channel_name, m.provider_message_id,
                m.reply_to_provider_id, ct.phone, ct.display_name as contact_name, m.details,
                case when m.kind = 'interactive_reply' then coalesce(q.interactive,
                    (select o.interactive from message o
                      where o.chat_id = m.chat_id and o.direction = 'out' and o.message_id < m.message_id
                        and o.interactive is not null
                      order by o.message_id desc limit 1)) end as menu,
                coalesce(u.display_name, k.name) as sent_by
           from message m
           join chat c on c.chat_id = m.chat_id
           join contact ct on ct.contact_id = c.contact_id
           join channel ch on ch.channel_id = m.channel_id
           left join app_user u on u.user_id = m.sender_user_id
           left join api_key k on k.api_key_id = m.api_key_id
           left join message q on q.channel_id = m.channel_id and q.provider_message_id = m.reply_to_provider_id
          where m.message_id = any($1)",
    )
    .bind(ids)
    .fetch_all(conn)
    .await?)
}

/// A channel as `connection.update` reports it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChannelFacts {
    pub channel_id: ChannelId,
    pub name: String,
    pub display_phone: Option<String>,
    pub enabled: bool,
    pub check_state: Option<String>,
    pub check_detail: Option<String>,
}

pub async fn channel_facts(
    conn: &mut PgConnection,
    id: ChannelId,
) -> Result<Option<ChannelFacts>, Error> {
    Ok(sqlx::query_as(
        "select channel_id, name, display_phone, enabled, check_state, check_detail
           from channel where channel_id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}
