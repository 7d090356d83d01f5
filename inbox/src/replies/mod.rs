//! Queuing replies: the message (status `queued`) and its outbox row are written in one
//! transaction, so a reply we accepted is either delivered or shows as failed; the outbox
//! worker is woken by the same commit. A reply may quote a message of the chat; an agent's
//! file is queued by [`files`].

pub mod files;
pub mod interactive;
pub mod reactions;

use crate::chat_changes;
use crate::chat_changes::rules;
use crate::db::{chats, events, messages, outbox};
use crate::receipts;
use crate::Error;
use chrono::{Duration, Utc};
use model::LiveEvent;
use model::Reason;
use model::{ChatId, MessageId};
use model::{MessageKind, MessageView, UserInfo};
use sqlx::PgPool;

/// Meta refuses free-form messages 24 hours after the customer's last message (error 131047).
pub const META_WINDOW_HOURS: i64 = 24;

/// Who is replying.
#[derive(Debug, Clone, Copy)]
pub enum Sender<'a> {
    /// An agent or admin: must be allowed to answer this chat, and takes it over.
    Human(&'a UserInfo),
    Bot,
    /// Other software through an API key: may answer any chat (an admin made the key), and
    /// takes it over as a human reply does, unless `keep_mode` (`"mode": "keep"`).
    Api {
        key: &'a crate::api_keys::ApiCaller,
        keep_mode: bool,
    },
}

pub async fn queue_reply(
    pool: &PgPool,
    chat_id: ChatId,
    sender: Sender<'_>,
    text: &str,
    quoting: Option<MessageId>,
) -> Result<Vec<MessageView>, Error> {
    let mut tx = pool.begin().await?;
    let views = queue_reply_in(&mut tx, chat_id, sender, text, quoting).await?;
    tx.commit().await?;
    Ok(views)
}

/// The same inside the caller's transaction (the bot answers in the ingest transaction).
pub async fn queue_reply_in(
    tx: &mut sqlx::PgConnection,
    chat_id: ChatId,
    sender: Sender<'_>,
    text: &str,
    quoting: Option<MessageId>,
) -> Result<Vec<MessageView>, Error> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::invalid("text", Reason::ReplyEmpty));
    }
    let route = begin(&mut *tx, chat_id, sender).await?;
    let reply_to = quoted_id(&mut *tx, chat_id, quoting).await?;
    // WhatsApp takes at most 4096 characters per text; longer replies go out as several
    // messages, split at paragraph or sentence ends (the first one quotes).
    // The bot may wait a moment before it answers (the channel's reply delay), showing
    // "typing…" meanwhile: a not-before time on the outbox row, not a sleep.
    let delay = bot_delay(&route, sender);
    let mut views = Vec::new();
    for (i, part) in whatsapp::split_text(text, whatsapp::MAX_TEXT_CHARS)
        .into_iter()
        .enumerate()
    {
        let message = outbound(
            &route,
            sender,
            MessageKind::Text,
            Some(&part),
            reply_to.as_deref().filter(|_| i == 0),
        );
        let view = queue_one(&mut *tx, &message, delay, &part).await?;
        views.push(view);
    }
    finish(&mut *tx, &route, sender, delay).await?;
    Ok(views)
}

/// How long the bot waits before its answer goes out (the channel's reply delay); humans' replies
/// go at once.
fn bot_delay(route: &chats::Route, sender: Sender<'_>) -> std::time::Duration {
    match sender {
        Sender::Bot => std::time::Duration::from_secs(
            route
                .channel_settings
                .reply_delay_secs
                .min(model::MAX_REPLY_DELAY_SECS)
                .into(),
        ),
        Sender::Human(_) | Sender::Api { .. } => std::time::Duration::ZERO,
    }
}

/// Locks the chat and checks that `sender` may answer it and that the provider takes free
/// messages now; a human reply takes the chat over (AGENT mode, and theirs if it was free).
async fn begin(
    tx: &mut sqlx::PgConnection,
    chat_id: ChatId,
    sender: Sender<'_>,
) -> Result<chats::Route, Error> {
    begin_checked(tx, chat_id, sender, true).await
}

/// [`begin`], with Meta's 24-hour window checked or not (a template may go any time).
pub(crate) async fn begin_checked(
    tx: &mut sqlx::PgConnection,
    chat_id: ChatId,
    sender: Sender<'_>,
    check_window: bool,
) -> Result<chats::Route, Error> {
    let state = chat_changes::lock(&mut *tx, chat_id).await?;
    if let Sender::Human(user) = sender {
        rules::may_reply(user, &state)?;
    }
    let route = chats::route(&mut *tx, chat_id).await?;
    if check_window {
        window_open(&route)?;
    }
    let (actor, to) = match sender {
        Sender::Human(user) => (
            chat_changes::Actor::User(user),
            rules::after_human_reply(user, &state),
        ),
        Sender::Api {
            key,
            keep_mode: false,
        } => (
            chat_changes::Actor::ApiKey(key),
            rules::after_api_reply(&state),
        ),
        Sender::Bot
        | Sender::Api {
            keep_mode: true, ..
        } => return Ok(route),
    };
    chat_changes::apply(&mut *tx, chat_id, actor, state, to).await?;
    Ok(route)
}

/// The provider's id of the message a reply quotes: one of this chat's messages that reached
/// the provider.
async fn quoted_id(
    tx: &mut sqlx::PgConnection,
    chat_id: ChatId,
    quoting: Option<MessageId>,
) -> Result<Option<String>, Error> {
    let Some(quoting) = quoting else {
        return Ok(None);
    };
    messages::quotable_id(&mut *tx, chat_id, quoting)
        .await?
        .map(Some)
        .ok_or(Error::invalid("reply_to", Reason::QuoteNotFound))
}

fn outbound<'a>(
    route: &chats::Route,
    sender: Sender<'_>,
    kind: MessageKind,
    body: Option<&'a str>,
    reply_to: Option<&'a str>,
) -> messages::Outbound<'a> {
    let (sender_kind, sender_user_id, api_key_id) = match sender {
        Sender::Human(u) => (model::SenderKind::Agent, Some(u.user_id), None),
        Sender::Bot => (model::SenderKind::Bot, None, None),
        Sender::Api { key, .. } => (model::SenderKind::Agent, None, Some(key.api_key_id)),
    };
    messages::Outbound {
        chat_id: route.chat_id,
        channel_id: route.channel_id,
        sender_kind,
        sender_user_id,
        api_key_id,
        kind,
        body,
        reply_to,
        template: None,
        interactive: None,
    }
}

/// Queues one message already decided (a template, by [`crate::templates`]): stored with its
/// text and send object, queued, announced; the chat list is told.
pub(crate) async fn queue_prepared(
    tx: &mut sqlx::PgConnection,
    route: &chats::Route,
    sender: Sender<'_>,
    kind: MessageKind,
    text: &str,
    template: Option<&serde_json::Value>,
    file: Option<(&files::StoredFile, &crate::media::MediaStore)>,
) -> Result<MessageView, Error> {
    let mut message = outbound(route, sender, kind, Some(text), None);
    message.template = template;
    let message_id = messages::insert_outbound(&mut *tx, &message).await?;
    // The attachment exists before the view is read, so the bubble shows the file.
    if let Some((file, store)) = file {
        crate::db::attachments::insert_outgoing(&mut *tx, message_id, file).await?;
        // Indexed (and locked) now; an eviction of the same bytes between the upload and this
        // moment would have removed them.
        if !store.exists(&file.sha256).await.unwrap_or(false) {
            return Err(Error::Other(anyhow::anyhow!(
                "the uploaded file left the media store before it was queued"
            )));
        }
    }
    let view = queue_existing(&mut *tx, message_id, std::time::Duration::ZERO, text).await?;
    finish(&mut *tx, route, sender, std::time::Duration::ZERO).await?;
    Ok(view)
}

/// Stores one reply, queues it, and tells every browser; `preview` is the chat list's line.
async fn queue_one(
    tx: &mut sqlx::PgConnection,
    message: &messages::Outbound<'_>,
    delay: std::time::Duration,
    preview: &str,
) -> Result<MessageView, Error> {
    let message_id = messages::insert_outbound(&mut *tx, message).await?;
    queue_existing(&mut *tx, message_id, delay, preview).await
}

/// Queues a reply just stored, and tells every browser.
async fn queue_existing(
    tx: &mut sqlx::PgConnection,
    message_id: MessageId,
    delay: std::time::Duration,
    preview: &str,
) -> Result<MessageView, Error> {
    outbox::enqueue(&mut *tx, message_id, delay).await?;
    let view = messages::view(&mut *tx, message_id).await?;
    events::publish(&mut *tx, &LiveEvent::MessageCreated(view.clone())).await?;
    chats::record_outbound(
        &mut *tx,
        view.chat_id,
        view.sent_at,
        &preview.chars().take(140).collect::<String>(),
    )
    .await?;
    Ok(view)
}

/// After the replies: "typing…" ends with a human reply (the agent's next keystroke may show
/// it again), or shows while the bot's delayed answer waits; the chat list is told.
async fn finish(
    tx: &mut sqlx::PgConnection,
    route: &chats::Route,
    sender: Sender<'_>,
    delay: std::time::Duration,
) -> Result<(), Error> {
    match sender {
        Sender::Human(_) | Sender::Api { .. } => {
            chats::reset_typing(&mut *tx, route.chat_id).await?
        }
        Sender::Bot if !delay.is_zero() => {
            let shown_for = delay + std::time::Duration::from_secs(5);
            receipts::typing(&mut *tx, route, Some(shown_for)).await?;
        }
        Sender::Bot => {}
    }
    let summary = chats::summary(&mut *tx, route.chat_id).await?;
    events::publish(&mut *tx, &LiveEvent::ChatUpdated(summary)).await?;
    Ok(())
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
/// takes free text (a template may go any time).
pub async fn retry(
    pool: &PgPool,
    message_id: MessageId,
    user: &UserInfo,
) -> Result<MessageView, Error> {
    let mut tx = pool.begin().await?;
    let failed = messages::view(&mut tx, message_id).await?;
    let chat_id = failed.chat_id;
    let state = chat_changes::lock(&mut tx, chat_id).await?;
    rules::may_reply(user, &state)?;
    if failed.kind != MessageKind::Template {
        window_open(&chats::route(&mut tx, chat_id).await?)?;
    }
    if !messages::requeue(&mut tx, message_id).await? {
        return Err(Error::Conflict(Reason::NotFailed));
    }
    outbox::enqueue(&mut tx, message_id, std::time::Duration::ZERO).await?;
    let view = messages::view(&mut tx, message_id).await?;
    events::publish(&mut tx, &LiveEvent::MessageUpdated(view.clone())).await?;
    tx.commit().await?;
    Ok(view)
}
