//! Message templates as the composer's picker shows them (Meta's approved templates, synced
//! from the business account).

use serde::{Deserialize, Serialize};

/// One template of a channel, with what the agent fills in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateView {
    pub name: String,
    pub language: String,
    /// `MARKETING`, `UTILITY`, `AUTHENTICATION`.
    pub category: String,
    /// `APPROVED`, `PAUSED`, …: only approved ones can be sent.
    pub status: String,
    /// The body as written, with its `{{1}}` variables.
    pub body: String,
    /// Each value to fill in, in order.
    pub variables: Vec<TemplateVariable>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateVariable {
    /// `header.1`, `header.media`, `body.1`, `body.first_name`, `button.0`.
    pub key: String,
    /// `{{1}}`, `{{first_name}}`, `image URL`, a button's text.
    pub label: String,
    /// Meta's sample value, for the placeholder.
    pub example: Option<String>,
}

/// A channel's templates, and when they were last synced from the provider.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateList {
    pub templates: Vec<TemplateView>,
    pub synced_at: Option<chrono::DateTime<chrono::Utc>>,
}
