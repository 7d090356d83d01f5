//! The data that crosses from the database to the browser (compiles to wasm): users and roles,
//! chats and messages, the bot's form, the [`Reason`] codes of refused requests and the
//! [`LiveEvent`] browsers receive. With the
//! `sqlx` feature (server only) the same types map to and from database rows.

pub mod api_keys;
pub mod channel;
pub mod hooks;
pub mod ids;
pub mod kinds;
pub mod live;
pub mod media;
pub mod phone;
pub mod reason;
pub mod templates;

pub use api_keys::{ApiKeyView, ApiSendView, CreatedApiKey, PlaygroundRequest, PlaygroundResult};
pub use channel::{
    ChannelConfig, ChannelHealth, ChannelOption, ChannelSettings, ChannelView, ChannelsPage,
    SecretHint, MAX_REPLY_DELAY_SECS,
};
pub use hooks::{CreatedWebhook, DeliveryView, WebhookView};
pub use ids::{ChannelId, ChatId, ContactId, MessageId, UserId};
pub use kinds::{
    ChannelKind, DeliveryState, Direction, EventKind, MediaProblem, MediaState, MessageKind, Mode,
    Role, SenderKind,
};
pub use live::{ChannelChange, LiveEvent, TypingShown};
pub use media::MediaView;
pub use reason::Reason;
pub use templates::{TemplateList, TemplateVariable, TemplateView};

use serde::{Deserialize, Serialize};

/// A user as the browser sees it (no password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct UserInfo {
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
}

impl UserInfo {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// What the login page needs to know before anyone is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupInfo {
    /// No user exists yet: show "create the first admin".
    pub needs_first_admin: bool,
    /// Demo mode: the login page shows the demo accounts.
    pub demo: bool,
}

/// One row of the chat list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct ChatSummary {
    pub chat_id: ChatId,
    pub channel_id: ChannelId,
    pub channel_kind: ChannelKind,
    pub channel_name: String,
    pub contact_id: ContactId,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub mode: Mode,
    pub assigned_user_id: Option<UserId>,
    pub assigned_name: Option<String>,
    pub unread_count: i32,
    pub last_message_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_message_preview: Option<String>,
    pub last_customer_message_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// One message as the conversation view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct MessageView {
    pub message_id: MessageId,
    pub chat_id: ChatId,
    pub direction: Direction,
    pub sender_kind: SenderKind,
    pub sender_name: Option<String>,
    /// The name of the API key it was sent through ("sent via API key 'Toko Online'").
    #[serde(default)]
    #[cfg_attr(feature = "sqlx", sqlx(default))]
    pub via_api: Option<String>,
    pub kind: MessageKind,
    pub body: Option<String>,
    pub status: DeliveryState,
    pub error_code: Option<String>,
    pub error_reason: Option<String>,
    pub sent_at: chrono::DateTime<chrono::Utc>,
    /// For system events (`sender_kind` = `system`): what happened, e.g.
    /// `{"event": "assign", "to": "Rina", "by": "Admin"}`.
    pub event: Option<serde_json::Value>,
    /// When the customer deleted this message for everyone (we keep what we stored).
    #[serde(default)]
    #[cfg_attr(feature = "sqlx", sqlx(default))]
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The file of a photo, voice note, video, document or sticker.
    #[serde(default)]
    #[cfg_attr(feature = "sqlx", sqlx(json(nullable)))]
    pub media: Option<MediaView>,
    /// The message this one quotes: a customer's reply to an earlier message, or an agent's
    /// reply to a customer's.
    #[serde(default)]
    #[cfg_attr(feature = "sqlx", sqlx(json(nullable)))]
    pub quoted: Option<Quoted>,
    /// The buttons or list of a message we sent with options.
    #[serde(default)]
    #[cfg_attr(feature = "sqlx", sqlx(json(nullable)))]
    pub interactive: Option<InteractiveView>,
    /// A customer's shared place.
    #[serde(default)]
    #[cfg_attr(feature = "sqlx", sqlx(json(nullable)))]
    pub location: Option<LocationView>,
    /// A customer's shared contact cards.
    #[serde(default)]
    #[cfg_attr(feature = "sqlx", sqlx(json))]
    pub contacts: Vec<ContactCardView>,
    /// The latest reaction to this message (its emoji): the customer's on ours, an agent's on
    /// theirs.
    #[serde(default)]
    #[cfg_attr(feature = "sqlx", sqlx(default))]
    pub reaction: Option<String>,
}

/// The sandbox phone's conversation: its messages, and how far the business has read the
/// customer's (the phone shows blue ticks on the customer's messages up to there).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxThread {
    pub messages: Vec<MessageView>,
    /// The newest customer message whose read receipt the business's side has delivered.
    pub read_up_to: Option<MessageId>,
    /// "Typing…" shows for this many more milliseconds: the provider took our "typing…" and no
    /// message of ours nor a stop has followed it yet.
    pub typing_for_ms: Option<u32>,
}

/// The emoji an agent can react with (WhatsApp takes any; a short list keeps the picker small).
pub const REACTIONS: [&str; 6] = ["👍", "🙏", "❤️", "😂", "😮", "😢"];

/// A place a customer shared; the coordinates as decimal numbers in text (for the map link).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocationView {
    pub latitude: String,
    pub longitude: String,
    pub name: Option<String>,
    pub address: Option<String>,
}

impl LocationView {
    /// The place on a map (Google Maps, which Indonesian phones open in its app).
    pub fn map_url(&self) -> Option<String> {
        let lat: f64 = self.latitude.parse().ok()?;
        let lon: f64 = self.longitude.parse().ok()?;
        Some(format!(
            "https://www.google.com/maps/search/?api=1&query={lat},{lon}"
        ))
    }
}

/// A place's words: its name and address, else its coordinates.
pub fn join_place(l: &LocationView) -> String {
    let words: Vec<&str> = [l.name.as_deref(), l.address.as_deref()]
        .into_iter()
        .flatten()
        .filter(|w| !w.trim().is_empty())
        .collect();
    if words.is_empty() {
        format!("{}, {}", l.latitude, l.longitude)
    } else {
        words.join(", ")
    }
}

/// A contact card a customer shared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactCardView {
    pub name: Option<String>,
    pub phones: Vec<String>,
}

/// What a message with options offered, as its bubble shows it (numbered, the way a customer
/// without buttons reads and answers it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InteractiveView {
    /// A list's button (that opens it); `None` for reply buttons.
    pub button: Option<String>,
    pub options: Vec<ChoiceView>,
}

/// Buttons or a list an agent composed: `button` set makes it a list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionsForm {
    /// The message above the options.
    pub body: String,
    /// A list's button (that opens it); `None` for reply buttons.
    #[serde(default)]
    pub button: Option<String>,
    pub options: Vec<ChoiceView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceView {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// The message a reply quotes, as the bubble shows it above the reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quoted {
    /// `None` when the quoted message is not stored here (older than this inbox, or deleted).
    pub message_id: Option<MessageId>,
    pub kind: Option<MessageKind>,
    /// Its first 200 characters.
    pub body: Option<String>,
    /// Whether the customer wrote it (else the business did).
    #[serde(default)]
    pub from_customer: bool,
}

/// What the composer of a chat can send besides text, from its channel's abilities.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendOptions {
    /// The files the channel carries, each with its largest size; empty when it carries none.
    pub files: Vec<FileRule>,
    /// A reply can quote a message (the customer sees the quote).
    pub quotes: bool,
    /// Buttons and lists go out as such (else as a numbered menu, which the composer does not
    /// offer).
    #[serde(default)]
    pub interactive: bool,
    /// An agent can react to a customer's message.
    #[serde(default)]
    pub reactions: bool,
}

/// One file type an agent may send, and its largest size (WhatsApp's limit for its kind).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRule {
    pub mime_type: String,
    pub max_bytes: u64,
}

impl SendOptions {
    /// The rule for a file of `mime_type` (parameters after `;` ignored), if the channel takes it.
    pub fn rule(&self, mime_type: &str) -> Option<&FileRule> {
        let essence = mime_type.split(';').next().unwrap_or_default().trim();
        self.files
            .iter()
            .find(|r| r.mime_type.eq_ignore_ascii_case(essence))
    }

    /// The file picker's `accept`.
    pub fn accept(&self) -> String {
        self.files
            .iter()
            .map(|r| r.mime_type.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// An alert about a provider account (Meta `account_update`: a restriction, a violation, a
/// disabled number), for admins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct AccountAlert {
    pub provider: String,
    pub account_id: String,
    /// `ACCOUNT_RESTRICTION`, `ACCOUNT_VIOLATION`, `DISABLED_UPDATE`, …
    pub event: String,
    pub detail: Option<String>,
    pub received_at: chrono::DateTime<chrono::Utc>,
}

/// Which chats the list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tab {
    Mine,
    Unassigned,
    #[default]
    All,
}

impl Tab {
    pub fn parse(s: &str) -> Option<Tab> {
        match s {
            "mine" => Some(Tab::Mine),
            "unassigned" => Some(Tab::Unassigned),
            "all" => Some(Tab::All),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Tab::Mine => "mine",
            Tab::Unassigned => "unassigned",
            Tab::All => "all",
        }
    }
}

/// A page of the chat list and the cursor of the next one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatPage {
    pub chats: Vec<ChatSummary>,
    /// Pass back as `before_at`/`before_id` for the next page; `None` on the last page.
    pub next: Option<(chrono::DateTime<chrono::Utc>, ChatId)>,
}

/// The customer panel beside a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct CustomerInfo {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub first_contact_at: chrono::DateTime<chrono::Utc>,
    pub chat_count: i64,
}

/// A conversation as the view opens it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    pub chat: ChatSummary,
    pub customer: CustomerInfo,
    /// Oldest first; `has_older` says whether a page before the first exists.
    pub messages: Vec<MessageView>,
    pub has_older: bool,
    /// What the composer offers besides text (filled in by the server function, which knows
    /// the channel's adapter).
    #[serde(default)]
    pub sending: SendOptions,
}

/// An assignee choice for the admin's "Assign to" list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct Assignee {
    pub user_id: UserId,
    pub display_name: String,
}

/// The bot's settings as the admin form shows them (plain strings; the server parses them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotForm {
    pub enabled: bool,
    pub fallback_reply: String,
    pub out_of_office_reply: String,
    /// Comma-separated.
    pub handover_keywords: String,
    pub handover_reply: String,
    pub hours_enabled: bool,
    pub time_zone: String,
    /// Monday first: ("08:00", "17:00"), or ("", "") for closed.
    pub days: Vec<(String, String)>,
    pub rules: Vec<BotRuleView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotRuleView {
    pub id: i64,
    pub keyword: String,
    /// `exact` or `contains`.
    pub match_type: String,
    pub reply: String,
    pub enabled: bool,
    /// The options under the reply, by title (one per line in the form).
    #[serde(default)]
    pub buttons: Vec<String>,
}
