//! The chat state machine, whole: the rules ([`rules`]: who may move a chat where), the user
//! actions (set mode, assign, take, hand back), and [`apply`], which moves a locked chat inside
//! the caller's transaction. The chat row is locked first, so concurrent changes apply one
//! after the other; each change is recorded in `chat_audit` and shown in the conversation as a
//! system event, and browsers are told.

pub mod rules;
mod start;

pub use start::start;

use crate::chat_changes::rules::ChatState;
use crate::db::{chat_audit, chats, events, messages, users};
use crate::Error;
use model::ChatId;
use model::LiveEvent;
use model::Reason;
use model::{Mode, UserId, UserInfo};
use sqlx::PgConnection;

/// The chat's current state, locked until the transaction ends.
pub async fn lock(conn: &mut PgConnection, chat_id: ChatId) -> Result<ChatState, Error> {
    let (mode, assigned) = chats::lock_state(conn, chat_id).await?;
    Ok(ChatState { mode, assigned })
}

/// One change by a signed-in user, in its own transaction: locks the chat, lets `decide` check
/// the user's right and choose the new state, applies it, commits.
async fn change(
    pool: &sqlx::PgPool,
    chat_id: ChatId,
    actor: &UserInfo,
    decide: impl FnOnce(&ChatState) -> Result<ChatState, Error>,
) -> Result<(), Error> {
    let mut tx = pool.begin().await?;
    update(&mut tx, chat_id, Some(actor), decide).await?;
    tx.commit().await?;
    Ok(())
}

/// Locks the chat, lets `decide` choose its new state from the current one, and applies it,
/// inside the caller's transaction. `actor` is `None` for the system. Returns whether anything
/// changed.
pub async fn update(
    conn: &mut PgConnection,
    chat_id: ChatId,
    actor: Option<&UserInfo>,
    decide: impl FnOnce(&ChatState) -> Result<ChatState, Error>,
) -> Result<bool, Error> {
    let state = lock(conn, chat_id).await?;
    let to = decide(&state)?;
    apply(conn, chat_id, actor, state, to).await
}

/// An admin or agent changes a chat's mode (admins: any chat; agents: their own and
/// unassigned ones).
pub async fn set_mode(
    pool: &sqlx::PgPool,
    chat_id: ChatId,
    actor: &UserInfo,
    mode: Mode,
) -> Result<(), Error> {
    change(pool, chat_id, actor, |state| {
        rules::may_set_mode(actor, state)?;
        Ok(ChatState { mode, ..*state })
    })
    .await
}

/// Assigns a chat to a user, or unassigns it. Admins: anyone; agents may only take a free
/// chat for themselves (which is a Take) or release their own.
pub async fn assign(
    pool: &sqlx::PgPool,
    chat_id: ChatId,
    actor: &UserInfo,
    to: Option<UserId>,
) -> Result<(), Error> {
    change(pool, chat_id, actor, |state| {
        rules::may_assign(actor, state, to)?;
        Ok(if to == Some(actor.user_id) && !actor.is_admin() {
            rules::after_take(actor, state)
        } else {
            ChatState {
                assigned: to,
                ..*state
            }
        })
    })
    .await
}

/// "Take": the actor takes an unassigned chat (a BOT chat becomes an AGENT chat); a chat
/// someone else has is a conflict.
pub async fn take(pool: &sqlx::PgPool, chat_id: ChatId, actor: &UserInfo) -> Result<(), Error> {
    change(pool, chat_id, actor, |state| {
        rules::may_take(actor, state)?;
        Ok(rules::after_take(actor, state))
    })
    .await
}

/// "Hand back to bot": BOT mode, unassigned.
pub async fn hand_back(
    pool: &sqlx::PgPool,
    chat_id: ChatId,
    actor: &UserInfo,
) -> Result<(), Error> {
    change(pool, chat_id, actor, |state| {
        rules::may_set_mode(actor, state)?;
        Ok(rules::after_hand_back(state))
    })
    .await
}

/// Moves a locked chat from `from` to `to`. `actor` is `None` for the system (the bot, a
/// customer reopening a chat, auto-assignment). Returns whether anything changed.
pub async fn apply(
    conn: &mut PgConnection,
    chat_id: ChatId,
    actor: Option<&UserInfo>,
    from: ChatState,
    to: ChatState,
) -> Result<bool, Error> {
    if from == to {
        return Ok(false);
    }
    if to.assigned != from.assigned {
        if let Some(user_id) = to.assigned {
            if users::is_active(conn, user_id).await? != Some(true) {
                return Err(Error::invalid("user_id", Reason::AssigneeInactive));
            }
        }
    }
    chats::set_state(conn, chat_id, to.mode, to.assigned).await?;
    let by = actor.map(|u| u.display_name.clone());
    let actor_id = actor.map(|u| u.user_id);
    if to.mode != from.mode {
        chat_audit::record(
            conn,
            chat_id,
            actor_id,
            "mode",
            Some(from.mode.as_str()),
            Some(to.mode.as_str()),
        )
        .await?;
        let event = serde_json::json!({ "event": "mode", "from": from.mode.as_str(), "to": to.mode.as_str(), "by": by });
        let text = format!(
            "Mode changed from {} to {}{}",
            from.mode.as_str().to_uppercase(),
            to.mode.as_str().to_uppercase(),
            by.as_ref().map(|b| format!(" by {b}")).unwrap_or_default()
        );
        system_event(conn, chat_id, &text, event).await?;
    }
    if to.assigned != from.assigned {
        let from_id = from.assigned.map(|id| id.to_string());
        let to_id = to.assigned.map(|id| id.to_string());
        chat_audit::record(
            conn,
            chat_id,
            actor_id,
            "assign",
            from_id.as_deref(),
            to_id.as_deref(),
        )
        .await?;
        let (event, text) = match to.assigned {
            Some(user_id) => {
                let name = users::display_name(conn, user_id).await?;
                let text = format!(
                    "Assigned to {name}{}",
                    by.as_ref().map(|b| format!(" by {b}")).unwrap_or_default()
                );
                (
                    serde_json::json!({ "event": "assign", "to": name, "by": by }),
                    text,
                )
            }
            None => {
                let text = format!(
                    "Unassigned{}",
                    by.as_ref().map(|b| format!(" by {b}")).unwrap_or_default()
                );
                (serde_json::json!({ "event": "unassign", "by": by }), text)
            }
        };
        system_event(conn, chat_id, &text, event).await?;
    }
    let summary = chats::summary(conn, chat_id).await?;
    events::publish(conn, &LiveEvent::ChatUpdated(summary)).await?;
    Ok(true)
}

/// A line in the conversation ("Assigned to Rina by Admin"): English text, plus the structured
/// event in `raw` for translated display.
async fn system_event(
    conn: &mut PgConnection,
    chat_id: ChatId,
    text: &str,
    event: serde_json::Value,
) -> Result<(), Error> {
    let message_id = messages::insert_system(conn, chat_id, text, event).await?;
    let view = messages::view(conn, message_id).await?;
    events::publish(conn, &LiveEvent::MessageCreated(view)).await?;
    Ok(())
}
