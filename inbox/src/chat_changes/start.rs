//! "New conversation": the business writes first, to a number that may never have written. The
//! contact's chat on that channel is opened as it is when one is open; a closed one is reopened
//! into AGENT mode for the starter (its history stays, as when a customer writes again);
//! otherwise a new chat starts in AGENT mode, assigned to the starter, with a line in the
//! conversation saying who started it. The composer then does the rest: free text, or on Meta
//! (no customer message yet, so the 24-hour window is closed) a template.

use super::{apply, lock, system_event};
use crate::chat_changes::rules::ChatState;
use crate::db::{channels, chats, events};
use crate::Error;
use model::{ChannelId, ChatId, LiveEvent, Mode, Reason, UserInfo};
use sqlx::PgPool;

pub async fn start(
    pool: &PgPool,
    user: &UserInfo,
    channel_id: ChannelId,
    phone: &str,
) -> Result<ChatId, Error> {
    let phone = whatsapp::phone::normalize_phone(phone)
        .ok_or(Error::invalid("phone", Reason::PhoneInvalid))?;
    let mut tx = pool.begin().await?;
    match channels::is_enabled(&mut tx, channel_id).await? {
        None => return Err(Error::NotFound),
        Some(false) => return Err(Error::Conflict(Reason::ChannelDisabled)),
        Some(true) => {}
    }
    let contact_id = chats::contact_of_phone(&mut tx, &phone).await?;
    let chat_id = loop {
        if let Some(chat_id) = chats::latest_of_contact(&mut tx, channel_id, contact_id).await? {
            let state = lock(&mut tx, chat_id).await?;
            if state.mode == Mode::Closed {
                let to = ChatState {
                    mode: Mode::Agent,
                    assigned: Some(user.user_id),
                };
                apply(&mut tx, chat_id, Some(user), state, to).await?;
            }
            break chat_id;
        }
        if let Some(chat_id) =
            chats::insert_started(&mut tx, channel_id, contact_id, user.user_id).await?
        {
            let event = serde_json::json!({ "event": "started", "by": user.display_name });
            let text = format!("Conversation started by {}", user.display_name);
            system_event(&mut tx, chat_id, &text, event).await?;
            break chat_id;
        }
    };
    let summary = chats::summary(&mut tx, chat_id).await?;
    events::publish(&mut tx, &LiveEvent::ChatUpdated(summary)).await?;
    tx.commit().await?;
    tracing::info!(%chat_id, %channel_id, user_id = %user.user_id, "conversation started");
    Ok(chat_id)
}
