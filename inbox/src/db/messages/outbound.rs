//! Replies (agents', the bot's, templates, files) as they are stored before the outbox sends
//! them, and the provider id a reply quotes.

use crate::Error;
use model::{ChannelId, ChatId, MessageId, UserId};
use sqlx::PgConnection;

/// A reply (agent or bot) about to wait in the outbox.
#[derive(Debug, Clone, Copy)]
pub struct Outbound<'a> {
    pub chat_id: ChatId,
    pub channel_id: ChannelId,
    pub sender_kind: model::SenderKind,
    pub sender_user_id: Option<UserId>,
    /// The API key it was sent through.
    pub api_key_id: Option<i64>,
    /// `text`, or the kind of the file it carries.
    pub kind: model::MessageKind,
    /// The text, or a file's caption.
    pub body: Option<&'a str>,
    /// The provider's id of the message it quotes.
    pub reply_to: Option<&'a str>,
    /// A template's send object (`whatsapp::templates::Filled::send_object`).
    pub template: Option<&'a serde_json::Value>,
    /// Buttons or a list (`whatsapp::Interactive`).
    pub interactive: Option<&'a serde_json::Value>,
}

/// Stores a reply with status `queued`.
pub async fn insert_outbound(
    conn: &mut PgConnection,
    m: &Outbound<'_>,
) -> Result<MessageId, Error> {
    Ok(sqlx::query_scalar(
        "insert into message (chat_id, channel_id, direction, sender_kind, sender_user_id, kind, body,
                              reply_to_provider_id, template, interactive, status, api_key_id)
         values ($1, $2, 'out', $3, $4, $5, $6, $7, $8, $9, 'queued', $10) returning message_id",
    )
    .bind(m.chat_id)
    .bind(m.channel_id)
    .bind(m.sender_kind.as_str())
    .bind(m.sender_user_id)
    .bind(m.kind)
    .bind(m.body)
    .bind(m.reply_to)
    .bind(m.template)
    .bind(m.interactive)
    .bind(m.api_key_id)
    .fetch_one(conn)
    .await?)
}

/// What the business's latest message in `chat_id` offered, if it had options: the menu a
/// customer's bare number answers.
pub async fn latest_menu(
    conn: &mut PgConnection,
    chat_id: ChatId,
) -> Result<Option<serde_json::Value>, Error> {
    Ok(sqlx::query_scalar(
        "select interactive from message
          where chat_id = $1 and direction = 'out'
          order by message_id desc limit 1",
    )
    .bind(chat_id)
    .fetch_optional(conn)
    .await?
    .flatten())
}

/// The provider's id of `message_id` if it belongs to `chat_id` and reached the provider: what
/// a reply quoting it carries.
pub async fn quotable_id(
    conn: &mut PgConnection,
    chat_id: ChatId,
    message_id: MessageId,
) -> Result<Option<String>, Error> {
    Ok(sqlx::query_scalar(
        "select provider_message_id from message
          where message_id = $1 and chat_id = $2 and provider_message_id is not null
            and sender_kind <> 'system'",
    )
    .bind(message_id)
    .bind(chat_id)
    .fetch_optional(conn)
    .await?)
}
