//! Events about a conversation that are not a customer's new message: what the business typed
//! in the WhatsApp Business app (mirrored as its message), and a customer deleting a message.

use crate::db::{chats, events, messages};
use crate::Error;
use model::{ChannelId, LiveEvent};
use sqlx::PgConnection;
use whatsapp::{OutboundEcho, Revocation};

/// Mirrors a Business-app message into the customer's conversation; false for a redelivery.
pub(super) async fn mirror_app_echo(
    conn: &mut PgConnection,
    channel_id: ChannelId,
    e: &OutboundEcho,
) -> Result<bool, Error> {
    let Some(to) = e.to_phone.as_deref() else {
        return Ok(false);
    };
    let stored = messages::insert_app_echo(
        conn,
        channel_id,
        to,
        &e.provider_message_id,
        e.text.as_deref(),
        e.sent_at,
    )
    .await?;
    let Some((message_id, chat_id)) = stored else {
        return Ok(false);
    };
    let view = messages::view(conn, message_id).await?;
    events::publish(conn, &LiveEvent::MessageCreated(view)).await?;
    let summary = chats::summary(conn, chat_id).await?;
    events::publish(conn, &LiveEvent::ChatUpdated(summary)).await?;
    Ok(true)
}

/// Marks the deleted message "deleted by the customer"; false when we do not have it (or
/// already marked it).
pub(super) async fn apply_revocation(
    conn: &mut PgConnection,
    channel_id: ChannelId,
    r: &Revocation,
) -> Result<bool, Error> {
    let Some(message_id) =
        messages::mark_revoked(conn, channel_id, &r.original_message_id, r.at).await?
    else {
        return Ok(false);
    };
    let view = messages::view(conn, message_id).await?;
    events::publish(conn, &LiveEvent::MessageUpdated(view)).await?;
    Ok(true)
}
