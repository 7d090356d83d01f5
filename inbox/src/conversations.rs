//! Reading conversations: a page of the chat list, a chat with its customer and a page of
//! messages, and marking a chat read. Each request holds one database connection at most, so a burst of refetches (every
//! browser refetches when its stream reconnects) cannot deadlock the pool.

use crate::db::{chats, events, messages};
use crate::Error;
use chrono::{DateTime, Utc};
use model::{ChannelId, ChatId, ChatPage, Conversation, LiveEvent, MessageId, Mode, Tab, UserInfo};
use sqlx::PgPool;

/// Which chats a list asks for: a tab, and optionally a mode, a channel and a search.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub tab: Tab,
    pub mode: Option<Mode>,
    pub channel: Option<ChannelId>,
    pub search: Option<String>,
    /// Keyset cursor: the `next` of the page before.
    pub before: Option<(DateTime<Utc>, ChatId)>,
}

/// A page of the chat list for `user`, newest activity first, and the cursor of the next page.
/// Agents see every chat under "All" (the team sees the whole queue).
pub async fn list(
    pool: &PgPool,
    user: &UserInfo,
    q: ListQuery,
    page_size: i64,
) -> Result<ChatPage, Error> {
    let filter = chats::ListFilter {
        assigned_to: (q.tab == Tab::Mine).then_some(user.user_id),
        unassigned: q.tab == Tab::Unassigned,
        mode: q.mode,
        channel: q.channel,
        channels: None,
        search: crate::search::prepare(pool, q.search).await?,
        before: q.before,
    };
    let mut page = chats::page(pool, &filter, page_size + 1).await?;
    let next = if page.len() as i64 > page_size {
        page.truncate(page_size as usize);
        page.last().map(|c| {
            (
                c.last_message_at.unwrap_or(DateTime::<Utc>::MIN_UTC),
                c.chat_id,
            )
        })
    } else {
        None
    };
    Ok(ChatPage { chats: page, next })
}

/// The channels a chat list can be filtered by (every signed-in user may see their names).
pub async fn channel_options(pool: &PgPool) -> Result<Vec<model::ChannelOption>, Error> {
    let mut conn = pool.acquire().await?;
    crate::db::channels::options(&mut conn).await
}

/// The chat, its customer and `page_size` messages (oldest first): the newest page when
/// `before` is unset, else the page before that message.
pub async fn open(
    pool: &PgPool,
    chat_id: ChatId,
    before: Option<MessageId>,
    page_size: i64,
) -> Result<Conversation, Error> {
    let mut conn = pool.acquire().await?;
    let chat = chats::summary(&mut conn, chat_id).await?;
    let customer = chats::customer(&mut conn, chat.contact_id).await?;
    let mut page = messages::page(&mut conn, chat_id, before, page_size + 1).await?;
    let has_older = page.len() as i64 > page_size;
    if has_older {
        page.remove(0);
    }
    Ok(Conversation {
        chat,
        customer,
        messages: page,
        has_older,
        sending: Default::default(),
    })
}

/// Opening a chat marks it read for the team (browsers are told when the count changed), and
/// for the customer: their latest message gets its read receipt ([`crate::receipts`]).
pub async fn mark_read(pool: &PgPool, chat_id: ChatId) -> Result<(), Error> {
    let mut tx = pool.begin().await?;
    if chats::mark_read(&mut tx, chat_id).await? {
        let summary = chats::summary(&mut tx, chat_id).await?;
        events::publish(&mut tx, &LiveEvent::ChatUpdated(summary)).await?;
    }
    crate::receipts::chat_opened(&mut tx, chat_id).await?;
    tx.commit().await?;
    Ok(())
}
