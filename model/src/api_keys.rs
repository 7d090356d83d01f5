//! API keys as the admins' page (and scripts) see them: never the key itself, except once in
//! [`CreatedApiKey`] when it is made.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct ApiKeyView {
    pub api_key_id: i64,
    pub name: String,
    /// The key's first characters, to recognise it (`ik_3f9a1c…`).
    pub prefix: String,
    /// The channels it may use; `None`: every channel.
    pub channel_ids: Option<Vec<i64>>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A key just made: `key` is the whole key, shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedApiKey {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub key: String,
}

/// One message sent through an API key (or the playground, which sends as a key), as the
/// playground's log shows it; its state follows live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct ApiSendView {
    pub message_id: crate::MessageId,
    pub key_name: String,
    pub channel_name: String,
    pub to: Option<String>,
    pub kind: crate::MessageKind,
    pub body: Option<String>,
    pub status: crate::DeliveryState,
    pub error_reason: Option<String>,
    pub sent_at: DateTime<Utc>,
}

/// What the playground sends: through a key, to a number on a channel.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaygroundRequest {
    pub api_key_id: i64,
    pub channel_id: i64,
    pub to: String,
    /// `text`, `image`, `document`, `buttons` or `list`.
    pub kind: String,
    /// The text, or a file's caption, or the text above buttons or a list.
    pub text: String,
    /// A file as base64 (as the gateways take it), with its name and type.
    #[serde(default)]
    pub file_base64: Option<String>,
    #[serde(default)]
    pub file_name: Option<String>,
    #[serde(default)]
    pub file_type: Option<String>,
    /// Buttons' or rows' titles.
    #[serde(default)]
    pub options: Vec<String>,
    /// A list's button.
    #[serde(default)]
    pub list_button: Option<String>,
}

/// What the playground's send did: the messages queued, or the API's error (its code and
/// message, as a script would get them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaygroundResult {
    pub ok: bool,
    pub message_ids: Vec<crate::MessageId>,
    /// The API's answer, as JSON text.
    pub answer: String,
}
