//! Outbound webhooks: other software (a shop's order system) learns what happened at endpoints
//! an admin registered — customers' messages and taps, our sends and their delivery states,
//! chats handed over or closed, channels connecting or dropping — signed like the gateway it
//! replaces signs them, in order per chat, retried for a day, never lost.
//!
//! - [`events`]: which webhook events a live event makes, and their data.
//! - [`dispatch`]: pending live events → webhook events and a delivery per endpoint, one
//!   transaction.
//! - [`delivery`]: the workers: claim, sign, POST, record the attempt, retry or fail, pause an
//!   endpoint that keeps failing.
//! - [`guard`]: targets on the public internet only (unless `INBOX_WEBHOOK_ALLOW_PRIVATE`).
//!
//! This file: the settings, and what the Webhooks page (and a script through the fixed
//! server-function endpoints) does with endpoints: add (secret generated or given, sealed at
//! rest), list, enable (which resumes a paused one), disable, delete, send a test event,
//! redeliver a delivery, read the delivery log.

pub mod delivery;
pub mod dispatch;
pub mod events;
pub mod guard;

pub use delivery::Delivered;
pub use dispatch::Dispatched;

use crate::channels::Keys;
use crate::db::hooks as db;
use crate::Error;
use model::{CreatedWebhook, DeliveryView, Reason, UserInfo, WebhookView};
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;

/// `INBOX_WEBHOOK_*`.
#[derive(Debug, Clone)]
pub struct HookSettings {
    /// `INBOX_WEBHOOK_WORKERS` (default 4): deliveries in flight at once per server process.
    pub workers: usize,
    /// `INBOX_WEBHOOK_RETRY_BASE_MS` (default 1000): the first retry's delay; it doubles.
    pub retry_base: Duration,
    /// `INBOX_WEBHOOK_RETRY_MAX_SECS` (default 3600): the longest delay between attempts.
    pub retry_max: Duration,
    /// A delivery still failing this long after its event fails for good (a day).
    pub give_up_after: Duration,
    /// `INBOX_WEBHOOK_PAUSE_AFTER_MINUTES` (default 60): an endpoint failing this long without
    /// a success is paused.
    pub pause_after: Duration,
    /// `INBOX_WEBHOOK_ALLOW_PRIVATE` (default false): targets on private and loopback
    /// addresses are allowed (tests; an installation whose receivers are on its own network).
    pub allow_private: bool,
    /// Where links in events (a message's file) point: `INBOX_PUBLIC_URL`, else the server's
    /// own address.
    pub public_url: String,
}

impl Default for HookSettings {
    fn default() -> Self {
        HookSettings {
            workers: 4,
            retry_base: Duration::from_secs(1),
            retry_max: Duration::from_secs(3600),
            give_up_after: Duration::from_secs(24 * 3600),
            pause_after: Duration::from_secs(3600),
            allow_private: false,
            public_url: "http://127.0.0.1:3000".into(),
        }
    }
}

/// Outbound webhooks: the endpoints' operations, the dispatcher and the delivery workers.
#[derive(Clone)]
pub struct Hooks {
    pool: PgPool,
    keys: Arc<Keys>,
    http: reqwest::Client,
    pub settings: HookSettings,
}

/// The secret's `aad`: sealed secrets are bound to their endpoint.
fn aad(id: i64) -> Vec<u8> {
    format!("webhook-endpoint:{id}").into_bytes()
}

/// The longest secret accepted, and the shortest.
const SECRET_CHARS: std::ops::RangeInclusive<usize> = 16..=256;

impl Hooks {
    pub fn new(pool: PgPool, keys: Keys, settings: HookSettings) -> anyhow::Result<Hooks> {
        let mut http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            // A proxy from the environment would resolve names itself, past the guard.
            .no_proxy()
            .user_agent(concat!("inbox-webhooks/", env!("CARGO_PKG_VERSION")));
        if !settings.allow_private {
            http = http.dns_resolver(guard::PublicOnly);
        }
        Ok(Hooks {
            pool,
            keys: Arc::new(keys),
            http: http.build()?,
            settings,
        })
    }

    /// At start-up after a rotation of `INBOX_SECRET_KEY`: endpoints' secrets sealed under the
    /// previous key are sealed again under the new one. One that no key opens is reported (its
    /// deliveries fail with that reason until an admin adds the endpoint again).
    pub async fn reseal(&self) -> Result<(), Error> {
        let mut resealed = 0;
        for row in db::endpoints(&self.pool).await? {
            match self
                .keys
                .reseal_bytes(&aad(row.webhook_endpoint_id), &row.secret)
            {
                Ok(None) => {}
                Ok(Some(sealed)) => {
                    let mut conn = self.pool.acquire().await?;
                    db::set_secret(&mut conn, row.webhook_endpoint_id, &sealed).await?;
                    resealed += 1;
                }
                Err(e) => {
                    tracing::error!(endpoint = row.webhook_endpoint_id, error = %e, "a webhook endpoint's secret cannot be read with the configured keys")
                }
            }
        }
        if resealed > 0 {
            tracing::info!(
                endpoints = resealed,
                "webhook secrets sealed again under the new secret key"
            );
        }
        Ok(())
    }

    /// The client for URLs other people give us (webhook targets, a file's link in an API
    /// send): public addresses only (unless allowed), no redirects.
    pub fn guarded_http(&self) -> &reqwest::Client {
        &self.http
    }

    fn open_secret(&self, id: i64, sealed: &[u8]) -> anyhow::Result<Vec<u8>> {
        self.keys.open_bytes(&aad(id), sealed)
    }

    /// Adds an endpoint: `url` (checked: http(s), public unless allowed), `secret` (generated
    /// when empty), `events` (each one known; empty: all). The secret is answered in full,
    /// this once.
    pub async fn create(
        &self,
        by: &UserInfo,
        url: &str,
        secret: Option<&str>,
        events: &[String],
    ) -> Result<CreatedWebhook, Error> {
        let url = guard::check_url(url, self.settings.allow_private)
            .await
            .map_err(|e| {
                let reason = match e {
                    guard::Refused::Private(_) => Reason::WebhookUrlPrivate,
                    _ => Reason::UrlInvalid,
                };
                Error::invalid("url", reason)
            })?
            .to_string();
        let mut wanted: Vec<String> = Vec::new();
        for e in events.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
            if !events::NAMES.contains(&e) {
                return Err(Error::invalid("events", Reason::WebhookEventUnknown));
            }
            if !wanted.iter().any(|w| w == e) {
                wanted.push(e.to_owned());
            }
        }
        let secret = match secret.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) if SECRET_CHARS.contains(&s.chars().count()) => s.to_owned(),
            Some(_) => return Err(Error::invalid("secret", Reason::WebhookSecretLength)),
            None => format!("whsec_{}", crate::channels::credentials::new_secret()),
        };
        let mut tx = self.pool.begin().await?;
        let id = db::insert_endpoint(&mut tx, &url, &wanted, by.user_id).await?;
        let sealed = self.keys.seal_bytes(&aad(id), secret.as_bytes())?;
        db::set_secret(&mut tx, id, &sealed).await?;
        tx.commit().await?;
        tracing::info!(endpoint = id, by = %by.username, events = wanted.len(), "webhook endpoint added");
        Ok(CreatedWebhook { id, secret })
    }

    pub async fn list(&self) -> Result<Vec<WebhookView>, Error> {
        Ok(db::endpoints(&self.pool)
            .await?
            .into_iter()
            .map(|row| {
                let last4 = self
                    .open_secret(row.webhook_endpoint_id, &row.secret)
                    .ok()
                    .and_then(|s| String::from_utf8(s).ok())
                    .filter(|s| s.chars().count() >= 12)
                    .map(|s| s.chars().skip(s.chars().count() - 4).collect());
                WebhookView {
                    id: row.webhook_endpoint_id,
                    url: row.url,
                    events: row.events,
                    enabled: row.enabled,
                    failing_since: row.failing_since,
                    paused_at: row.paused_at,
                    pause_reason: row.pause_reason,
                    secret_last4: last4,
                    created_at: row.created_at,
                }
            })
            .collect())
    }

    /// Enables an endpoint (a paused one resumes, from a clean slate) or disables it.
    pub async fn set_enabled(&self, id: i64, enabled: bool) -> Result<(), Error> {
        if !db::set_enabled(&self.pool, id, enabled).await? {
            return Err(Error::NotFound);
        }
        if enabled {
            db::wake(&mut *self.pool.acquire().await?).await?;
        }
        tracing::info!(endpoint = id, enabled, "webhook endpoint switched");
        Ok(())
    }

    pub async fn delete(&self, id: i64) -> Result<(), Error> {
        if !db::delete_endpoint(&self.pool, id).await? {
            return Err(Error::NotFound);
        }
        tracing::info!(endpoint = id, "webhook endpoint deleted");
        Ok(())
    }

    /// "Send test event": a `webhook.test` event to this endpoint only.
    pub async fn send_test(&self, id: i64) -> Result<(), Error> {
        if db::endpoint(&self.pool, id).await?.is_none() {
            return Err(Error::NotFound);
        }
        let data = serde_json::json!({
            "message": "A test event from the inbox: this endpoint receives webhooks.",
            "timestamp": chrono::Utc::now().timestamp_millis(),
        })
        .to_string();
        let mut tx = self.pool.begin().await?;
        db::insert_event(&mut tx, events::TEST, None, &data, &[id]).await?;
        db::wake(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// "Redeliver": the delivery's event again to its endpoint, with the same `X-Webhook-Id`.
    pub async fn redeliver(&self, delivery_id: i64) -> Result<(), Error> {
        let (endpoint, event) = db::delivery_target(&self.pool, delivery_id)
            .await?
            .ok_or(Error::NotFound)?;
        let mut tx = self.pool.begin().await?;
        db::insert_delivery(&mut tx, endpoint, event).await?;
        db::wake(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The endpoint's latest deliveries, newest first.
    pub async fn log(&self, id: i64, limit: i64) -> Result<Vec<DeliveryView>, Error> {
        Ok(db::log(&self.pool, id, limit)
            .await?
            .into_iter()
            .map(|r| DeliveryView {
                id: r.webhook_delivery_id,
                event_id: delivery::event_key(r.webhook_event_id),
                event: r.event,
                state: r.state,
                attempts: r.attempts,
                created_at: r.created_at,
                last_at: r.last_at,
                http_status: r.http_status,
                latency_ms: r.latency_ms,
                response: r.response,
                error: r.error,
            })
            .collect())
    }
}
