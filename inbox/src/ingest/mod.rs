//! Storing what providers tell us, exactly once: customer messages, delivery statuses and
//! echoes of our own sends. Each webhook body is committed before it is acknowledged, in one
//! transaction of its own or shared with bodies that arrived at the same time ([`store_all`],
//! the server's group commit); events for the browsers are published in the same transaction.
//!
//! Closed chats: a new customer message reopens the chat (its history stays in it) in the mode
//! `reopen_mode` (BOT by default, `INBOX_REOPEN_MODE`).

pub mod account;
mod conversation;
mod prepared;
pub mod queue;
mod status;

pub use prepared::stored_kind;
use prepared::Prepared;
use status::apply_status;

use crate::bot::{self, Brain};
use crate::chat_changes;
use crate::chat_changes::rules::ChatState;
use crate::db::messages;
use crate::Error;
use model::{ChannelId, ChatId, Mode, Reason};
use sqlx::{PgConnection, PgPool};
use std::collections::HashMap;
use whatsapp::{InboundEvent, InboundMessage};

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
    pub channel_id: ChannelId,
    pub event: &'a InboundEvent,
}

pub async fn store(
    pool: &PgPool,
    items: &[Routed<'_>],
    reopen_mode: Mode,
) -> Result<IngestReport, Error> {
    Ok(store_all(pool, &[items], reopen_mode)
        .await?
        .pop()
        .unwrap_or_default())
}

/// Stores several webhook bodies in one transaction (group commit: the server's ingest queue
/// gathers bodies that arrive together), with a report per body. All or nothing: on an error
/// nothing is stored, and the caller may store each body on its own.
pub async fn store_all(
    pool: &PgPool,
    bodies: &[&[Routed<'_>]],
    reopen_mode: Mode,
) -> Result<Vec<IngestReport>, Error> {
    // A stable order (by customer, then provider time) keeps row locks in the same order across
    // concurrent transactions, so they wait for each other instead of deadlocking.
    let mut ordered: Vec<(usize, &Routed)> = bodies
        .iter()
        .enumerate()
        .flat_map(|(body, items)| items.iter().map(move |item| (body, item)))
        .collect();
    ordered.sort_by(|a, b| sort_key(a.1).cmp(&sort_key(b.1)));

    let started = std::time::Instant::now();
    let mut reports = vec![IngestReport::default(); bodies.len()];
    // Generic plans: ingest runs the same few statements for every message, and planning them
    // afresh each time (PostgreSQL's choice for some of them) cost more than running them.
    let mut tx = pool
        .begin_with("begin; set local plan_cache_mode = force_generic_plan")
        .await?;

    // Customer messages first, all in one round trip; then what the bot says to them, in the
    // same order.
    let messages: Vec<(usize, ChannelId, &InboundMessage)> = ordered
        .iter()
        .filter_map(|(body, item)| match item.event {
            InboundEvent::Message(m) => Some((*body, item.channel_id, m)),
            _ => None,
        })
        .collect();
    if messages
        .iter()
        .any(|(_, _, m)| m.from_phone.is_none() && m.from_user_id.is_none())
    {
        return Err(Error::invalid("contact", Reason::ContactWithoutIdentity));
    }
    let prepared = messages
        .iter()
        .map(|(_, _, m)| Prepared::new(m))
        .collect::<Result<Vec<_>, _>>()?;
    let inbound: Vec<messages::Inbound> = messages
        .iter()
        .zip(&prepared)
        .map(|((_, channel_id, m), p)| p.inbound(*channel_id, m))
        .collect();
    let results = messages::store_inbound_many(&mut tx, &inbound).await?;
    // The chats the bot may answer, so it can look up what it said lately in one query.
    let bot_chats: Vec<ChatId> = results
        .iter()
        .filter(|r| r.outcome == messages::Outcome::Stored && r.mode == Mode::Bot)
        .map(|r| r.chat_id)
        .collect();
    let mut brain: Option<Brain> = None;
    // Each chat's state as this transaction left it (the bot may hand a chat over halfway).
    let mut states: HashMap<ChatId, ChatState> = HashMap::new();
    for ((((body, channel_id, m), inbound), result), prepared) in
        messages.iter().zip(&inbound).zip(results).zip(&prepared)
    {
        let report = &mut reports[*body];
        let stored = match result.outcome {
            messages::Outcome::Stored => Some((result.chat_id, result.state())),
            messages::Outcome::Duplicate => None,
            messages::Outcome::Closed => {
                let stored = store_in_closed_chat(&mut tx, inbound, reopen_mode).await?;
                if let Some((chat_id, state)) = stored {
                    states.insert(chat_id, state);
                }
                stored
            }
        };
        let Some((chat_id, state)) = stored else {
            report.duplicates += 1;
            continue;
        };
        report.stored += 1;
        conversation::after_stored(&mut tx, *channel_id, m, prepared.details.as_ref()).await?;
        let state = *states.entry(chat_id).or_insert(state);
        if state.mode == Mode::Bot {
            if brain.is_none() {
                brain = Some(Brain::load(&mut tx, &bot_chats).await?);
            }
            if let Some(brain) = &mut brain {
                let after = bot::answer(
                    &mut tx,
                    brain,
                    (chat_id, *channel_id),
                    state,
                    (m.text.as_deref().unwrap_or_default(), m.choice.as_deref()),
                )
                .await?;
                states.insert(chat_id, after);
            }
        }
    }

    for (body, item) in ordered {
        let report = &mut reports[body];
        match item.event {
            InboundEvent::Message(_) => {}
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
            InboundEvent::AppEcho(e) => {
                if conversation::mirror_app_echo(&mut tx, item.channel_id, e).await? {
                    report.stored += 1;
                } else {
                    report.duplicates += 1;
                }
            }
            InboundEvent::Revoked(r) => {
                if conversation::apply_revocation(&mut tx, item.channel_id, r).await? {
                    report.statuses += 1;
                } else {
                    report.ignored += 1;
                }
            }
            // About the account, not a channel: recorded by `account::record`.
            InboundEvent::Account(_) => report.ignored += 1,
        }
    }
    tx.commit().await?;
    metrics::histogram!("inbox_ingest_commit_seconds").record(started.elapsed());
    Ok(reports)
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
        InboundEvent::Echo(e) | InboundEvent::AppEcho(e) => (
            2,
            Some(e.provider_message_id.as_str()),
            None,
            e.sent_at.timestamp(),
        ),
        InboundEvent::Revoked(r) => (
            3,
            Some(r.original_message_id.as_str()),
            None,
            r.at.timestamp(),
        ),
        InboundEvent::Account(_) => (4, None, None, 0),
    }
}

/// A message whose chat was closed when the batch reached it: the customer wrote again, so the
/// chat reopens (recorded like any other transition; once, if several messages found it
/// closed) and the message goes into it. Returns its chat and state, or `None` when it turns
/// out to be a redelivery.
async fn store_in_closed_chat(
    conn: &mut PgConnection,
    inbound: &messages::Inbound<'_>,
    reopen_mode: Mode,
) -> Result<Option<(ChatId, ChatState)>, Error> {
    let mut stored = messages::store_inbound(conn, inbound).await?;
    if stored.outcome == messages::Outcome::Closed {
        let state = stored.state();
        let reopened = ChatState {
            mode: reopen_mode,
            ..state
        };
        chat_changes::apply(
            conn,
            stored.chat_id,
            chat_changes::Actor::System,
            state,
            reopened,
        )
        .await?;
        stored = messages::store_inbound(conn, inbound).await?;
    }
    Ok(match stored.outcome {
        messages::Outcome::Stored => Some((stored.chat_id, stored.state())),
        messages::Outcome::Duplicate => None,
        messages::Outcome::Closed => {
            return Err(anyhow::anyhow!("chat {} did not reopen", stored.chat_id).into())
        }
    })
}
