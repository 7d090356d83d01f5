//! SQL, one file per table group. Functions take a pool or `&mut PgConnection`; callers own
//! transaction boundaries.

pub mod api_keys;
pub mod attachments;
pub mod bot_rules;
pub mod channels;
pub mod chat_audit;
pub mod chats;
pub mod contacts;
pub mod events;
pub mod hooks;
pub mod idempotency;
pub mod login_failures;
pub mod messages;
pub mod outbox;
pub mod provider_events;
pub mod sessions;
pub mod settings;
pub mod templates;
pub mod users;
