//! The live event: one change that open browsers learn about, defined once. The server
//! publishes it (from Rust through `inbox::db::events::publish`, and from PostgreSQL inside
//! `inbox_store_inbound`, whose JSON is tested against this type); the SSE stream carries its
//! [`LiveEvent::kind`] as the event name and its payload as the data; the browser decodes it
//! with [`LiveEvent::decode`] and applies it to what it shows.

use crate::{ChannelId, ChatId, ChatSummary, EventKind, MessageView};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload")]
pub enum LiveEvent {
    /// A message was stored: the customer's, a reply, a system event.
    #[serde(rename = "message.created")]
    MessageCreated(MessageView),
    /// A message changed: its delivery state (the tick), or its failure.
    #[serde(rename = "message.updated")]
    MessageUpdated(MessageView),
    /// A chat's row changed: new activity, mode, assignee, unread count.
    #[serde(rename = "chat.updated")]
    ChatUpdated(ChatSummary),
    /// An admin added, changed or removed a channel: every server process reloads it, and
    /// pages that show channels refetch them.
    #[serde(rename = "channel.changed")]
    ChannelChanged(ChannelChange),
    /// The provider took our "typing…" for a chat, or its end: the customer's phone shows it or
    /// stops (the sandbox phone listens; agents' streams leave it out).
    #[serde(rename = "chat.typing")]
    Typing(TypingShown),
}

/// "Typing…" on the customer's phone: shown (for up to 25 s, until our next message) or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypingShown {
    pub chat_id: ChatId,
    pub shown: bool,
}

/// Which channel changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelChange {
    pub channel_id: ChannelId,
}

impl LiveEvent {
    /// The event name on the wire (and in the `event` table).
    pub fn kind(&self) -> EventKind {
        match self {
            LiveEvent::MessageCreated(_) => EventKind::MessageCreated,
            LiveEvent::MessageUpdated(_) => EventKind::MessageUpdated,
            LiveEvent::ChatUpdated(_) => EventKind::ChatUpdated,
            LiveEvent::ChannelChanged(_) => EventKind::ChannelChanged,
            LiveEvent::Typing(_) => EventKind::Typing,
        }
    }

    /// The chat it is about (none for a channel change).
    pub fn chat_id(&self) -> Option<ChatId> {
        match self {
            LiveEvent::MessageCreated(m) | LiveEvent::MessageUpdated(m) => Some(m.chat_id),
            LiveEvent::ChatUpdated(c) => Some(c.chat_id),
            LiveEvent::Typing(t) => Some(t.chat_id),
            LiveEvent::ChannelChanged(_) => None,
        }
    }

    /// The payload alone, as stored and sent.
    pub fn payload(&self) -> serde_json::Result<serde_json::Value> {
        match self {
            LiveEvent::MessageCreated(m) | LiveEvent::MessageUpdated(m) => serde_json::to_value(m),
            LiveEvent::ChatUpdated(c) => serde_json::to_value(c),
            LiveEvent::ChannelChanged(c) => serde_json::to_value(c),
            LiveEvent::Typing(t) => serde_json::to_value(t),
        }
    }

    /// An event from its name and payload (an SSE event's name and data); an unknown name or a
    /// payload that does not fit is an error.
    pub fn decode(kind: &str, payload: &str) -> Result<LiveEvent, DecodeError> {
        let Some(kind) = EventKind::parse(kind) else {
            return Err(DecodeError::UnknownKind(kind.to_string()));
        };
        Ok(match kind {
            EventKind::MessageCreated => LiveEvent::MessageCreated(serde_json::from_str(payload)?),
            EventKind::MessageUpdated => LiveEvent::MessageUpdated(serde_json::from_str(payload)?),
            EventKind::ChatUpdated => LiveEvent::ChatUpdated(serde_json::from_str(payload)?),
            EventKind::ChannelChanged => LiveEvent::ChannelChanged(serde_json::from_str(payload)?),
            EventKind::Typing => LiveEvent::Typing(serde_json::from_str(payload)?),
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("unknown live event {0:?}")]
    UnknownKind(String),
    #[error("live event payload: {0}")]
    Payload(#[from] serde_json::Error),
}
