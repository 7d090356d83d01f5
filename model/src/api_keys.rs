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
