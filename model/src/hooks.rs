//! Outbound webhooks as the admins' Webhooks page sees them: the endpoints (never their
//! secret, after the one answer that creates it), and each one's delivery log.

use chrono::{DateTime, Utc};

/// Every event an endpoint can ask for.
pub const EVENTS: [&str; 9] = [
    "message.in",
    "message.out",
    "message.status",
    "interaction.button",
    "interaction.list",
    "connection.update",
    "chat.mode_changed",
    "chat.assigned",
    "chat.closed",
];
use serde::{Deserialize, Serialize};

/// One endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookView {
    pub id: i64,
    pub url: String,
    /// The events it gets; empty: every event.
    pub events: Vec<String>,
    pub enabled: bool,
    /// Failing without a success since then.
    pub failing_since: Option<DateTime<Utc>>,
    /// Paused after failing for too long (until enabled again), and why.
    pub paused_at: Option<DateTime<Utc>>,
    pub pause_reason: Option<String>,
    /// The secret's last four characters.
    pub secret_last4: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The answer that creates an endpoint: its id, and its secret in full, this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedWebhook {
    pub id: i64,
    pub secret: String,
}

/// One delivery of an event to an endpoint, with its latest attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryView {
    pub id: i64,
    /// `X-Webhook-Id` (`evt_…`).
    pub event_id: String,
    pub event: String,
    /// `pending`, `delivered` or `failed`.
    pub state: String,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub last_at: Option<DateTime<Utc>>,
    pub http_status: Option<i32>,
    pub latency_ms: Option<i32>,
    /// The first bytes of the answer.
    pub response: Option<String>,
    /// Why there was no answer.
    pub error: Option<String>,
}
