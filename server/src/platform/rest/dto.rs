//! What `/api/v1` takes and answers, with their OpenAPI schemas: our types as other software
//! reads them (snake_case, stable names, ids as numbers, times in RFC 3339).

use chrono::{DateTime, Utc};
use model::{ChatSummary, MessageView};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

/// What a message carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SendType {
    Text,
    Image,
    Video,
    Audio,
    Document,
    Template,
    Interactive,
}

/// A file: `base64` (or a `data:` URL) or a `url` the server fetches once (public addresses
/// only). Its type comes from `mime_type`, else the data itself, else `filename`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct MediaInput {
    pub base64: Option<String>,
    pub url: Option<String>,
    pub mime_type: Option<String>,
    pub filename: Option<String>,
    /// Shown under a photo, video or document (at most 1024 characters).
    pub caption: Option<String>,
}

/// An approved template and its variables, in order.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct TemplateInput {
    pub name: String,
    /// The template's language code, e.g. `id` or `en_US`.
    pub language: String,
    #[serde(default)]
    pub variables: Vec<String>,
}

/// One button or list row: `id` comes back in the `interaction.*` webhook when tapped.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct OptionInput {
    pub id: Option<String>,
    pub title: String,
    /// List rows only.
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SectionInput {
    pub title: Option<String>,
    pub rows: Vec<OptionInput>,
}

/// A list: its button, and up to 10 rows in sections.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ListInput {
    pub button: String,
    pub sections: Vec<SectionInput>,
}

/// Up to 3 reply buttons, or a list.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct InteractiveInput {
    pub body: String,
    pub header: Option<String>,
    pub footer: Option<String>,
    pub buttons: Option<Vec<OptionInput>>,
    pub list: Option<ListInput>,
}

/// A message to send.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SendMessage {
    /// The customer's number: `0812…`, `+62 812-…` and `62812…` are the same number.
    pub to: String,
    /// A channel's name or id; without it, the key's only channel, else the admins' default,
    /// else the only enabled one.
    pub channel: Option<String>,
    /// Defaults to what the body carries (`text`, `media`, `template` or `interactive`).
    #[serde(rename = "type")]
    pub kind: Option<SendType>,
    pub text: Option<String>,
    pub media: Option<MediaInput>,
    pub template: Option<TemplateInput>,
    pub interactive: Option<InteractiveInput>,
    /// The message this one quotes: our message id, or the provider's.
    pub reply_to: Option<String>,
    /// `keep`: the chat's mode is left alone (a notification); otherwise the send takes a BOT
    /// chat over, as an agent's reply does.
    pub mode: Option<String>,
}

/// A send, queued: its final state comes by webhook (`message.status`) and by `GET`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Queued {
    /// The (first) message's id.
    pub id: i64,
    /// All the messages it became (a long text, or an audio file with a caption, is several).
    pub message_ids: Vec<i64>,
    pub chat_id: i64,
    /// `queued`.
    pub status: String,
    /// The number it goes to, normalised.
    pub to: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Sender {
    /// `customer`, `agent`, `bot`, `api` or `system`.
    pub kind: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageError {
    pub code: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Media {
    /// `GET` it with the key.
    pub url: String,
    /// `pending`, `ready`, `failed` or `evicted`.
    pub state: String,
    pub mime_type: Option<String>,
    pub filename: Option<String>,
    pub size: Option<i64>,
}

/// A message as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Message {
    pub id: i64,
    pub chat_id: i64,
    /// `in` (the customer's), `out` (ours) or `note` (a line in the conversation).
    pub direction: String,
    pub sender: Sender,
    /// `text`, `image`, `audio`, `video`, `document`, `template`, `interactive`, …
    #[serde(rename = "type")]
    pub kind: String,
    pub text: Option<String>,
    /// `received`; ours `queued` → `sent` → `delivered` → `read`, or `failed`.
    pub status: String,
    pub error: Option<MessageError>,
    pub sent_at: DateTime<Utc>,
    pub media: Option<Media>,
    /// The message it quotes, when stored here.
    pub reply_to: Option<i64>,
}

impl Message {
    pub fn from_view(public_url: &str, m: &MessageView) -> Message {
        let kind = match (m.sender_kind, &m.via_api) {
            (model::SenderKind::Agent, Some(_)) => "api".to_owned(),
            (kind, _) => kind.as_str().to_owned(),
        };
        Message {
            id: m.message_id.0,
            chat_id: m.chat_id.0,
            direction: m.direction.as_str().to_owned(),
            sender: Sender {
                kind,
                name: m.via_api.clone().or_else(|| m.sender_name.clone()),
            },
            kind: m.kind.as_str().to_owned(),
            text: m.body.clone(),
            status: m.status.as_str().to_owned(),
            error: (m.status == model::DeliveryState::Failed).then(|| MessageError {
                code: m.error_code.clone(),
                reason: m.error_reason.clone(),
            }),
            sent_at: m.sent_at,
            media: m.media.as_ref().map(|media| Media {
                url: format!(
                    "{}/api/v1/messages/{}/media",
                    public_url.trim_end_matches('/'),
                    m.message_id
                ),
                state: media.state.as_str().to_owned(),
                mime_type: media.mime_type.clone(),
                filename: media.filename.clone(),
                size: media.size,
            }),
            reply_to: m.quoted.as_ref().and_then(|q| q.message_id).map(|id| id.0),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Named {
    pub id: i64,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChatContact {
    pub id: i64,
    pub name: Option<String>,
    pub phone: Option<String>,
}

/// A chat (a conversation of one customer on one channel).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Chat {
    pub id: i64,
    pub channel: Named,
    pub contact: ChatContact,
    /// `bot`, `agent`, `paused` or `closed`.
    pub mode: String,
    pub assignee: Option<Named>,
    pub unread: i32,
    pub last_message_at: Option<DateTime<Utc>>,
    pub last_message_preview: Option<String>,
    pub last_customer_message_at: Option<DateTime<Utc>>,
}

impl From<&ChatSummary> for Chat {
    fn from(c: &ChatSummary) -> Chat {
        Chat {
            id: c.chat_id.0,
            channel: Named {
                id: c.channel_id.0,
                name: Some(c.channel_name.clone()),
            },
            contact: ChatContact {
                id: c.contact_id.0,
                name: c.contact_name.clone(),
                phone: c.contact_phone.clone(),
            },
            mode: c.mode.as_str().to_owned(),
            assignee: c.assigned_user_id.map(|id| Named {
                id: id.0,
                name: c.assigned_name.clone(),
            }),
            unread: c.unread_count,
            last_message_at: c.last_message_at,
            last_message_preview: c.last_message_preview.clone(),
            last_customer_message_at: c.last_customer_message_at,
        }
    }
}

/// A change of a chat: its mode, its assignee (a user id, or `null` to unassign), or both.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ChatChange {
    /// `bot`, `agent`, `paused` or `closed`.
    pub mode: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub assignee_id: Option<Option<i64>>,
}

/// A field that is present (even as `null`) is `Some`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

/// A customer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Contact {
    pub id: i64,
    pub phone: Option<String>,
    pub name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<inbox::db::contacts::ContactRow> for Contact {
    fn from(c: inbox::db::contacts::ContactRow) -> Contact {
        Contact {
            id: c.contact_id.0,
            phone: c.phone,
            name: c.name,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// A contact made or renamed by its number.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ContactInput {
    pub phone: String,
    pub name: Option<String>,
}

/// A channel (a WhatsApp number this inbox serves).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Channel {
    pub id: i64,
    pub name: String,
    /// `meta`, `whapi`, `sandbox`, …
    pub kind: String,
    pub phone: Option<String>,
    pub enabled: bool,
    /// `connected`, `disconnected`, `qr_ready`, `disabled` or `unknown`.
    pub state: String,
    /// The admins' default for calls that name no channel.
    pub default: bool,
}

/// A page of a list, and the cursor of the next one (absent on the last page).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub data: Vec<T>,
    pub next_cursor: Option<String>,
}

/// An error: `code` is stable (`invalid_phone`, `button_limit_exceeded`, `outside_24h_window`,
/// `rate_limited`, …), `field` names the part of the request at fault.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}
