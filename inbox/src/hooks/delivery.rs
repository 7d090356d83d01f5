//! Delivery: workers claim due deliveries (`FOR UPDATE SKIP LOCKED`, with a lease, one chat
//! at a time per endpoint), POST the signed body, and record the attempt. A 2xx delivers it; a
//! non-2xx or a timeout (10 s) schedules it again (exponential backoff with jitter) until a day
//! has passed, then it fails. An endpoint failing for an hour (`INBOX_WEBHOOK_PAUSE_AFTER_MINUTES`)
//! is paused until an admin enables it again.
//!
//! The body is `{"event", "data", "timestamp", "id"}`, built for each attempt with that
//! attempt's time; `X-Signature` is the lowercase hex HMAC-SHA256 of exactly those bytes under
//! the endpoint's secret, `X-Webhook-Id` the event's id (the same on every retry and endpoint,
//! for the receiver's dedup) and `X-Webhook-Timestamp` the time inside the body (for refusing
//! replays). A delivery is only marked delivered after a 2xx, so a receiver that answered may,
//! if this process dies before recording it, get the same `X-Webhook-Id` again: never a
//! different event twice.

use super::Hooks;
use crate::db::hooks::{self as db, Attempt, Claimed};
use crate::Error;
use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// How long a receiver may take to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// How much of an answer the log keeps.
const RESPONSE_BYTES: usize = 512;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivered {
    Idle,
    Delivered,
    Retrying,
    Failed,
}

/// The bytes sent for an event at `timestamp_ms` (what the signature covers).
pub fn body(event_id: i64, name: &str, data: &str, timestamp_ms: i64) -> String {
    let name = serde_json::Value::from(name);
    format!(
        r#"{{"event":{name},"data":{data},"timestamp":{timestamp_ms},"id":"{}"}}"#,
        event_key(event_id)
    )
}

/// The event's id on the wire (`X-Webhook-Id`).
pub fn event_key(event_id: i64) -> String {
    format!("evt_{event_id}")
}

/// Lowercase hex HMAC-SHA256 of `body` under `secret`.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

impl Hooks {
    /// The delay before attempt `attempts + 1`: base · 2^(attempts-1), capped, then a random
    /// 50–100 % of it.
    fn backoff(&self, attempts: i32) -> Duration {
        let exp = self
            .settings
            .retry_base
            .saturating_mul(1u32 << attempts.clamp(1, 20).saturating_sub(1));
        exp.min(self.settings.retry_max)
            .mul_f64(rand::rng().random_range(0.5..=1.0))
    }

    /// Claims one due delivery, sends it, records the attempt.
    pub async fn deliver_next(&self) -> Result<Delivered, Error> {
        let Some(job) = db::claim(&self.pool, TIMEOUT + Duration::from_secs(10)).await? else {
            return Ok(Delivered::Idle);
        };
        let started = Instant::now();
        let answer = self.post(&job).await;
        let latency_ms = started.elapsed().as_millis().min(i32::MAX as u128) as i32;
        metrics::histogram!("inbox_webhook_seconds").record(started.elapsed());
        let (status, response, error) = match &answer {
            Ok((status, text)) => (Some(i32::from(*status)), Some(text.as_str()), None),
            Err(e) => (None, None, Some(e.as_str())),
        };
        let attempt = Attempt {
            status,
            latency_ms,
            response,
            error,
        };
        let ok = matches!(answer, Ok((s, _)) if (200..300).contains(&s));
        let age = chrono::Utc::now() - job.first_attempt_at;
        let expired = age.to_std().unwrap_or_default() >= self.settings.give_up_after;
        let (next, failed, outcome) = match (ok, expired) {
            (true, _) => (None, false, Delivered::Delivered),
            (false, true) => (None, true, Delivered::Failed),
            (false, false) => (Some(self.backoff(job.attempts)), false, Delivered::Retrying),
        };
        let mut tx = self.pool.begin().await?;
        if !db::record(&mut tx, &job, &attempt, next, failed).await? {
            tracing::warn!(
                delivery = job.webhook_delivery_id,
                "answered after its lease ran out; the new claim decides"
            );
            return Ok(Delivered::Retrying);
        }
        if ok {
            db::endpoint_succeeded(&mut tx, job.webhook_endpoint_id).await?;
        } else {
            let reason = match (&status, &error) {
                (Some(s), _) => format!("HTTP {s}"),
                (None, Some(e)) => (*e).to_owned(),
                (None, None) => "no answer".to_owned(),
            };
            if db::endpoint_failed(
                &mut tx,
                job.webhook_endpoint_id,
                self.settings.pause_after,
                &reason,
            )
            .await?
            {
                tracing::warn!(endpoint = job.webhook_endpoint_id, %reason, "webhook endpoint paused after failing for too long");
                metrics::counter!("inbox_webhook_endpoints_paused_total").increment(1);
            }
        }
        tx.commit().await?;
        let label = match outcome {
            Delivered::Delivered => "delivered",
            Delivered::Retrying => "retrying",
            Delivered::Failed => "failed",
            Delivered::Idle => "idle",
        };
        metrics::counter!("inbox_webhook_deliveries_total", "result" => label).increment(1);
        tracing::debug!(
            delivery = job.webhook_delivery_id,
            attempt = job.attempts,
            ?status,
            result = label,
            "webhook attempt"
        );
        Ok(outcome)
    }

    /// POSTs the signed body: the answer's status and first bytes, or why there was none.
    async fn post(&self, job: &Claimed) -> Result<(u16, String), String> {
        let secret = self
            .open_secret(job.webhook_endpoint_id, &job.secret)
            .map_err(|e| format!("the endpoint's secret cannot be read: {e}"))?;
        // A name is resolved by the client's `PublicOnly`; an address is checked here.
        let target = super::guard::parse_target(&job.url, self.settings.allow_private)
            .map_err(|e| e.to_string())?;
        let now = chrono::Utc::now().timestamp_millis();
        let body = body(job.webhook_event_id, &job.name, &job.data, now);
        let signature = sign(&secret, body.as_bytes());
        let resp = self
            .http
            .post(target)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("X-Signature", signature)
            .header("X-Webhook-Id", event_key(job.webhook_event_id))
            .header("X-Webhook-Timestamp", now.to_string())
            .header("X-Webhook-Event", job.name.as_str())
            .timeout(TIMEOUT)
            .body(body)
            .send()
            .await
            .map_err(|e| transport(&e))?;
        let status = resp.status().as_u16();
        let mut first = Vec::new();
        let mut resp = resp;
        while first.len() < RESPONSE_BYTES {
            match resp.chunk().await {
                Ok(Some(chunk)) => first.extend_from_slice(&chunk),
                _ => break,
            }
        }
        first.truncate(RESPONSE_BYTES);
        Ok((status, String::from_utf8_lossy(&first).into_owned()))
    }

    /// Dispatches and delivers until `shutdown` resolves: one dispatcher and `workers` delivery
    /// loops, woken by `NOTIFY webhook_wakeup` and by the next retry falling due. At shutdown no
    /// new delivery is claimed and those in flight finish and are recorded.
    pub async fn run_until_stopped(self, shutdown: impl std::future::Future<Output = ()>) {
        let wake = Arc::new(Notify::new());
        let stopping = CancellationToken::new();
        let listener = tokio::spawn(crate::wakeup::listen(
            self.pool.clone(),
            db::WAKEUP_CHANNEL,
            wake.clone(),
        ));
        let mut loops = tokio::task::JoinSet::new();
        loops.spawn(self.clone().dispatch_loop(wake.clone(), stopping.clone()));
        for _ in 0..self.settings.workers {
            loops.spawn(self.clone().delivery_loop(wake.clone(), stopping.clone()));
        }
        shutdown.await;
        stopping.cancel();
        listener.abort();
        let bound = TIMEOUT + Duration::from_secs(5);
        if tokio::time::timeout(bound, async { while loops.join_next().await.is_some() {} })
            .await
            .is_err()
        {
            tracing::warn!("webhook deliveries still in flight at shutdown; their leases run out and they are retried");
            loops.abort_all();
        } else {
            tracing::info!("webhooks stopped; every delivery in flight was recorded");
        }
    }

    async fn dispatch_loop(self, wake: Arc<Notify>, stopping: CancellationToken) {
        let mut healed_at = Instant::now();
        while !stopping.is_cancelled() {
            if healed_at.elapsed() > Duration::from_secs(30) {
                healed_at = Instant::now();
                match db::heal_heads(&self.pool).await {
                    Ok(0) => {}
                    Ok(n) => tracing::warn!(
                        chats = n,
                        "webhook deliveries found without a head; made heads"
                    ),
                    Err(e) => tracing::warn!(error = %e, "checking webhook heads"),
                }
            }
            let notified = wake.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let nap = match self.dispatch_next().await {
                Ok(super::Dispatched::Made { .. }) => continue,
                Ok(super::Dispatched::Busy) => Duration::from_millis(100),
                Ok(super::Dispatched::Idle) => Duration::from_secs(1),
                Err(e) => {
                    tracing::error!(error = %e, "webhook dispatch failed; pausing");
                    Duration::from_secs(1)
                }
            };
            tokio::select! {
                _ = notified => {}
                _ = tokio::time::sleep(nap) => {}
                _ = stopping.cancelled() => {}
            }
        }
    }

    async fn delivery_loop(self, wake: Arc<Notify>, stopping: CancellationToken) {
        while !stopping.is_cancelled() {
            let notified = wake.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            match self.deliver_next().await {
                Ok(Delivered::Idle) => {
                    let nap = db::next_due_in(&self.pool)
                        .await
                        .ok()
                        .flatten()
                        .unwrap_or(Duration::from_secs(5))
                        .clamp(Duration::from_millis(10), Duration::from_secs(5));
                    tokio::select! {
                        _ = notified => {}
                        _ = tokio::time::sleep(nap) => {}
                        _ = stopping.cancelled() => {}
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(error = %e, "webhook delivery error; pausing");
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                        _ = stopping.cancelled() => {}
                    }
                }
            }
        }
    }
}

/// Why a request got no answer, in words for the log (never the URL's query).
fn transport(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        format!("no answer within {} s", TIMEOUT.as_secs())
    } else if e.is_connect() {
        let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
        let mut words = "could not connect".to_owned();
        while let Some(s) = source {
            words = format!("could not connect: {s}");
            source = s.source();
        }
        words
    } else {
        "the request failed".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_is_the_seeds_envelope_and_the_signature_covers_its_exact_bytes() {
        let data = r#"{"from":"6281298765432","text":"Halo"}"#;
        let b = body(42, "message.in", data, 1_760_000_000_123);
        assert_eq!(
            b,
            r#"{"event":"message.in","data":{"from":"6281298765432","text":"Halo"},"timestamp":1760000000123,"id":"evt_42"}"#
        );
        let parsed: serde_json::Value = serde_json::from_str(&b).unwrap();
        assert_eq!(parsed["data"]["text"], "Halo");
        // RFC 4231 test case 2.
        assert_eq!(
            sign(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
