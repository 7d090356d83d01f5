//! `message`: every customer message (stored once per provider id), every reply with its
//! delivery status, and system events. Delivery statuses only move forward. Customer messages
//! come in through [`inbound`].

pub mod inbound;
pub mod outbound;
mod reads;
mod shared;
pub use inbound::{store_inbound, store_inbound_many, Inbound, Outcome, StoredInbound};
pub use outbound::{insert_outbound, latest_menu, quotable_id, Outbound};
pub use reads::{
    latest_inbound, mark_read_for_phone, read_up_to_for_phone, receipt_delivered, take_read_receipt,
};
pub use shared::{by_provider_id, our_reaction, reacted_to, set_details};

use crate::Error;
use chrono::{DateTime, Utc};
use model::ChannelId;
use model::MessageView;
use model::{ChatId, MessageId};
use sqlx::{PgConnection, PgPool};

const VIEW: &str = "select m.message_id, m.chat_id, m.direction, m.sender_kind,
        coalesce(u.display_name, case when m.sender_kind = 'agent' and m.sender_user_id is null
                                           and m.api_key_id is null
                                      then 'WhatsApp Business app' end) as sender_name, k.name as via_api, m.kind,
        m.body, m.status, m.error_code, m.error_reason, m.sent_at,
        case when m.sender_kind = 'system' then m.raw end as event, m.revoked_at,
        case when a.message_id is not null then jsonb_build_object(
            'state', a.state, 'mime_type', a.mime_type, 'filename', a.filename, 'size', a.size,
            'problem', a.problem, 'detail', a.detail,
            'voice', coalesce((m.media->>'voice')::boolean, false)) end as media,
        case when m.reply_to_provider_id is not null and m.kind <> 'reaction' then jsonb_build_object(
            'message_id', q.message_id, 'kind', q.kind, 'body', left(q.body, 200),
            'from_customer', coalesce(q.direction = 'in', false)) end as quoted,
        case when m.interactive is not null then jsonb_build_object(
            'button', m.interactive->'choices'->>'button',
            'options', coalesce(m.interactive->'choices'->'buttons',
                (select jsonb_agg(r) from jsonb_array_elements(m.interactive->'choices'->'sections') s,
                        jsonb_array_elements(s->'rows') r), '[]')) end as interactive,
        m.details->'location' as location, coalesce(m.details->'contacts', '[]') as contacts,
        (select r.body from message r
          where r.channel_id = m.channel_id and r.kind = 'reaction' and r.status <> 'failed'
            and r.reply_to_provider_id = m.provider_message_id
          order by r.message_id desc limit 1) as reaction
   from message m left join app_user u on u.user_id = m.sender_user_id
   left join api_key k on k.api_key_id = m.api_key_id
   left join attachment a on a.message_id = m.message_id
   left join message q on q.channel_id = m.channel_id and q.provider_message_id = m.reply_to_provider_id";

pub async fn view(conn: &mut PgConnection, message_id: MessageId) -> Result<MessageView, Error> {
    Ok(
        sqlx::query_as::<_, MessageView>(&format!("{VIEW} where m.message_id = $1"))
            .bind(message_id)
            .fetch_one(conn)
            .await?,
    )
}

/// Rows read newest first (for `limit`), as the conversation shows them: oldest first.
fn oldest_first(rows: Vec<MessageView>) -> Vec<MessageView> {
    rows.into_iter().rev().collect()
}

/// A page of a chat's history, oldest first: the newest `limit` messages before `before`.
pub async fn page(
    conn: &mut PgConnection,
    chat_id: ChatId,
    before: Option<MessageId>,
    limit: i64,
) -> Result<Vec<MessageView>, Error> {
    let rows: Vec<MessageView> = sqlx::query_as(&format!(
        "{VIEW} where m.chat_id = $1 and ($2::bigint is null or m.message_id < $2) and m.kind <> 'reaction'
          order by m.message_id desc limit $3"
    ))
    .bind(chat_id)
    .bind(before)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(oldest_first(rows))
}

/// A system event in the conversation (`note`): its English text, and the structured event in
/// `raw` for translated display.
pub async fn insert_system(
    conn: &mut PgConnection,
    chat_id: ChatId,
    text: &str,
    event: serde_json::Value,
) -> Result<MessageId, Error> {
    Ok(sqlx::query_scalar(
        "insert into message (chat_id, channel_id, direction, sender_kind, kind, body, status, raw)
         select chat_id, channel_id, 'note', 'system', 'system', $2, 'received', $3 from chat where chat_id = $1
         returning message_id",
    )
    .bind(chat_id)
    .bind(text)
    .bind(event)
    .fetch_one(conn)
    .await?)
}

/// The rank of a delivery status; a status update must raise it. `failed` can only follow
/// `queued` or `sent` (a message already delivered did not fail).
pub const STATUS_RANK_SQL: &str = "case status when 'queued' then 0 when 'sent' then 1 when 'delivered' then 2 when 'read' then 3 else 4 end";

/// Applies a provider status to one of our messages, forward only. Returns the message and chat
/// ids when something changed.
pub async fn apply_status(
    conn: &mut PgConnection,
    channel_id: ChannelId,
    provider_message_id: &str,
    status: &str,
    at: DateTime<Utc>,
    error_code: Option<&str>,
    error_reason: Option<&str>,
) -> Result<Option<(MessageId, ChatId)>, Error> {
    Ok(sqlx::query_as(&format!(
        "update message set status = $3, status_at = $4, error_code = $5, error_reason = $6
          where channel_id = $1 and provider_message_id = $2 and direction = 'out'
            and case when $3 = 'failed' then status in ('queued', 'sent')
                     else status <> 'failed' and ({STATUS_RANK_SQL}) <
                          (case $3 when 'queued' then 0 when 'sent' then 1 when 'delivered' then 2 when 'read' then 3 else 4 end)
                end
          returning message_id, chat_id"
    ))
    .bind(channel_id)
    .bind(provider_message_id)
    .bind(status)
    .bind(at)
    .bind(error_code)
    .bind(error_reason)
    .fetch_optional(conn)
    .await?)
}

/// The provider accepted our message: remember its id. A status webhook may have raced ahead of
/// us; then the status stays where it is.
pub async fn mark_sent(
    conn: &mut PgConnection,
    message_id: MessageId,
    provider_message_id: &str,
) -> Result<bool, Error> {
    // A provider that answers an id it gave another message before (a gateway restarted its
    // counter) sent this one all the same: it shows as sent, and the id stays with the first
    // (its statuses are the ones that will arrive). Returns false then.
    let kept: bool = sqlx::query_scalar(
        "update message m set
                provider_message_id = case when taken.id is null then $2 else m.provider_message_id end,
                status = case when m.status in ('queued', 'failed') then 'sent' else m.status end,
                error_code = null, error_reason = null, status_at = now()
           from (select (select message_id from message o
                          where o.channel_id = (select channel_id from message where message_id = $1)
                            and o.provider_message_id = $2 and o.message_id <> $1) as id) taken
          where m.message_id = $1
         returning taken.id is null",
    )
    .bind(message_id)
    .bind(provider_message_id)
    .fetch_one(conn)
    .await?;
    Ok(kept)
}

pub async fn mark_failed(
    conn: &mut PgConnection,
    message_id: MessageId,
    code: Option<&str>,
    reason: &str,
) -> Result<(), Error> {
    sqlx::query("update message set status = 'failed', error_code = $2, error_reason = $3, status_at = now() where message_id = $1")
        .bind(message_id)
        .bind(code)
        .bind(reason)
        .execute(conn)
        .await?;
    Ok(())
}

/// Puts a failed reply back in the queue (the Retry button).
pub async fn requeue(conn: &mut PgConnection, message_id: MessageId) -> Result<bool, Error> {
    let done = sqlx::query(
        "update message set status = 'queued', error_code = null, error_reason = null, status_at = now()
          where message_id = $1 and direction = 'out' and status = 'failed'",
    )
    .bind(message_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Records the provider's id of one of our messages if we did not learn it from the send
/// response (for example the worker died before it could write it down).
pub async fn adopt_provider_id(
    conn: &mut PgConnection,
    message_id: MessageId,
    channel_id: ChannelId,
    provider_message_id: &str,
) -> Result<(), Error> {
    sqlx::query(
        "update message set provider_message_id = $3
          where message_id = $1 and channel_id = $2 and direction = 'out' and provider_message_id is null
            and not exists (select 1 from message where channel_id = $2 and provider_message_id = $3)",
    )
    .bind(message_id)
    .bind(channel_id)
    .bind(provider_message_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The sandbox phone's view: the contact's messages on that channel, oldest first.
pub async fn for_contact(
    pool: &PgPool,
    channel_id: ChannelId,
    phone: &str,
    limit: i64,
) -> Result<Vec<MessageView>, Error> {
    let rows: Vec<MessageView> = sqlx::query_as(&format!(
        "{VIEW} join chat c on c.chat_id = m.chat_id join contact ct on ct.contact_id = c.contact_id
          where c.channel_id = $1 and ct.phone = $2 and m.sender_kind <> 'system' and m.kind <> 'reaction'
            and (m.direction <> 'out' or m.status in ('sent', 'delivered', 'read'))
          order by m.message_id desc limit $3"
    ))
    .bind(channel_id)
    .bind(phone)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(oldest_first(rows))
}

/// Marks a customer's message deleted by them (the text stays). Returns it when it changed.
pub async fn mark_revoked(
    conn: &mut PgConnection,
    channel_id: ChannelId,
    provider_message_id: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Option<MessageId>, Error> {
    Ok(sqlx::query_scalar(
        "update message set revoked_at = $3
          where channel_id = $1 and provider_message_id = $2 and direction = 'in' and revoked_at is null
          returning message_id",
    )
    .bind(channel_id)
    .bind(provider_message_id)
    .bind(at)
    .fetch_optional(conn)
    .await?)
}

/// A message the business typed in the WhatsApp Business app, mirrored into the customer's
/// conversation (their newest chat on this channel, or a new one in AGENT mode: a person
/// started it): an agent message, already sent. `None` when it was mirrored before.
pub async fn insert_app_echo(
    conn: &mut PgConnection,
    channel_id: ChannelId,
    to_phone: &str,
    provider_message_id: &str,
    body: Option<&str>,
    sent_at: chrono::DateTime<chrono::Utc>,
) -> Result<Option<(MessageId, ChatId)>, Error> {
    let contact: model::ContactId = sqlx::query_scalar(
        "with found as (select contact_id from contact where phone = $1),
              made as (insert into contact (phone) select $1 where not exists (select 1 from found)
                       on conflict (phone) where phone is not null do update set phone = excluded.phone
                       returning contact_id)
         select contact_id from found union all select contact_id from made",
    )
    .bind(to_phone)
    .fetch_one(&mut *conn)
    .await?;
    let chat: ChatId = sqlx::query_scalar(
        "with found as (select chat_id from chat where channel_id = $1 and contact_id = $2
                         order by (mode <> 'closed') desc, chat_id desc limit 1),
              made as (insert into chat (channel_id, contact_id, mode)
                       select $1, $2, 'agent' where not exists (select 1 from found)
                       returning chat_id)
         select chat_id from found union all select chat_id from made",
    )
    .bind(channel_id)
    .bind(contact)
    .fetch_one(&mut *conn)
    .await?;
    let id: Option<MessageId> = sqlx::query_scalar(
        "insert into message (chat_id, channel_id, direction, sender_kind, kind, body,
                              provider_message_id, status, sent_at, status_at)
         values ($1, $2, 'out', 'agent', 'text', $3, $4, 'sent', $5, $5)
         on conflict (channel_id, provider_message_id) do nothing
         returning message_id",
    )
    .bind(chat)
    .bind(channel_id)
    .bind(body)
    .bind(provider_message_id)
    .bind(sent_at)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = id else { return Ok(None) };
    sqlx::query(
        "update chat set last_message_at = greatest(coalesce(last_message_at, $2), $2),
                         last_message_preview = left(coalesce($3, ''), 140)
          where chat_id = $1",
    )
    .bind(chat)
    .bind(sent_at)
    .bind(body)
    .execute(&mut *conn)
    .await?;
    Ok(Some((id, chat)))
}

/// The three-letter pieces (as `pg_trgm` cuts text) in at least `share` of messages, from what
/// ANALYZE last recorded on `show_trgm(body)` (the statistics `message_body_trigrams`): none
/// before the first ANALYZE, nor when the database user does not own the table.
pub async fn common_trigrams(pool: &PgPool, share: f32) -> Result<Vec<String>, Error> {
    Ok(sqlx::query_scalar(
        "select u.piece from pg_stats_ext_exprs s,
                unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) u(piece, share)
          where s.statistics_schemaname = current_schema()
            and s.statistics_name = 'message_body_trigrams'
            and u.piece is not null and u.share >= $1",
    )
    .bind(share)
    .fetch_all(pool)
    .await?)
}
