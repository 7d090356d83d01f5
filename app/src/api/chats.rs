//! Chats and messages: the list, a conversation, replying, retrying, marking read.

use crate::model::{ChatSummary, MessageView};
use crate::AppError;
use leptos::prelude::*;

/// Chats by latest activity.
#[server(endpoint = "chats/list")]
pub async fn list_chats() -> Result<Vec<ChatSummary>, AppError> {
    use crate::ssr::{auth, db::chats, respond, AppState};
    respond(async move {
        auth::require_user().await?;
        chats::list(&AppState::get()?.pool, 200).await
    })
    .await
}

/// One chat and a page of its messages (oldest first), newest page when `before` is unset.
#[server(endpoint = "chats/open")]
pub async fn open_chat(chat_id: i64, before: Option<i64>) -> Result<(ChatSummary, Vec<MessageView>), AppError> {
    use crate::ssr::{auth, db::chats, db::messages, respond, AppState};
    respond(async move {
        auth::require_user().await?;
        let pool = AppState::get()?.pool;
        let mut conn = pool.acquire().await?;
        let summary = chats::summary(&mut conn, chat_id).await?;
        let page = messages::page(&pool, chat_id, before, 50).await?;
        Ok((summary, page))
    })
    .await
}

/// Sends a reply through the outbox; it shows at once as `queued`.
#[server(endpoint = "chats/reply")]
pub async fn send_reply(chat_id: i64, text: String) -> Result<Vec<MessageView>, AppError> {
    use crate::ssr::{auth, replies, respond, AppState};
    respond(async move {
        let user = auth::require_user().await?;
        replies::queue_reply(&AppState::get()?.pool, chat_id, replies::Sender::Agent(user.user_id), &text).await
    })
    .await
}

/// Sends a failed reply again.
#[server(endpoint = "chats/retry")]
pub async fn retry_message(message_id: i64) -> Result<MessageView, AppError> {
    use crate::ssr::{auth, replies, respond, AppState};
    respond(async move {
        auth::require_user().await?;
        replies::retry(&AppState::get()?.pool, message_id).await
    })
    .await
}

#[server(endpoint = "chats/mark_read")]
pub async fn mark_read(chat_id: i64) -> Result<(), AppError> {
    use crate::ssr::{auth, db::chats, db::events, respond, AppState};
    respond(async move {
        auth::require_user().await?;
        let mut tx = AppState::get()?.pool.begin().await?;
        if chats::mark_read(&mut tx, chat_id).await? {
            let summary = chats::summary(&mut tx, chat_id).await?;
            events::publish(&mut tx, events::CHAT_UPDATED, chat_id, &summary).await?;
        }
        tx.commit().await?;
        Ok(())
    })
    .await
}
