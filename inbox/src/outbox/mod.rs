//! The outbox: messages we send (agent and bot replies) wait here until a provider has them.
//! The rows are written by `replies` in the transaction that stores the message; the
//! [`worker`] claims, sends, retries and records the outcome; read receipts and typing rows go
//! through the same workers (`signals.rs`).

pub mod callback;
mod outgoing;
mod signals;
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

impl OutboxSettings {
    /// A lease shorter than a send (plus a moment for its bookkeeping) would let a second
    /// worker claim a reply the first is still sending, and send it twice.
    pub fn check(&self, send_timeout: std::time::Duration) -> Result<(), String> {
        let least = send_timeout + std::time::Duration::from_secs(5);
        if self.lease < least {
            return Err(format!(
                "INBOX_OUTBOX_LEASE_SECS={} is shorter than a send may take ({} s, plus 5 s to \
                 record its result): a reply still being sent would be claimed again and sent \
                 twice. Use at least {}.",
                self.lease.as_secs(),
                send_timeout.as_secs(),
                least.as_secs()
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_lease_shorter_than_a_send_is_refused() {
        let send = Duration::from_secs(15);
        assert!(OutboxSettings::default().check(send).is_ok());
        let short = OutboxSettings {
            lease: Duration::from_secs(10),
            ..Default::default()
        };
        let err = short.check(send).unwrap_err();
        assert!(
            err.contains("INBOX_OUTBOX_LEASE_SECS=10") && err.contains("at least 20"),
            "{err}"
        );
    }
}
