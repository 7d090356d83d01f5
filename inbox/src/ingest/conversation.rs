//! Events about a conversation that are not a customer's new message: what the business typed
//! in the WhatsApp Business app (mirrored as its message), a customer deleting a message, and
//! what a stored message brings besides its row (a place, contact cards, a reaction shown on
//! the message it reacts to).

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

/// What a stored customer message needs besides its row: its place or contact cards kept, and
/// for a reaction, the message it reacts to redrawn with the emoji (the reaction shows there,
/// not as a message of its own).
pub(super) async fn after_stored(
    conn: &mut PgConnection,
    channel_id: ChannelId,
    m: &whatsapp::InboundMessage,
    details: Option<&serde_json::Value>,
) -> Result<(), Error> {
    if let Some(details) = details {
        messages::set_details(&mut *conn, channel_id, &m.provider_message_id, details).await?;
    }
    if m.kind == whatsapp::MessageKind::Reaction {
        let target = match m.reply_to.as_deref() {
            Some(id) => messages::by_provider_id(&mut *conn, channel_id, id).await?,
            None => None,
        };
        if let Some(target) = target {
            let view = messages::view(&mut *conn, target).await?;
            events::publish(&mut *conn, &LiveEvent::MessageUpdated(view)).await?;
        }
    }
    Ok(())
}
