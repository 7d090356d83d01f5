//! What the customer sees of the team's attention: read receipts (blue ticks) when an agent
//! opens a chat, and "typing…" while an agent types or the bot waits out its reply delay.
//!
//! Both are outbox rows (see [`crate::outbox`]), so they survive a provider outage and every
//! server process shares them. Each customer message gets at most one read receipt (marked on
//! the message in the transaction that queues it); "typing…" is queued at most once per
//! [`chats::TYPING_EVERY_SECS`] per chat (marked on the chat), and a typing row that has not
//! reached the provider within [`TYPING_SHOWN`] is dropped rather than shown late. The channel's
//! switches (`read_receipts`, `typing`) decide whether anything is queued; whether the
//! provider can do it at all is the worker's question ([`whatsapp::Capabilities`]).

use crate::chat_changes::rules::{self, ChatState};
use crate::db::{chats, messages, outbox};
use crate::Error;
use model::{ChatId, UserInfo};
use sqlx::{PgConnection, PgPool};
use std::time::Duration;

/// How long "typing…" is worth showing once asked for (Meta's own indicator lasts about 25 s).
pub const TYPING_SHOWN: Duration = Duration::from_secs(25);

/// An agent opened the chat (in the caller's transaction): the customer's latest message is
/// marked read at the provider, unless this channel's read receipts are off, it is disabled,
/// or that message's receipt was queued before. Returns whether one was queued.
pub async fn chat_opened(conn: &mut PgConnection, chat_id: ChatId) -> Result<bool, Error> {
    let route = chats::route(&mut *conn, chat_id).await?;
    if !route.channel_enabled || !route.channel_settings.read_receipts {
        return Ok(false);
    }
    let Some(latest) = messages::take_read_receipt(&mut *conn, chat_id).await? else {
        return Ok(false);
    };
    outbox::enqueue_signal(&mut *conn, latest, outbox::Job::Read, None).await
}

/// An agent types in the composer (`on`), or stopped for a while (`!on`). "Typing…" is queued
/// at most once per 20 s per chat; stopping takes it away where the provider can. Only someone
/// who may answer the chat signals it. Returns whether a row was queued.
pub async fn agent_typing(
    pool: &PgPool,
    user: &UserInfo,
    chat_id: ChatId,
    on: bool,
) -> Result<bool, Error> {
    let mut tx = pool.begin().await?;
    let summary = chats::summary(&mut tx, chat_id).await?;
    rules::may_reply(
        user,
        &ChatState {
            mode: summary.mode,
            assigned: summary.assigned_user_id,
        },
    )?;
    let queued = if on {
        let route = chats::route(&mut tx, chat_id).await?;
        typing(&mut tx, &route, None).await?
    } else {
        stopped(&mut tx, chat_id).await?
    };
    tx.commit().await?;
    Ok(queued)
}

/// Queues "typing…" for the chat if its channel shows typing and it is the chat's turn;
/// `for_at_least` keeps it from expiring before then (the bot's reply delay).
pub(crate) async fn typing(
    conn: &mut PgConnection,
    route: &chats::Route,
    for_at_least: Option<Duration>,
) -> Result<bool, Error> {
    let chat_id = route.chat_id;
    if !route.channel_enabled || !route.channel_settings.typing {
        return Ok(false);
    }
    let Some(latest) = messages::latest_inbound(&mut *conn, chat_id).await? else {
        return Ok(false);
    };
    if !chats::take_typing_turn(&mut *conn, chat_id).await? {
        return Ok(false);
    }
    let expires = TYPING_SHOWN.max(for_at_least.unwrap_or_default());
    outbox::enqueue_signal(&mut *conn, latest, outbox::Job::Typing, Some(expires)).await
}

/// The agent stopped typing: "typing…" goes away, where the provider can take it away, if it
/// is still showing. (The next "typing…" still waits for the chat's turn: at most one per 20 s.)
async fn stopped(conn: &mut PgConnection, chat_id: ChatId) -> Result<bool, Error> {
    if !chats::typing_since(&mut *conn, chat_id, TYPING_SHOWN.as_secs_f64()).await? {
        return Ok(false);
    }
    let Some(latest) = messages::latest_inbound(&mut *conn, chat_id).await? else {
        return Ok(false);
    };
    outbox::enqueue_signal(
        &mut *conn,
        latest,
        outbox::Job::TypingOff,
        Some(TYPING_SHOWN),
    )
    .await
}
