//! "New conversation": the business writes first, to a number that may never have written. The
//! contact's chat on that channel is opened as it is when one is open; otherwise what happens
//! depends on who starts it ([`Starter`]):
//!
//! - an agent or admin: a closed chat is reopened into AGENT mode for them (its history stays,
//!   as when a customer writes again); without one a new chat starts in AGENT mode, assigned
//!   to them, with a line in the conversation saying who started it. The composer then does
//!   the rest: free text, or on Meta (no customer message yet, so the 24-hour window is
//!   closed) a template.
//! - other software through an API key: its send counts as an agent's reply, so a closed chat
//!   reopens into AGENT mode and a new one starts in AGENT mode, both unassigned (in the
//!   agents' queue); with `"mode": "keep"` a closed chat stays closed (a customer's answer
//!   reopens it as any message does) and a new one starts in BOT mode, so a notification such
//!   as "your order has shipped" leaves the conversation to the bot.

use super::{apply, lock, system_event, Actor};
use crate::api_keys::ApiCaller;
use crate::chat_changes::rules::ChatState;
use crate::db::{channels, chats, events};
use crate::Error;
use model::{ChannelId, ChatId, LiveEvent, Mode, Reason, UserInfo};
use sqlx::{PgConnection, PgPool};

/// Who starts a conversation.
#[derive(Debug, Clone, Copy)]
pub enum Starter<'a> {
    User(&'a UserInfo),
    Api {
        key: &'a ApiCaller,
        /// `"mode": "keep"`: the chat's mode is left as it is.
        keep_mode: bool,
    },
}

/// An agent's "New conversation", in its own transaction.
pub async fn start(
    pool: &PgPool,
    user: &UserInfo,
    channel_id: ChannelId,
    phone: &str,
) -> Result<ChatId, Error> {
    let phone = whatsapp::phone::normalize_phone(phone)
        .ok_or(Error::invalid("phone", Reason::PhoneInvalid))?;
    let mut tx = pool.begin().await?;
    let chat_id = open_for(&mut tx, Starter::User(user), channel_id, &phone).await?;
    tx.commit().await?;
    tracing::info!(%chat_id, %channel_id, user_id = %user.user_id, "conversation started");
    Ok(chat_id)
}

/// The chat of `phone` (already normalised) on `channel_id`, opened or started for `starter`
/// inside the caller's transaction, its row locked until it ends. A disabled channel starts
/// nothing.
pub async fn open_for(
    tx: &mut PgConnection,
    starter: Starter<'_>,
    channel_id: ChannelId,
    phone: &str,
) -> Result<ChatId, Error> {
    match channels::is_enabled(&mut *tx, channel_id).await? {
        None => return Err(Error::NotFound),
        Some(false) => return Err(Error::Conflict(Reason::ChannelDisabled)),
        Some(true) => {}
    }
    let actor = match starter {
        Starter::User(user) => Actor::User(user),
        Starter::Api { key, .. } => Actor::ApiKey(key),
    };
    let contact_id = chats::contact_of_phone(&mut *tx, phone).await?;
    let chat_id = loop {
        if let Some(chat_id) = chats::latest_of_contact(&mut *tx, channel_id, contact_id).await? {
            let state = lock(&mut *tx, chat_id).await?;
            let reopened = match starter {
                Starter::User(user) => Some(ChatState {
                    mode: Mode::Agent,
                    assigned: Some(user.user_id),
                }),
                Starter::Api {
                    keep_mode: false, ..
                } => Some(ChatState {
                    mode: Mode::Agent,
                    assigned: None,
                }),
                Starter::Api {
                    keep_mode: true, ..
                } => None,
            };
            if let (Mode::Closed, Some(to)) = (state.mode, reopened) {
                apply(&mut *tx, chat_id, actor, state, to).await?;
            }
            break chat_id;
        }
        let (mode, assigned) = match starter {
            Starter::User(user) => (Mode::Agent, Some(user.user_id)),
            Starter::Api {
                keep_mode: false, ..
            } => (Mode::Agent, None),
            Starter::Api {
                keep_mode: true, ..
            } => (Mode::Bot, None),
        };
        if let Some(chat_id) =
            chats::insert_started(&mut *tx, channel_id, contact_id, mode, assigned).await?
        {
            let mut event = serde_json::json!({ "event": "started" });
            actor.mark(&mut event);
            let text = format!("Conversation started{}", actor.by_text());
            system_event(&mut *tx, chat_id, &text, event).await?;
            break chat_id;
        }
    };
    let summary = chats::summary(&mut *tx, chat_id).await?;
    events::publish(&mut *tx, &LiveEvent::ChatUpdated(summary)).await?;
    Ok(chat_id)
}
