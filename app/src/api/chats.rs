//! Chats and messages: the list, a conversation, replying, retrying, marking read.

use crate::model::{Assignee, ChatPage, Conversation, MessageView};
use crate::model::{ChannelId, ChatId, MessageId, UserId};
use crate::AppError;
use leptos::prelude::*;

/// Chats shown per page of the list.
pub const CHAT_PAGE: i64 = 50;
/// Messages shown per page of a conversation.
pub const MESSAGE_PAGE: i64 = 50;

/// A page of the chat list, newest activity first. `tab`: `mine`, `unassigned` or `all`;
/// `mode` filters by mode; `q` searches customer names, phone numbers and message text.
/// Agents see every chat in "All" and may open any of them, but only reply in their own and
/// unassigned ones (a product decision: the team sees the whole queue).
#[server(endpoint = "chats/list")]
pub async fn list_chats(
    tab: String,
    mode: Option<String>,
    q: Option<String>,
    before_at: Option<chrono::DateTime<chrono::Utc>>,
    before_id: Option<ChatId>,
    #[server(default)] channel: Option<ChannelId>,
) -> Result<ChatPage, AppError> {
    use crate::model::{Mode, Tab};
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        let user = auth::require_user().await?;
        let tab = Tab::parse(&tab)
            .ok_or_else(|| AppError::invalid("tab", crate::model::Reason::TabInvalid))?;
        let mode = match mode.as_deref().filter(|m| !m.is_empty()) {
            Some(m) => Some(
                Mode::parse(m)
                    .ok_or_else(|| AppError::invalid("mode", crate::model::Reason::ModeInvalid))?,
            ),
            None => None,
        };
        let pool = AppState::get()?.pool;
        let before = before_at.zip(before_id);
        let query = inbox::conversations::ListQuery {
            tab,
            mode,
            channel,
            search: q,
            before,
        };
        Ok(inbox::conversations::list(&pool, &user, query, CHAT_PAGE).await?)
    })
    .await
}

/// The channels the chat list can be filtered by, for every signed-in user.
#[server(endpoint = "chats/channels")]
pub async fn chat_channels() -> Result<Vec<crate::model::ChannelOption>, AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        auth::require_user().await?;
        Ok(inbox::conversations::channel_options(&AppState::get()?.pool).await?)
    })
    .await
}

/// One chat, its customer, and a page of messages (oldest first): the newest page when
/// `before` is unset, else the page before that message.
#[server(endpoint = "chats/open")]
pub async fn open_chat(
    chat_id: ChatId,
    before: Option<MessageId>,
) -> Result<Conversation, AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        auth::require_user().await?;
        let state = AppState::get()?;
        let mut conversation =
            inbox::conversations::open(&state.pool, chat_id, before, MESSAGE_PAGE).await?;
        conversation.sending =
            inbox::replies::files::send_options(&state.channels, conversation.chat.channel_id);
        Ok(conversation)
    })
    .await
}

/// Who a chat can be assigned to (active users), for the admin's list.
#[server(endpoint = "chats/assignees")]
pub async fn assignees() -> Result<Vec<Assignee>, AppError> {
    use crate::ssr::{auth, respond, AppState};
    use inbox::db::users;
    respond(async move {
        auth::require_user().await?;
        Ok(users::list(&AppState::get()?.pool)
            .await?
            .into_iter()
            .filter(|u| u.active)
            .map(|u| Assignee {
                user_id: u.user_id,
                display_name: u.display_name,
            })
            .collect())
    })
    .await
}

/// Sends a reply through the outbox; it shows at once as `queued`. `reply_to`: a message of
/// the chat it quotes. (Files go to `POST /chats/{chat_id}/files`.)
#[server(endpoint = "chats/reply")]
pub async fn send_reply(
    chat_id: ChatId,
    text: String,
    #[server(default)] reply_to: Option<MessageId>,
) -> Result<Vec<MessageView>, AppError> {
    use crate::ssr::{auth, respond, AppState};
    use inbox::replies;
    respond(async move {
        let user = auth::require_user().await?;
        Ok(replies::queue_reply(
            &AppState::get()?.pool,
            chat_id,
            replies::Sender::Human(&user),
            &text,
            reply_to,
        )
        .await?)
    })
    .await
}

/// Sends reply buttons or a list (`options.button` set) through the outbox; on a provider
/// without buttons they go as a numbered menu. Refused before anything is stored when over
/// WhatsApp's limits (`button_limit_exceeded` for a fourth button).
#[server(endpoint = "chats/send_options", input = server_fn::codec::Json)]
pub async fn send_options(
    chat_id: ChatId,
    options: crate::model::OptionsForm,
    reply_to: Option<MessageId>,
) -> Result<MessageView, AppError> {
    use crate::ssr::{auth, respond, AppState};
    use inbox::replies;
    respond(async move {
        let user = auth::require_user().await?;
        let interactive = replies::interactive::from_form(&options);
        Ok(replies::interactive::queue_interactive(
            &AppState::get()?.pool,
            chat_id,
            replies::Sender::Human(&user),
            &interactive,
            reply_to,
        )
        .await?)
    })
    .await
}

/// "New conversation": the chat of `phone` on `channel_id`, opened (an open one as it is, a
/// closed one reopened) or started, in AGENT mode for the caller. The composer then sends free
/// text, or a template where Meta's window is closed.
#[server(endpoint = "chats/start")]
pub async fn start_chat(channel_id: ChannelId, phone: String) -> Result<ChatId, AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        let user = auth::require_user().await?;
        Ok(inbox::chat_changes::start(&AppState::get()?.pool, &user, channel_id, &phone).await?)
    })
    .await
}

/// Reacts to a customer's message with one of `model::REACTIONS`, or with an empty `emoji`
/// takes the reaction back; answers the message, now showing it.
#[server(endpoint = "chats/react")]
pub async fn react(
    chat_id: ChatId,
    message_id: MessageId,
    emoji: String,
) -> Result<MessageView, AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        let user = auth::require_user().await?;
        let state = AppState::get()?;
        Ok(inbox::replies::reactions::react(
            &state.pool,
            &state.channels,
            chat_id,
            &user,
            message_id,
            &emoji,
        )
        .await?)
    })
    .await
}

/// Sends a failed reply again.
#[server(endpoint = "chats/retry")]
pub async fn retry_message(message_id: MessageId) -> Result<MessageView, AppError> {
    use crate::ssr::{auth, respond, AppState};
    use inbox::replies;
    respond(async move {
        let user = auth::require_user().await?;
        Ok(replies::retry(&AppState::get()?.pool, message_id, &user).await?)
    })
    .await
}

/// Fetches a customer's file again after it failed or was removed to save space.
#[server(endpoint = "chats/retry_media")]
pub async fn retry_media(message_id: MessageId) -> Result<MessageView, AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        auth::require_user().await?;
        Ok(inbox::media::retry(&AppState::get()?.pool, message_id).await?)
    })
    .await
}

#[server(endpoint = "chats/mark_read")]
pub async fn mark_read(chat_id: ChatId) -> Result<(), AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        auth::require_user().await?;
        Ok(inbox::conversations::mark_read(&AppState::get()?.pool, chat_id).await?)
    })
    .await
}

/// The agent is typing in the chat's composer (`on`), or stopped for 10 s: the customer sees
/// "typing…" (at most once per 20 s per chat), where the channel shows typing.
#[server(endpoint = "chats/typing")]
pub async fn typing(chat_id: ChatId, on: bool) -> Result<(), AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        let user = auth::require_user().await?;
        inbox::receipts::agent_typing(&AppState::get()?.pool, &user, chat_id, on).await?;
        Ok(())
    })
    .await
}

/// Changes a chat's mode (bot, agent, paused, closed). Admins: any chat; agents: their own and
/// unassigned chats.
#[server(endpoint = "chats/set_mode")]
pub async fn set_mode(chat_id: ChatId, mode: String) -> Result<(), AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        let user = auth::require_user().await?;
        let mode = crate::model::Mode::parse(&mode)
            .ok_or_else(|| AppError::invalid("mode", crate::model::Reason::ModeInvalid))?;
        Ok(inbox::chat_changes::set_mode(&AppState::get()?.pool, chat_id, &user, mode).await?)
    })
    .await
}

/// Assigns a chat to a user, or unassigns it (`user_id` empty). Admins: anyone; agents may only
/// take a free chat for themselves or release their own.
#[server(endpoint = "chats/assign")]
pub async fn assign(chat_id: ChatId, user_id: Option<UserId>) -> Result<(), AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        let user = auth::require_user().await?;
        Ok(inbox::chat_changes::assign(&AppState::get()?.pool, chat_id, &user, user_id).await?)
    })
    .await
}

/// "Take": an agent takes an unassigned chat (a BOT chat becomes an AGENT chat).
#[server(endpoint = "chats/take")]
pub async fn take(chat_id: ChatId) -> Result<(), AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        let user = auth::require_user().await?;
        Ok(inbox::chat_changes::take(&AppState::get()?.pool, chat_id, &user).await?)
    })
    .await
}

/// "Hand back to bot": BOT mode, unassigned.
#[server(endpoint = "chats/hand_back")]
pub async fn hand_back(chat_id: ChatId) -> Result<(), AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        let user = auth::require_user().await?;
        Ok(inbox::chat_changes::hand_back(&AppState::get()?.pool, chat_id, &user).await?)
    })
    .await
}
