//! Queuing replies: the message (status `queued`) and its outbox row are written in one
//! transaction, so a reply we accepted is either delivered or shows as failed; the outbox
//! worker is woken by the same commit.

use crate::chat_changes;
use crate::chat_changes::rules;
use crate::db::{chats, events, messages, outbox};
use crate::receipts;
use crate::Error;
use chrono::{Duration, Utc};
use model::LiveEvent;
use model::Reason;
use model::{ChatId, MessageId};
use model::{MessageView, UserInfo};
use sqlx::PgPool;

/// Meta refuses free-form messages 24 hours after the customer's last message (error 131047).
pub const META_WINDOW_HOURS: i64 = 24;

/// Who is replying.
#[derive(Debug, Clone, Copy)]
pub enum Sender<'a> {
    /// An agent or admin: must be allowed to answer this chat, and takes it over.
    Human(&'a UserInfo),
    Bot,
}

pub async fn queue_reply(
    pool: &PgPool,
    chat_id: ChatId,
    sender: Sender<'_>,
    text: &str,
) -> Result<Vec<MessageView>, Error> {
    let mut tx = pool.begin().await?;
    let views = queue_reply_in(&mut tx, chat_id, sender, text).await?;
    tx.commit().await?;
    Ok(views)
}

/// The same inside the caller's transaction (the bot answers in the ingest transaction).
pub async fn queue_reply_in(
    tx: &mut sqlx::PgConnection,
    chat_id: ChatId,
    sender: Sender<'_>,
    text: &str,
) -> Result<Vec<MessageView>, Error> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::invalid("text", Reason::ReplyEmpty));
    }
    let state = chat_changes::lock(&mut *tx, chat_id).await?;
    if let Sender::Human(user) = sender {
        rules::may_reply(user, &state)?;
    }
    let route = chats::route(&mut *tx, chat_id).await?;
    window_open(&route)?;
    // A human reply takes the chat over: AGENT mode, and theirs if it was free.
    if let Sender::Human(user) = sender {
        chat_changes::apply(
            &mut *tx,
            chat_id,
            Some(user),
            state,
            rules::after_human_reply(user, &state),
        )
        .await?;
    }
    let (kind, user) = match sender {
        Sender::Human(u) => (model::SenderKind::Agent, Some(u.user_id)),
        Sender::Bot => (model::SenderKind::Bot, None),
    };
    // WhatsApp takes at most 4096 characters per text; longer replies go out as several
    // messages, split at paragraph or sentence ends.
    // The bot may wait a moment before it answers (the channel's reply delay), showing
    // "typing…" meanwhile: a not-before time on the outbox row, not a sleep.
    let delay = match sender {
        Sender::Bot => std::time::Duration::from_secs(
            route
                .channel_settings
                .reply_delay_secs
                .min(model::MAX_REPLY_DELAY_SECS)
                .into(),
        ),
        Sender::Human(_) => std::time::Duration::ZERO,
    };
    let mut views = Vec::new();
    for part in whatsapp::split_text(text, whatsapp::MAX_TEXT_CHARS) {
        let message_id =
            messages::insert_outbound(&mut *tx, chat_id, route.channel_id, kind, user, &part)
                .await?;
        outbox::enqueue(&mut *tx, message_id, delay).await?;
        let view = messages::view(&mut *tx, message_id).await?;
        events::publish(&mut *tx, &LiveEvent::MessageCreated(view.clone())).await?;
        chats::record_outbound(
            &mut *tx,
            chat_id,
            view.sent_at,
            &part.chars().take(140).collect::<String>(),
        )
        .await?;
        views.push(view);
    }
    match sender {
        // The reply ends "typing…" at the customer; the agent's next keystroke may show it again.
        Sender::Human(_) => chats::reset_typing(&mut *tx, chat_id).await?,
        Sender::Bot if !delay.is_zero() => {
            let shown_for = delay + std::time::Duration::from_secs(5);
            receipts::typing(&mut *tx, &route, Some(shown_for)).await?;
        }
        Sender::Bot => {}
    }
    let summary = chats::summary(&mut *tx, chat_id).await?;
    events::publish(&mut *tx, &LiveEvent::ChatUpdated(summary)).await?;
    Ok(views)
}

/// Meta takes free text only within 24 hours of the customer's last message.
fn window_open(route: &chats::Route) -> Result<(), Error> {
    if route.channel_kind == model::ChannelKind::Meta {
        let open = route
            .last_customer_message_at
            .is_some_and(|t| Utc::now() - t < Duration::hours(META_WINDOW_HOURS));
        if !open {
            return Err(Error::Conflict(Reason::Outside24hWindow));
        }
    }
    Ok(())
}

/// The Retry button: a failed reply goes back into the outbox and really is sent again. The
/// same rules as a reply: only someone who may answer the chat, and only while the provider
/// takes free text.
pub async fn retry(
    pool: &PgPool,
    message_id: MessageId,
    user: &UserInfo,
) -> Result<MessageView, Error> {
    let mut tx = pool.begin().await?;
    let chat_id = messages::view(&mut tx, message_id).await?.chat_id;
    let state = chat_changes::lock(&mut tx, chat_id).await?;
    rules::may_reply(user, &state)?;
    window_open(&chats::route(&mut tx, chat_id).await?)?;
    if !messages::requeue(&mut tx, message_id).await? {
        return Err(Error::Conflict(Reason::NotFailed));
    }
    outbox::enqueue(&mut tx, message_id, std::time::Duration::ZERO).await?;
    let view = messages::view(&mut tx, message_id).await?;
    events::publish(&mut tx, &LiveEvent::MessageUpdated(view.clone())).await?;
    tx.commit().await?;
    Ok(view)
}
