//! The inbox backend: everything between a provider's webhook or a server function and
//! PostgreSQL, with no web framework in it. `app` (server functions) and `server` (the binary,
//! its HTTP handlers) call into it; it never calls back out.
//!
//! Two layers. [`db`] is SQL only, one file per table group: functions take a connection or a
//! transaction and return rows or typed values; they build no text and decide nothing. The
//! services above it own the decisions, and each worker lives beside the logic it runs:
//!
//! - [`ingest`]: a verified, parsed webhook body → stored exactly once (with the bot's answer),
//!   and [`ingest::queue`], the group commit that stores bodies arriving together in one
//!   transaction.
//! - [`replies`]: an agent's (or the bot's) reply → a message and its outbox row, in one
//!   transaction; Retry; the 24-hour rule.
//! - [`conversations`]: reading a chat and its pages of messages, marking it read.
//! - [`search`]: how the chat list's search looks up message text (the index by the rarer
//!   words, or the newest chats first for common ones).
//! - [`chat_changes`]: the chat state machine — who may move a chat to which mode or assignee
//!   ([`chat_changes::rules`]), and the writes, audit and system events of each change.
//! - [`accounts`]: users, the first-admin and last-admin rules, passwords (argon2id) and
//!   sessions ([`accounts::sessions`]), login throttling.
//! - [`bot`]: the bot in the ingest path and its settings form
//!   ([`bot::form`]); the decisions themselves are in the `bot` crate.
//! - [`outbox`]: the worker that delivers queued messages to the providers, with retries.
//! - [`receipts`]: read receipts when an agent opens a chat, "typing…" while an agent types or
//!   the bot waits out its reply delay; both through the outbox.
//! - [`media`]: customers' files fetched from the providers through a durable queue, kept in
//!   the content-addressed media store, evicted oldest first past the installation's limit.
//! - [`live`]: the hub that turns `NOTIFY inbox_events` into a stream per browser.
//! - [`assignment`]: auto-assignment and presence, and its worker.
//! - [`api_keys`]: keys for other software, hashed, rate limited, revoked at once.
//! - [`platform`]: what other software does through a key: sends to a number (with
//!   `Idempotency-Key`), the channel a call is for, reading chats, messages and contacts.
//! - [`hooks`]: outbound webhooks: events fanned out from the live events, signed, delivered
//!   in order per chat with retries, endpoints paused when they keep failing.
//! - [`channels`]: the channel registry, each channel's provider adapter, credentials
//!   encrypted at rest, the sandbox adapter.
//! - [`demo`]: the demo's sample rules and chats.
//! - [`error`]: [`Error`], the one error type of this crate.

pub mod accounts;
pub mod api_keys;
pub mod assignment;
pub mod bot;
pub mod channels;
pub mod chat_changes;
pub mod conversations;
pub mod db;
pub mod demo;
pub mod error;
pub mod hooks;
pub mod ingest;
pub mod live;
pub mod media;
pub mod outbox;
pub mod platform;
pub mod receipts;
pub mod replies;
pub mod search;
pub mod templates;
mod wakeup;

pub use error::{Error, Result};

/// The migrations in `migrations/`, embedded at compile time; used at start-up and by tests.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");
