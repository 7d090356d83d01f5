//! What the REST API reads and changes besides sends: chats (keyset-paginated, newest activity
//! first), a chat's messages (oldest first, pages going back), a message, contacts, and a
//! chat's mode and assignee. A key limited to channels sees only their chats (others are 403
//! when named, absent from lists).

use crate::api_keys::ApiCaller;
use crate::chat_changes::{self, rules::ChatState, Actor};
use crate::db::{chats, contacts, messages};
use crate::Error;
use chrono::{DateTime, Utc};
use model::{ChannelId, ChatId, ChatSummary, ContactId, MessageId, MessageView, Mode, UserId};
use sqlx::PgPool;

/// Which chats a list asks for.
#[derive(Debug, Clone, Default)]
pub struct ChatQuery {
    pub mode: Option<Mode>,
    pub channel: Option<ChannelId>,
    /// `Some(None)`: unassigned only.
    pub assigned: Option<Option<UserId>>,
    pub search: Option<String>,
    /// The cursor of the page before (`next` of its answer).
    pub before: Option<(DateTime<Utc>, ChatId)>,
}

/// A page and the cursor of the next one (`None` on the last page).
#[derive(Debug, Clone)]
pub struct Page<T, C> {
    pub items: Vec<T>,
    pub next: Option<C>,
}

pub async fn chats(
    pool: &PgPool,
    caller: &ApiCaller,
    q: ChatQuery,
    limit: i64,
) -> Result<Page<ChatSummary, (DateTime<Utc>, ChatId)>, Error> {
    if let Some(channel) = q.channel {
        if !caller.may_use(channel) {
            return Err(Error::Forbidden);
        }
    }
    let filter = chats::ListFilter {
        assigned_to: q.assigned.flatten(),
        unassigned: q.assigned == Some(None),
        mode: q.mode,
        channel: q.channel,
        channels: caller.channel_ids.clone(),
        search: crate::search::prepare(pool, q.search).await?,
        before: q.before,
    };
    let mut items = chats::page(pool, &filter, limit + 1).await?;
    let next = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|c| {
            (
                c.last_message_at.unwrap_or(DateTime::<Utc>::MIN_UTC),
                c.chat_id,
            )
        })
    } else {
        None
    };
    Ok(Page { items, next })
}

/// One chat, if the key may see it.
pub async fn chat(
    pool: &PgPool,
    caller: &ApiCaller,
    chat_id: ChatId,
) -> Result<ChatSummary, Error> {
    let mut conn = pool.acquire().await?;
    let chat = chats::summary(&mut conn, chat_id).await?;
    if !caller.may_use(chat.channel_id) {
        return Err(Error::Forbidden);
    }
    Ok(chat)
}

/// A page of the chat's messages, oldest first: the newest `limit` before the message
/// `before` (the newest of all without it); `next` is the cursor of the page before it.
pub async fn messages(
    pool: &PgPool,
    caller: &ApiCaller,
    chat_id: ChatId,
    before: Option<MessageId>,
    limit: i64,
) -> Result<Page<MessageView, MessageId>, Error> {
    chat(pool, caller, chat_id).await?;
    let mut conn = pool.acquire().await?;
    let mut items = messages::page(&mut conn, chat_id, before, limit + 1).await?;
    let next = if items.len() as i64 > limit {
        items.remove(0);
        items.first().map(|m| m.message_id)
    } else {
        None
    };
    Ok(Page { items, next })
}

/// One message (with its chat's channel), if the key may see it.
pub async fn message(
    pool: &PgPool,
    caller: &ApiCaller,
    message_id: MessageId,
) -> Result<(MessageView, ChatSummary), Error> {
    let mut conn = pool.acquire().await?;
    let view = messages::view(&mut conn, message_id).await?;
    let chat = chats::summary(&mut conn, view.chat_id).await?;
    if !caller.may_use(chat.channel_id) {
        return Err(Error::Forbidden);
    }
    Ok((view, chat))
}

/// Contacts newest first; a key limited to channels sees only customers with a chat on them.
pub async fn contacts(
    pool: &PgPool,
    caller: &ApiCaller,
    search: Option<&str>,
    before: Option<ContactId>,
    limit: i64,
) -> Result<Page<contacts::ContactRow, ContactId>, Error> {
    let search = search.map(str::trim).filter(|s| !s.is_empty());
    let channels = caller.channel_ids.as_deref();
    let mut items = contacts::page(pool, search, before, channels, limit + 1).await?;
    let next = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|c| c.contact_id)
    } else {
        None
    };
    Ok(Page { items, next })
}

pub async fn contact(
    pool: &PgPool,
    caller: &ApiCaller,
    contact_id: ContactId,
) -> Result<contacts::ContactRow, Error> {
    contacts::find(
        pool,
        contacts::Either::Id(contact_id),
        caller.channel_ids.as_deref(),
    )
    .await?
    .ok_or(Error::NotFound)
}

/// The contact of a number (normalised like a send's), made if new, its name set when given;
/// whether it was new. A key limited to channels may make new contacts, but rename only its
/// channels' customers.
pub async fn upsert_contact(
    pool: &PgPool,
    caller: &ApiCaller,
    phone: &str,
    name: Option<&str>,
) -> Result<(contacts::ContactRow, bool), Error> {
    let phone = super::send::recipient(phone)?;
    if let Some(channels) = caller.channel_ids.as_deref() {
        let anyone = contacts::find(pool, contacts::Either::Phone(&phone), None).await?;
        let visible = contacts::find(pool, contacts::Either::Phone(&phone), Some(channels)).await?;
        if anyone.is_some() && visible.is_none() {
            return Err(Error::Forbidden);
        }
    }
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    if name.is_some_and(|n| n.chars().count() > 200) {
        return Err(Error::invalid("name", model::Reason::DisplayNameLength));
    }
    contacts::upsert(pool, &phone, name).await
}

/// Sets the chat's mode and (when `assign` is given) its assignee, as an admin may: audited and
/// shown in the conversation with the key's name.
pub async fn change_chat(
    pool: &PgPool,
    caller: &ApiCaller,
    chat_id: ChatId,
    mode: Option<Mode>,
    assign: Option<Option<UserId>>,
) -> Result<ChatSummary, Error> {
    chat(pool, caller, chat_id).await?;
    let mut tx = pool.begin().await?;
    chat_changes::update(&mut tx, chat_id, Actor::ApiKey(caller), |state| {
        Ok(ChatState {
            mode: mode.unwrap_or(state.mode),
            assigned: assign.unwrap_or(state.assigned),
        })
    })
    .await?;
    let summary = chats::summary(&mut tx, chat_id).await?;
    tx.commit().await?;
    Ok(summary)
}
