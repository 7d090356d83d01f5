//! Customer messages into `message`: each stored once per provider id, with its contact, its
//! chat and the chat's events, by `inbox_store_inbound` (migration 4), one round trip for a whole
//! group.

use crate::Error;
use chrono::{DateTime, Utc};
use model::{ChannelId, ChatId, Mode, UserId};
use sqlx::PgConnection;

/// A customer message for [`store_inbound`].
pub struct Inbound<'a> {
    pub channel_id: ChannelId,
    /// The customer: phone (digits with country code) and/or Meta's business-scoped user id.
    pub phone: Option<&'a str>,
    pub bsuid: Option<&'a str>,
    pub name: Option<&'a str>,
    pub provider_message_id: &'a str,
    pub kind: model::MessageKind,
    pub body: Option<&'a str>,
    pub media: Option<&'a serde_json::Value>,
    pub reply_to: Option<&'a str>,
    pub raw: &'a serde_json::Value,
    pub sent_at: DateTime<Utc>,
    /// The chat list's one-line preview.
    pub preview: &'a str,
    /// The `message.created` payload without its ids.
    pub view: &'a serde_json::Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Stored,
    /// Already stored (a redelivery): nothing changed.
    Duplicate,
    /// The contact's chat is closed: nothing stored; reopen it and call again.
    Closed,
}

pub struct StoredInbound {
    pub outcome: Outcome,
    pub chat_id: ChatId,
    pub mode: Mode,
    pub assigned: Option<UserId>,
}

impl StoredInbound {
    /// The chat's mode and assignee after the call.
    pub fn state(&self) -> crate::chat_changes::rules::ChatState {
        crate::chat_changes::rules::ChatState {
            mode: self.mode,
            assigned: self.assigned,
        }
    }
}

/// Stores a customer message with everything that goes with it, in one round trip: the
/// contact (found or created), its chat (locked; created if none), the message, the chat's
/// activity, preview and unread count, and the `message.created` and `chat.updated` events.
pub async fn store_inbound(
    conn: &mut PgConnection,
    m: &Inbound<'_>,
) -> Result<StoredInbound, Error> {
    let mut stored = store_inbound_many(conn, std::slice::from_ref(m)).await?;
    stored
        .pop()
        .ok_or_else(|| anyhow::anyhow!("inbox_store_inbound returned no row").into())
}

/// [`store_inbound`] for several messages, in order, in one round trip (one result each, in
/// the same order). Per-statement overhead was most of ingest's cost in PostgreSQL, so a group
/// of webhook bodies sends all its messages at once.
pub async fn store_inbound_many(
    conn: &mut PgConnection,
    ms: &[Inbound<'_>],
) -> Result<Vec<StoredInbound>, Error> {
    if ms.is_empty() {
        return Ok(Vec::new());
    }
    // One array per argument; the lateral call runs once per element, in array order.
    let rows: Vec<(String, ChatId, Mode, Option<UserId>)> = sqlx::query_as(
        "select r.outcome, r.chat_id, r.mode, r.assigned_user_id
           from unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                       $7::text[], $8::jsonb[], $9::text[], $10::jsonb[], $11::timestamptz[],
                       $12::text[], $13::jsonb[])
                with ordinality as m(channel_id, phone, bsuid, name, provider_message_id, kind,
                                     body, media, reply_to, raw, sent_at, preview, view, ord)
          cross join lateral inbox_store_inbound(m.channel_id, m.phone, m.bsuid, m.name,
                       m.provider_message_id, m.kind, m.body, m.media, m.reply_to, m.raw,
                       m.sent_at, m.preview, m.view, $14) r
          order by m.ord",
    )
    .bind(ms.iter().map(|m| m.channel_id).collect::<Vec<_>>())
    .bind(ms.iter().map(|m| m.phone).collect::<Vec<_>>())
    .bind(ms.iter().map(|m| m.bsuid).collect::<Vec<_>>())
    .bind(ms.iter().map(|m| m.name).collect::<Vec<_>>())
    .bind(ms.iter().map(|m| m.provider_message_id).collect::<Vec<_>>())
    .bind(ms.iter().map(|m| m.kind.as_str()).collect::<Vec<_>>())
    .bind(ms.iter().map(|m| m.body).collect::<Vec<_>>())
    .bind(ms.iter().map(|m| m.media.cloned()).collect::<Vec<_>>())
    .bind(ms.iter().map(|m| m.reply_to).collect::<Vec<_>>())
    .bind(ms.iter().map(|m| m.raw.clone()).collect::<Vec<_>>())
    .bind(ms.iter().map(|m| m.sent_at).collect::<Vec<_>>())
    .bind(ms.iter().map(|m| m.preview).collect::<Vec<_>>())
    .bind(ms.iter().map(|m| m.view.clone()).collect::<Vec<_>>())
    .bind(crate::db::events::INLINE_LIMIT)
    .fetch_all(conn)
    .await?;
    if rows.len() != ms.len() {
        return Err(anyhow::anyhow!(
            "inbox_store_inbound: {} rows for {} messages",
            rows.len(),
            ms.len()
        )
        .into());
    }
    rows.into_iter()
        .map(|(outcome, chat_id, mode, assigned)| {
            Ok(StoredInbound {
                outcome: match outcome.as_str() {
                    "stored" => Outcome::Stored,
                    "duplicate" => Outcome::Duplicate,
                    "closed" => Outcome::Closed,
                    other => return Err(anyhow::anyhow!("inbox_store_inbound: {other}").into()),
                },
                chat_id,
                mode,
                assigned,
            })
        })
        .collect()
}
