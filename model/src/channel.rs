//! A channel as the admins' Channels page sees it: what it is, how it is doing, and its
//! per-channel behaviour. Secrets never appear here, only whether one is set (and its last
//! four characters).

use crate::{ChannelId, ChannelKind};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The longest bot reply delay an admin can set.
pub const MAX_REPLY_DELAY_SECS: u8 = 10;

/// Per-channel behaviour (`channel.settings`); absent keys take their defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct ChannelSettings {
    /// Opening a chat marks the customer's latest message read at the provider (blue ticks).
    pub read_receipts: bool,
    /// The customer sees "typing…" while an agent types.
    pub typing: bool,
    /// The bot answers on this channel (when the bot is on at all).
    pub bot: bool,
    /// Seconds the bot waits (showing "typing…") before it answers, 0–10.
    pub reply_delay_secs: u8,
}

impl Default for ChannelSettings {
    fn default() -> Self {
        ChannelSettings {
            read_receipts: true,
            typing: true,
            bot: true,
            reply_delay_secs: 0,
        }
    }
}

/// What the last "Test connection" found.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ChannelHealth {
    /// Never tested.
    Untested,
    /// The provider answered: `summary` is who the number is ("Toko Sinar, +62 812…, GREEN").
    Connected { summary: String, at: DateTime<Utc> },
    /// The test failed: `failure` is a stable code (`wrong_token`, `wrong_number`, `timeout`,
    /// `unreachable`, `not_connected`, `missing_permission`, `rate_limited`, `other`) the page
    /// translates, `detail` the provider's own words.
    Failed {
        failure: String,
        detail: String,
        at: DateTime<Utc>,
    },
    /// The stored credentials cannot be decrypted with the configured keys.
    Unreadable,
}

/// A secret of a channel as the page may show it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SecretHint {
    /// Which field (`access_token`, `app_secret`, `token`).
    pub field: String,
    /// Its last four characters (nothing when it is shorter than 12).
    pub last4: Option<String>,
}

/// The non-secret settings of a channel, per kind, as the edit form shows them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChannelConfig {
    Meta {
        phone_number_id: String,
        business_account_id: String,
        graph_url: String,
        /// The token Meta's webhook handshake must present: the admin pastes it into Meta.
        verify_token: String,
    },
    Whapi {
        base_url: String,
    },
    Sandbox,
}

/// One row of the Channels page.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ChannelView {
    pub channel_id: ChannelId,
    pub kind: ChannelKind,
    pub name: String,
    pub display_phone: Option<String>,
    pub enabled: bool,
    /// Described by environment variables: read-only on the page.
    pub from_env: bool,
    pub health: ChannelHealth,
    pub last_webhook_at: Option<DateTime<Utc>>,
    pub last_send_at: Option<DateTime<Utc>>,
    /// The path of its webhook URL (`/webhooks/{key}`); the page puts the host in front.
    pub webhook_path: Option<String>,
    pub config: Option<ChannelConfig>,
    pub secrets: Vec<SecretHint>,
    pub settings: ChannelSettings,
    /// Chats on this channel (a channel with chats can be disabled, not deleted).
    pub chats: i64,
    /// The API's channel for calls that name none (marked by an admin; at most one).
    #[serde(default)]
    pub api_default: bool,
}

/// The Channels page: every channel, and the address webhook URLs start with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelsPage {
    /// `INBOX_PUBLIC_URL`, else the scheme and host this page was asked for.
    pub base_url: String,
    pub channels: Vec<ChannelView>,
}

/// A channel as the chat list's filter offers it (every signed-in user sees these).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct ChannelOption {
    pub channel_id: ChannelId,
    pub name: String,
    pub enabled: bool,
}
