//! The events webhooks carry, made from the live events every change already writes: the
//! event's name and its `data`, in the wire format of the gateway our users script against
//! (`{"event", "data", "timestamp"}`, gateways.md §4.4, with its field names for taps).
//!
//! | live event | webhook events |
//! |---|---|
//! | a customer's message stored | `message.in` (every kind; a file as a link to our server that needs the key), and `interaction.button` / `interaction.list` for a tap |
//! | a message of ours stored (agent, bot, API) | `message.out` |
//! | a message of ours changed | `message.status`, when its delivery state is new (sent, delivered, read, failed with the reason) |
//! | a system line: mode, assignee | `chat.mode_changed` (and `chat.closed`), `chat.assigned` |
//! | a channel changed | `connection.update`, when its connection state is new |

use crate::db::events::StoredEvent;
use crate::db::hooks::{self as db, MessageFacts};
use crate::Error;
use model::{
    ChatId, DeliveryState, Direction, LiveEvent, MessageId, MessageKind, MessageView, SenderKind,
};
use serde_json::{json, Value};
use sqlx::PgConnection;
use std::collections::HashMap;

/// Every event an endpoint can ask for.
pub use model::hooks::EVENTS as NAMES;

/// "Send test event": delivered to the one endpoint that asked, whatever it subscribed to.
pub const TEST: &str = "webhook.test";

/// One event as it is sent.
#[derive(Debug, Clone, PartialEq)]
pub struct HookEvent {
    pub name: &'static str,
    /// Events of one chat reach each endpoint in order.
    pub chat_id: Option<ChatId>,
    pub data: Value,
}

fn ms(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp_millis()
}

/// The webhook events of a batch of live events, in their order.
pub async fn from_live(
    conn: &mut PgConnection,
    public_url: &str,
    stored: &[StoredEvent],
) -> Result<Vec<HookEvent>, Error> {
    let decoded: Vec<LiveEvent> = stored
        .iter()
        .filter_map(|e| {
            let payload = e.payload.to_string();
            match LiveEvent::decode(e.kind.as_str(), &payload) {
                Ok(live) => Some(live),
                Err(err) => {
                    tracing::warn!(event_id = e.event_id, error = %err, "a live event webhooks cannot read");
                    None
                }
            }
        })
        .collect();
    let ids: Vec<MessageId> = decoded
        .iter()
        .filter_map(|l| match l {
            LiveEvent::MessageCreated(m) | LiveEvent::MessageUpdated(m)
                if m.direction != Direction::Note =>
            {
                Some(m.message_id)
            }
            _ => None,
        })
        .collect();
    let facts: HashMap<MessageId, MessageFacts> = db::message_facts(&mut *conn, &ids)
        .await?
        .into_iter()
        .map(|f| (f.message_id, f))
        .collect();
    let mut out = Vec::new();
    for live in decoded {
        match live {
            LiveEvent::MessageCreated(m) if m.direction == Direction::Note => {
                out.extend(system(&m));
            }
            LiveEvent::MessageCreated(m) => {
                let Some(f) = facts.get(&m.message_id) else {
                    continue;
                };
                if m.direction == Direction::In {
                    out.push(message_in(public_url, &m, f));
                    out.extend(tap(&m, f));
                } else {
                    out.push(message_out(public_url, &m, f));
                }
            }
            LiveEvent::MessageUpdated(m) if m.direction == Direction::Out => {
                let Some(f) = facts.get(&m.message_id) else {
                    continue;
                };
                let announced =
                    !matches!(m.status, DeliveryState::Queued | DeliveryState::Received)
                        && db::announce(
                            &mut *conn,
                            &format!("message:{}", m.message_id),
                            m.status.as_str(),
                        )
                        .await?;
                if announced {
                    out.push(status(&m, f));
                }
            }
            LiveEvent::MessageUpdated(_) | LiveEvent::ChatUpdated(_) | LiveEvent::Typing(_) => {}
            LiveEvent::ChannelChanged(c) => {
                if let Some(event) = connection(&mut *conn, c.channel_id).await? {
                    out.push(event);
                }
            }
        }
    }
    Ok(out)
}

fn channel(f: &MessageFacts) -> Value {
    json!({ "id": f.channel_id, "name": f.channel_name })
}

/// A message's file, as a link to our server (`GET /api/v1/messages/{id}/media` with the key).
fn media(public_url: &str, m: &MessageView) -> Option<Value> {
    m.media.as_ref().map(|media| {
        json!({
            "url": format!("{}/api/v1/messages/{}/media", public_url.trim_end_matches('/'), m.message_id),
            "mimeType": media.mime_type,
            "filename": media.filename,
            "size": media.size,
            "voice": media.voice,
        })
    })
}

fn message_in(public_url: &str, m: &MessageView, f: &MessageFacts) -> HookEvent {
    let mut data = json!({
        "messageId": m.message_id.0.to_string(),
        "providerMessageId": f.provider_message_id,
        "chatId": m.chat_id,
        "channel": channel(f),
        "from": f.phone,
        "pushName": f.contact_name,
        "fromMe": false,
        "isGroup": false,
        "type": m.kind.as_str(),
        "text": m.body,
        "timestamp": ms(m.sent_at),
    });
    if let Some(media) = media(public_url, m) {
        data["media"] = media;
    }
    if let Some(id) = &f.reply_to_provider_id {
        let key = if m.kind == MessageKind::Reaction {
            "reactionTo"
        } else {
            "replyTo"
        };
        data[key] = json!({
            "providerMessageId": id,
            "messageId": m.quoted.as_ref().and_then(|q| q.message_id).map(|id| id.0.to_string()),
        });
    }
    if let Some(location) = &m.location {
        data["location"] = json!(location);
    }
    if !m.contacts.is_empty() {
        data["contacts"] = json!(m.contacts);
    }
    HookEvent {
        name: "message.in",
        chat_id: Some(m.chat_id),
        data,
    }
}

/// A tap on one of the business's buttons or list rows: the seed gateway's fields, the row's
/// title and description from what the business offered.
fn tap(m: &MessageView, f: &MessageFacts) -> Option<HookEvent> {
    if m.kind != MessageKind::InteractiveReply {
        return None;
    }
    let id = f
        .details
        .as_ref()
        .and_then(|d| d.get("choice"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| m.body.clone())?;
    let menu: Option<whatsapp::Interactive> = f
        .menu
        .as_ref()
        .and_then(|v| serde_json::from_value(v.clone()).ok());
    let offered = menu.as_ref().and_then(|menu| {
        menu.options().into_iter().find(|o| o.id == id).map(|o| {
            (
                matches!(menu.choices, whatsapp::Choices::List { .. }),
                o.clone(),
            )
        })
    });
    let base = |name: &'static str, fields: Value| {
        let mut data = json!({
            "from": f.phone,
            "messageId": m.message_id.0.to_string(),
            "providerMessageId": f.provider_message_id,
            "chatId": m.chat_id,
            "channel": channel(f),
            "timestamp": ms(m.sent_at),
        });
        if let (Some(obj), Value::Object(more)) = (data.as_object_mut(), fields) {
            obj.extend(more);
        }
        HookEvent {
            name,
            chat_id: Some(m.chat_id),
            data,
        }
    };
    Some(match offered {
        Some((true, row)) => base(
            "interaction.list",
            json!({ "rowId": row.id, "rowTitle": row.title, "rowDescription": row.description }),
        ),
        Some((false, button)) => base(
            "interaction.button",
            json!({ "buttonId": button.id, "buttonText": button.title }),
        ),
        // A template's quick reply, or options older than this inbox: the tap's own words.
        None => base(
            "interaction.button",
            json!({ "buttonId": id, "buttonText": m.body }),
        ),
    })
}

fn sent_by(m: &MessageView, f: &MessageFacts) -> Value {
    let kind = match (m.sender_kind, &m.via_api) {
        (SenderKind::Bot, _) => "bot",
        (_, Some(_)) => "api",
        _ => "agent",
    };
    json!({ "kind": kind, "name": f.sent_by })
}

fn message_out(public_url: &str, m: &MessageView, f: &MessageFacts) -> HookEvent {
    let mut data = json!({
        "messageId": m.message_id.0.to_string(),
        "chatId": m.chat_id,
        "channel": channel(f),
        "to": f.phone,
        "type": m.kind.as_str(),
        "text": m.body,
        "status": m.status.as_str(),
        "sentBy": sent_by(m, f),
        "timestamp": ms(m.sent_at),
    });
    if let Some(media) = media(public_url, m) {
        data["media"] = media;
    }
    if let Some(id) = &f.reply_to_provider_id {
        data["replyTo"] = json!({
            "providerMessageId": id,
            "messageId": m.quoted.as_ref().and_then(|q| q.message_id).map(|id| id.0.to_string()),
        });
    }
    HookEvent {
        name: "message.out",
        chat_id: Some(m.chat_id),
        data,
    }
}

fn status(m: &MessageView, f: &MessageFacts) -> HookEvent {
    let mut data = json!({
        "messageId": m.message_id.0.to_string(),
        "providerMessageId": f.provider_message_id,
        "chatId": m.chat_id,
        "to": f.phone,
        "status": m.status.as_str(),
        "timestamp": ms(chrono::Utc::now()),
    });
    if m.status == DeliveryState::Failed {
        data["error"] = json!({ "code": m.error_code, "reason": m.error_reason });
    }
    HookEvent {
        name: "message.status",
        chat_id: Some(m.chat_id),
        data,
    }
}

/// A system line's events: a mode change (`chat.closed` too when it closed the chat), an
/// assignment.
fn system(m: &MessageView) -> Vec<HookEvent> {
    let Some(event) = &m.event else {
        return Vec::new();
    };
    let get = |k: &str| event.get(k).cloned().unwrap_or(Value::Null);
    let by = json!({
        "name": get("by"),
        "kind": match (event.get("by"), event.get("via_api")) {
            (None | Some(Value::Null), _) => "system",
            (_, Some(Value::Bool(true))) => "api",
            _ => "user",
        },
    });
    let at = ms(m.sent_at);
    let one = |name: &'static str, data: Value| HookEvent {
        name,
        chat_id: Some(m.chat_id),
        data,
    };
    match event.get("event").and_then(Value::as_str) {
        Some("mode") => {
            let mut out = vec![one(
                "chat.mode_changed",
                json!({ "chatId": m.chat_id, "from": get("from"), "to": get("to"), "by": by, "timestamp": at }),
            )];
            if event.get("to").and_then(Value::as_str) == Some(model::Mode::Closed.as_str()) {
                out.push(one(
                    "chat.closed",
                    json!({ "chatId": m.chat_id, "by": by, "timestamp": at }),
                ));
            }
            out
        }
        Some("assign") => vec![one(
            "chat.assigned",
            json!({ "chatId": m.chat_id, "assignee": get("to"), "by": by, "timestamp": at }),
        )],
        Some("unassign") => vec![one(
            "chat.assigned",
            json!({ "chatId": m.chat_id, "assignee": Value::Null, "by": by, "timestamp": at }),
        )],
        _ => Vec::new(),
    }
}

/// A channel's connection, when it is not what was last announced.
async fn connection(
    conn: &mut PgConnection,
    channel_id: model::ChannelId,
) -> Result<Option<HookEvent>, Error> {
    let Some(c) = db::channel_facts(&mut *conn, channel_id).await? else {
        return Ok(None);
    };
    let state = match (c.enabled, c.check_state.as_deref()) {
        (false, _) => "disabled",
        (true, Some("connected")) => "connected",
        (true, Some("failed")) => "disconnected",
        (true, _) => return Ok(None),
    };
    if !db::announce(&mut *conn, &format!("channel:{channel_id}"), state).await? {
        return Ok(None);
    }
    Ok(Some(HookEvent {
        name: "connection.update",
        chat_id: None,
        data: json!({
            "channel": { "id": c.channel_id, "name": c.name },
            "status": state,
            "isConnected": state == "connected",
            "phoneNumber": c.display_phone.map(|p| p.chars().filter(char::is_ascii_digit).collect::<String>()),
            "detail": c.check_detail,
            "timestamp": ms(chrono::Utc::now()),
        }),
    }))
}

/// Whether an endpoint subscribed to `events` (empty: all) wants `name`.
pub fn wants(events: &[String], name: &str) -> bool {
    events.is_empty() || events.iter().any(|e| e == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endpoint_without_events_wants_them_all() {
        assert!(wants(&[], "message.in"));
        let some = vec!["message.status".to_owned()];
        assert!(wants(&some, "message.status"));
        assert!(!wants(&some, "message.in"));
    }
}
