//! Storing what providers tell us, exactly once: customer messages, delivery statuses and
//! echoes of our own sends. One transaction per webhook body, committed before the webhook is
//! acknowledged; events for the browsers are published in the same transaction.
//!
//! Closed chats: a new customer message reopens the chat (its history stays in it) in the mode
//! `reopen_mode` (BOT by default, `INBOX_REOPEN_MODE`).

use super::bot::{self, Brain};
use super::chat_state::ChatState;
use super::db::{chat_changes, chats, contacts, events, messages};
use crate::model::Mode;
use crate::AppError;
use sqlx::{PgConnection, PgPool};
use whatsapp::{InboundEvent, InboundMessage, StatusUpdate};

/// What one body did, for logs and tests.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct IngestReport {
    /// New customer messages stored.
    pub stored: usize,
    /// Customer messages already stored (redeliveries).
    pub duplicates: usize,
    /// Status updates that moved a message forward.
    pub statuses: usize,
    /// Statuses, echoes and messages that changed nothing (old, unknown or ours).
    pub ignored: usize,
}

/// One parsed event and the channel it belongs to.
pub struct Routed<'a> {
    pub channel_id: i64,
    pub event: &'a InboundEvent,
}

pub async fn store(
    pool: &PgPool,
    items: &[Routed<'_>],
    reopen_mode: Mode,
) -> Result<IngestReport, AppError> {
    // A stable order (by customer, then provider time) keeps row locks in the same order across
    // concurrent bodies, so they wait for each other instead of deadlocking.
    let mut ordered: Vec<&Routed> = items.iter().collect();
    ordered.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));

    let mut report = IngestReport::default();
    let mut tx = pool.begin().await?;
    let mut brain: Option<Brain> = None;
    for item in ordered {
        match item.event {
            InboundEvent::Message(m) => {
                match store_message(&mut tx, item.channel_id, m, reopen_mode).await? {
                    Some((chat_id, state)) => {
                        report.stored += 1;
                        if state.mode == Mode::Bot {
                            if brain.is_none() {
                                brain = Some(Brain::load(&mut tx).await?);
                            }
                            if let Some(brain) = &brain {
                                bot::answer(
                                    &mut tx,
                                    brain,
                                    chat_id,
                                    state,
                                    m.text.as_deref().unwrap_or_default(),
                                )
                                .await?;
                            }
                        }
                    }
                    None => report.duplicates += 1,
                }
            }
            InboundEvent::Status(s) => {
                if apply_status(&mut tx, item.channel_id, s).await? {
                    report.statuses += 1;
                } else {
                    report.ignored += 1;
                }
            }
            InboundEvent::Echo(e) => {
                // Our own send, echoed back (Whapi `from_me`). It is never a customer message.
                // Its id is usually already known from the send response; a message typed in
                // the provider's own app is not mirrored here.
                tracing::debug!(provider_message_id = %e.provider_message_id, "echo of an outbound message ignored");
                report.ignored += 1;
            }
        }
    }
    tx.commit().await?;
    Ok(report)
}

fn sort_key<'a>(r: &'a Routed<'_>) -> (u8, Option<&'a str>, Option<&'a str>, i64) {
    match r.event {
        InboundEvent::Message(m) => (
            0,
            m.from_phone.as_deref(),
            m.from_user_id.as_deref(),
            m.sent_at.timestamp(),
        ),
        InboundEvent::Status(s) => (
            1,
            Some(s.provider_message_id.as_str()),
            None,
            s.at.timestamp(),
        ),
        InboundEvent::Echo(e) => (
            2,
            Some(e.provider_message_id.as_str()),
            None,
            e.sent_at.timestamp(),
        ),
    }
}

/// Stores one customer message; returns its chat and the chat's state, or `None` for a
/// redelivery.
async fn store_message(
    conn: &mut PgConnection,
    channel_id: i64,
    m: &InboundMessage,
    reopen_mode: Mode,
) -> Result<Option<(i64, ChatState)>, AppError> {
    // Redeliveries are the common case under provider retries: answer them without touching
    // the contact or chat (a redelivery must not reopen a closed chat either). A redelivery
    // racing the first delivery is still caught by the unique index below.
    if messages::exists(conn, channel_id, &m.provider_message_id).await? {
        return Ok(None);
    }
    let contact_id = contacts::upsert(
        conn,
        m.from_phone.as_deref(),
        m.from_user_id.as_deref(),
        m.from_name.as_deref(),
    )
    .await?;
    let chat = chats::find_or_open(conn, channel_id, contact_id).await?;
    let mut state = ChatState {
        mode: chat.mode,
        assigned: chat.assigned,
    };
    if chat.mode == Mode::Closed {
        // The customer wrote again: the chat reopens (recorded like any other transition).
        let reopened = ChatState {
            mode: reopen_mode,
            ..state
        };
        chat_changes::apply(conn, chat.chat_id, None, state, reopened).await?;
        state = reopened;
    }
    let media = m
        .media
        .as_ref()
        .map(|media| serde_json::to_value(media).unwrap_or_default());
    let inserted = messages::insert_inbound(
        conn,
        &messages::Inbound {
            chat_id: chat.chat_id,
            channel_id,
            kind: m.kind.as_str(),
            body: m.text.as_deref(),
            media,
            provider_message_id: &m.provider_message_id,
            reply_to: m.reply_to.as_deref(),
            raw: &m.raw,
            sent_at: m.sent_at,
        },
    )
    .await?;
    let Some(message_id) = inserted else {
        return Ok(None);
    };
    chats::record_inbound(conn, chat.chat_id, m.sent_at, &preview(m)).await?;
    let view = messages::view(conn, message_id).await?;
    events::publish(conn, events::MESSAGE_CREATED, chat.chat_id, &view).await?;
    let summary = chats::summary(conn, chat.chat_id).await?;
    events::publish(conn, events::CHAT_UPDATED, chat.chat_id, &summary).await?;
    Ok(Some((chat.chat_id, state)))
}

/// The chat list's one-line preview of a message.
fn preview(m: &InboundMessage) -> String {
    let text = m
        .text
        .clone()
        .unwrap_or_else(|| format!("[{}]", m.kind.as_str()));
    text.chars().take(140).collect()
}

/// Applies a delivery status, forward only. A status for a send whose response we never saw
/// (we crashed, or the request timed out) is matched by the callback data we attached to it
/// (`msg-<message id>`), which also teaches us the provider's id.
async fn apply_status(
    conn: &mut PgConnection,
    channel_id: i64,
    s: &StatusUpdate,
) -> Result<bool, AppError> {
    if let Some(message_id) = s
        .callback_data
        .as_deref()
        .and_then(|c| c.strip_prefix("msg-"))
        .and_then(|id| id.parse::<i64>().ok())
    {
        messages::adopt_provider_id(conn, message_id, channel_id, &s.provider_message_id).await?;
    }
    let code = s.error.as_ref().and_then(|e| e.code.clone());
    let reason = s.error.as_ref().map(|e| {
        [e.title.as_deref(), e.detail.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(": ")
    });
    let changed = messages::apply_status(
        conn,
        channel_id,
        &s.provider_message_id,
        s.state.as_str(),
        s.at,
        code.as_deref(),
        reason.as_deref().filter(|r| !r.is_empty()),
    )
    .await?;
    let Some((message_id, chat_id)) = changed else {
        return Ok(false);
    };
    let view = messages::view(conn, message_id).await?;
    events::publish(conn, events::MESSAGE_UPDATED, chat_id, &view).await?;
    Ok(true)
}
