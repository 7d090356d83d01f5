//! The chat state machine, whole: the rules ([`rules`]: who may move a chat where), the user
//! actions (set mode, assign, take, hand back), and [`apply`], which moves a locked chat inside
//! the caller's transaction. The chat row is locked first, so concurrent changes apply one
//! after the other; each change is recorded in `chat_audit` and shown in the conversation as a
//! system event, and browsers are told.

pub mod rules;
mod start;

pub use start::{open_for, start, Starter};

use crate::chat_changes::rules::ChatState;
use crate::db::{chat_audit, chats, events, messages, users};
use crate::Error;
use model::ChatId;
use model::LiveEvent;
use model::Reason;
use model::{Mode, UserId, UserInfo};
use sqlx::PgConnection;

/// Who changes a chat: a signed-in user, other software through an API key, or the system
/// (the bot, a customer reopening a chat, auto-assignment).
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    System,
    User(&'a UserInfo),
    ApiKey(&'a crate::api_keys::ApiCaller),
}

impl Actor<'_> {
    /// The name shown in the conversation ("by Rina"; an API key by its name).
    fn by(&self) -> Option<String> {
        match self {
            Actor::System => None,
            Actor::User(u) => Some(u.display_name.clone()),
            Actor::ApiKey(k) => Some(k.name.clone()),
        }
    }

    /// As the audit records it: the user, or the API key.
    fn audit(&self) -> (Option<UserId>, Option<i64>) {
        match self {
            Actor::System => (None, None),
            Actor::User(u) => (Some(u.user_id), None),
            Actor::ApiKey(k) => (None, Some(k.api_key_id)),
        }
    }

    /// A system event's `by` (and `via_api`, so the browser says "API key 'Toko Online'").
    fn mark(&self, event: &mut serde_json::Value) {
        if let Some(by) = self.by() {
            event["by"] = by.into();
        }
        if matches!(self, Actor::ApiKey(_)) {
            event["via_api"] = true.into();
        }
    }

    /// " by Rina" (" via API key 'Toko Online'") for the English text of a system event.
    fn by_text(&self) -> String {
        match self {
            Actor::System => String::new(),
            Actor::User(u) => format!(" by {}", u.display_name),
            Actor::ApiKey(k) => format!(" via API key '{}'", k.name),
        }
    }
}

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
    update(&mut tx, chat_id, Actor::User(actor), decide).await?;
    tx.commit().await?;
    Ok(())
}

/// Locks the chat, lets `decide` choose its new state from the current one, and applies it,
/// inside the caller's transaction. Returns whether anything changed.
pub async fn update(
    conn: &mut PgConnection,
    chat_id: ChatId,
    actor: Actor<'_>,
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

/// Moves a locked chat from `from` to `to`. Returns whether anything changed.
pub async fn apply(
    conn: &mut PgConnection,
    chat_id: ChatId,
    actor: Actor<'_>,
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
    let by = actor.by_text();
    if to.mode != from.mode {
        chat_audit::record(
            conn,
            chat_id,
            actor.audit(),
            "mode",
            Some(from.mode.as_str()),
            Some(to.mode.as_str()),
        )
        .await?;
        let mut event = serde_json::json!({ "event": "mode", "from": from.mode.as_str(), "to": to.mode.as_str() });
        actor.mark(&mut event);
        let text = format!(
            "Mode changed from {} to {}{by}",
            from.mode.as_str().to_uppercase(),
            to.mode.as_str().to_uppercase(),
        );
        system_event(conn, chat_id, &text, event).await?;
    }
    if to.assigned != from.assigned {
        let from_id = from.assigned.map(|id| id.to_string());
        let to_id = to.assigned.map(|id| id.to_string());
        chat_audit::record(
            conn,
            chat_id,
            actor.audit(),
            "assign",
            from_id.as_deref(),
            to_id.as_deref(),
        )
        .await?;
        let (mut event, text) = match to.assigned {
            Some(user_id) => {
                let name = users::display_name(conn, user_id).await?;
                let text = format!("Assigned to {name}{by}");
                (serde_json::json!({ "event": "assign", "to": name }), text)
            }
            None => (
                serde_json::json!({ "event": "unassign" }),
                format!("Unassigned{by}"),
            ),
        };
        actor.mark(&mut event);
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
