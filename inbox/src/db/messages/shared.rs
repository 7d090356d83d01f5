//! What a customer message brings besides its row: a place or contact cards kept on it, and
//! reactions, which show on the message they are on.

use crate::Error;
use model::{ChannelId, MessageId, MessageView};
use sqlx::PgConnection;

/// Keeps a customer message's place or contact cards (`model::LocationView` under `location`,
/// `model::ContactCardView`s under `contacts`).
pub async fn set_details(
    conn: &mut PgConnection,
    channel_id: ChannelId,
    provider_message_id: &str,
    details: &serde_json::Value,
) -> Result<(), Error> {
    sqlx::query(
        "update message set details = $3 where channel_id = $1 and provider_message_id = $2",
    )
    .bind(channel_id)
    .bind(provider_message_id)
    .bind(details)
    .execute(conn)
    .await?;
    Ok(())
}

/// The message a reaction is on, when `view` is a reaction: a change to the reaction (sent,
/// failed) is shown there.
pub async fn reacted_to(
    conn: &mut PgConnection,
    view: &MessageView,
) -> Result<Option<MessageView>, Error> {
    if view.kind != model::MessageKind::Reaction {
        return Ok(None);
    }
    let target: Option<MessageId> = sqlx::query_scalar(
        "select t.message_id from message r
           join message t on t.channel_id = r.channel_id and t.provider_message_id = r.reply_to_provider_id
          where r.message_id = $1",
    )
    .bind(view.message_id)
    .fetch_optional(&mut *conn)
    .await?;
    match target {
        Some(id) => Ok(Some(super::view(conn, id).await?)),
        None => Ok(None),
    }
}

/// The message a customer's reaction is about, by its provider id.
pub async fn by_provider_id(
    conn: &mut PgConnection,
    channel_id: ChannelId,
    provider_message_id: &str,
) -> Result<Option<MessageId>, Error> {
    Ok(sqlx::query_scalar(
        "select message_id from message where channel_id = $1 and provider_message_id = $2",
    )
    .bind(channel_id)
    .bind(provider_message_id)
    .fetch_optional(conn)
    .await?)
}

/// The emoji of our latest reaction to the message `provider_message_id` (not failed), if it
/// has one that was not taken back.
pub async fn our_reaction(
    conn: &mut PgConnection,
    channel_id: ChannelId,
    provider_message_id: &str,
) -> Result<Option<String>, Error> {
    Ok(sqlx::query_scalar::<_, Option<String>>(
        "select body from message
          where channel_id = $1 and kind = 'reaction' and direction = 'out' and status <> 'failed'
            and reply_to_provider_id = $2
          order by message_id desc limit 1",
    )
    .bind(channel_id)
    .bind(provider_message_id)
    .fetch_optional(conn)
    .await?
    .flatten())
}
