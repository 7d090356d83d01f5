//! `Idempotency-Key` on sends: a client that retries after a timeout never makes a customer
//! receive a message twice. The first answer to (API key, Idempotency-Key) is kept for 24
//! hours and given again to a retry with the same request; a retry with another request is
//! refused (422).
//!
//! The key's row is inserted in the send's own transaction, before the send, and its answer
//! written before the commit ([`begin`], [`finish`]). A concurrent retry's insert waits on the
//! row's primary key until the first transaction ends: after a commit it reads the answer; after
//! a rollback (the send failed on our side) it sends itself. So however many retries race, one
//! message is stored and one provider call made.

use crate::db::idempotency as db;
use crate::Error;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;

/// How long an answer is kept.
pub const KEPT_FOR: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// The longest key accepted.
pub const MAX_KEY_CHARS: usize = 255;

/// What the key says about this request.
#[derive(Debug, Clone, PartialEq)]
pub enum Begun {
    /// First time (or the earlier answer has expired): send, then [`finish`].
    New,
    /// Answered before: the same answer again, nothing sent.
    Replay {
        status: u16,
        body: serde_json::Value,
    },
    /// The key was used for another request.
    Mismatch,
}

/// The request's fingerprint: its method, path and exact body.
pub fn fingerprint(method: &str, path: &str, body: &[u8]) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update([0]);
    h.update(path.as_bytes());
    h.update([0]);
    h.update(body);
    h.finalize().to_vec()
}

/// Claims `key` for this request inside the send's transaction (waiting for a concurrent
/// request with the same key to end), or finds its earlier answer.
pub async fn begin(
    tx: &mut PgConnection,
    api_key_id: i64,
    key: &str,
    fingerprint: &[u8],
) -> Result<Begun, Error> {
    if db::claim(&mut *tx, api_key_id, key, fingerprint, KEPT_FOR).await? {
        return Ok(Begun::New);
    }
    let earlier = db::find(&mut *tx, api_key_id, key)
        .await?
        .ok_or_else(|| Error::Other(anyhow::anyhow!("idempotency key vanished while claimed")))?;
    if earlier.request_hash != fingerprint {
        return Ok(Begun::Mismatch);
    }
    match (earlier.status, earlier.response) {
        (Some(status), Some(body)) => Ok(Begun::Replay {
            status: u16::try_from(status).unwrap_or(500),
            body,
        }),
        _ => Err(Error::Other(anyhow::anyhow!(
            "idempotency key committed without its answer"
        ))),
    }
}

/// Keeps the answer, in the same transaction as the send.
pub async fn finish(
    tx: &mut PgConnection,
    api_key_id: i64,
    key: &str,
    status: u16,
    body: &serde_json::Value,
) -> Result<(), Error> {
    db::answer(
        &mut *tx,
        api_key_id,
        key,
        i16::try_from(status).unwrap_or(500),
        body,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::fingerprint;

    #[test]
    fn a_fingerprint_covers_method_path_and_body() {
        let a = fingerprint("POST", "/send-message", br#"{"to":"1"}"#);
        assert_eq!(a, fingerprint("POST", "/send-message", br#"{"to":"1"}"#));
        assert_ne!(a, fingerprint("POST", "/send-message", br#"{"to":"2"}"#));
        assert_ne!(a, fingerprint("POST", "/api/v1/messages", br#"{"to":"1"}"#));
        assert_ne!(
            fingerprint("POST", "/a", b"b/c"),
            fingerprint("POST", "/a/b", b"c"),
            "parts cannot run into each other"
        );
    }
}
