//! The outbox: messages we send (agent and bot replies) wait here until a provider has them.
//! The rows are written by `replies` in the transaction that stores the message; the
//! [`worker`] claims, sends, retries and records the outcome.

pub mod callback;
pub mod worker;

pub use callback::Callback;
pub use worker::{Outbox, Outcome};

/// How the outbox retries (`INBOX_OUTBOX_*`).
#[derive(Debug, Clone)]
pub struct OutboxSettings {
    /// `INBOX_OUTBOX_WORKERS` (default 4): sends in flight at once per server process.
    pub workers: usize,
    /// `INBOX_OUTBOX_MAX_ATTEMPTS` (default 10): then the message fails with the last reason.
    pub max_attempts: i32,
    /// `INBOX_OUTBOX_RETRY_BASE_MS` (default 1000): the first retry's delay; it doubles each time.
    pub retry_base: std::time::Duration,
    /// `INBOX_OUTBOX_RETRY_MAX_SECS` (default 300): the longest delay between two attempts.
    pub retry_max: std::time::Duration,
    /// `INBOX_OUTBOX_LEASE_SECS` (default 60): after this a send in flight counts as lost.
    pub lease: std::time::Duration,
}

impl Default for OutboxSettings {
    fn default() -> Self {
        OutboxSettings {
            workers: 4,
            max_attempts: 10,
            retry_base: std::time::Duration::from_millis(1000),
            retry_max: std::time::Duration::from_secs(300),
            lease: std::time::Duration::from_secs(60),
        }
    }
}
