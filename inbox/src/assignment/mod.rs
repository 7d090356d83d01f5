//! Auto-assignment (admin setting): AGENT chats nobody has are handed to the online agent with
//! the fewest open chats, while that agent is under the capacity; when everyone is full or
//! offline they wait in "Unassigned" and are handed out as soon as someone has room.
//!
//! "Online" means an open event stream (the inbox open in a browser) seen within the last
//! minute. Only users with the agent role are picked: admins assign themselves by hand.
//! `distribute` is safe to call from any number of server processes at once (one runs at a
//! time, under an advisory lock).

pub mod worker;

use crate::chat_changes;
use crate::chat_changes::rules::ChatState;
use crate::db::{chats, settings, users};
use crate::Error;
use model::UserId;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentSettings {
    pub enabled: bool,
    /// Open (not closed) chats an agent may hold before auto-assignment skips them.
    pub capacity: i32,
}

impl Default for AssignmentSettings {
    fn default() -> Self {
        AssignmentSettings {
            enabled: false,
            capacity: 5,
        }
    }
}

/// Seconds after the last sign of life that an agent still counts as online.
pub const ONLINE_SECS: i32 = 60;

/// Marks a user as online now (called while their event stream is open).
pub async fn seen(pool: &PgPool, user_id: UserId) -> Result<(), Error> {
    users::seen(pool, user_id).await
}

/// [`seen`] for the users of all of a process's open streams at once.
pub async fn seen_all(pool: &PgPool, user_ids: &[UserId]) -> Result<(), Error> {
    users::seen_all(pool, user_ids).await
}

/// Hands waiting chats to agents with room; returns how many were assigned.
pub async fn distribute(pool: &PgPool) -> Result<usize, Error> {
    // Runs after every burst of chat changes: when auto-assignment is off (the default) this is
    // one read, without a transaction.
    let config: AssignmentSettings =
        settings::get(&mut *pool.acquire().await?, settings::ASSIGNMENT).await?;
    if !config.enabled {
        return Ok(0);
    }
    let mut tx = pool.begin().await?;
    // Read again under the lock: it may have been switched off meanwhile.
    settings::lock(&mut tx, settings::ASSIGNMENT_LOCK).await?;
    let config: AssignmentSettings = settings::get(&mut tx, settings::ASSIGNMENT).await?;
    if !config.enabled {
        return Ok(0);
    }
    let mut assigned = 0;
    loop {
        let Some(chat_id) = chats::next_waiting(&mut tx).await? else {
            break;
        };
        let agent = users::least_busy_agent(&mut tx, ONLINE_SECS, config.capacity as i64).await?;
        let Some(agent) = agent else { break };
        chat_changes::update(&mut tx, chat_id, chat_changes::Actor::System, |state| {
            Ok(ChatState {
                assigned: Some(agent),
                ..*state
            })
        })
        .await?;
        assigned += 1;
    }
    tx.commit().await?;
    Ok(assigned)
}
