//! An agent's reaction to a customer's message: one of [`model::REACTIONS`], on a message of
//! the chat the provider has, by someone who may answer the chat, while the provider takes
//! messages (Meta's 24-hour window). It goes through the outbox like a reply (stored as a message
//! of kind `reaction`, shown on the message it reacts to); it does not take the chat over.
//! An empty emoji takes the reaction back (stored as a reaction without an emoji, as a
//! customer's taken-back reaction is); with nothing to take back, nothing is sent.

use super::{window_open, Sender};
use crate::channels::Channels;
use crate::chat_changes;
use crate::db::{chats, events, messages, outbox};
use crate::Error;
use model::{ChatId, LiveEvent, MessageId, MessageKind, MessageView, Reason, UserInfo};
use sqlx::PgPool;

pub async fn react(
    pool: &PgPool,
    channels: &Channels,
    chat_id: ChatId,
    user: &UserInfo,
    message_id: MessageId,
    emoji: &str,
) -> Result<MessageView, Error> {
    let taking_back = emoji.is_empty();
    if !taking_back && !model::REACTIONS.contains(&emoji) {
        return Err(Error::invalid("emoji", Reason::ReactionInvalid));
    }
    let mut tx = pool.begin().await?;
    let state = chat_changes::lock(&mut tx, chat_id).await?;
    chat_changes::rules::may_reply(user, &state)?;
    let route = chats::route(&mut tx, chat_id).await?;
    if !super::files::send_options(channels, route.channel_id).reactions {
        return Err(Error::Conflict(Reason::ReactionsNotSupported));
    }
    window_open(&route)?;
    let target = messages::quotable_id(&mut tx, chat_id, message_id)
        .await?
        .ok_or(Error::invalid("message_id", Reason::QuoteNotFound))?;
    // Only our own reaction can be taken back (the customer may have reacted too).
    if taking_back
        && messages::our_reaction(&mut tx, route.channel_id, &target)
            .await?
            .is_none()
    {
        return messages::view(&mut tx, message_id).await;
    }
    let message = super::outbound(
        &route,
        Sender::Human(user),
        MessageKind::Reaction,
        Some(emoji).filter(|e| !e.is_empty()),
        Some(&target),
    );
    let reaction = messages::insert_outbound(&mut tx, &message).await?;
    outbox::enqueue(&mut tx, reaction, std::time::Duration::ZERO).await?;
    let view = messages::view(&mut tx, reaction).await?;
    events::publish(&mut tx, &LiveEvent::MessageCreated(view)).await?;
    let reacted = messages::view(&mut tx, message_id).await?;
    events::publish(&mut tx, &LiveEvent::MessageUpdated(reacted.clone())).await?;
    tx.commit().await?;
    Ok(reacted)
}
