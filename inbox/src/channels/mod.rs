//! The channel registry. The `channel` table is the one source of truth; every server process
//! holds each channel's adapter (built from its decrypted credentials) in memory, and reloads a
//! channel when it changes: admins' changes are announced as `channel.changed` events over the
//! live NOTIFY path ([`Channels::follow`]). Nothing outside the adapters (and this module's
//! [`credentials`]) knows which kind a channel is.
//!
//! - [`startup`]: channels from the environment, the sandbox, key rotation.
//! - [`admin`]: what the Channels page does (add, edit, test, disable, delete).
//! - [`activity`]: the last webhook and last send of each channel, written in batches.

pub mod activity;
pub mod admin;
pub mod credentials;
pub mod crypto;
pub mod sandbox;
mod startup;

pub use credentials::{Credentials, MetaEnv, WhapiEnv};
pub use startup::Keys;

use crate::db::channels::{self, ChannelRow};
use crate::live::{Delivery, Hub};
use anyhow::Context;
use model::{ChannelId, ChannelKind, ChannelSettings, EventKind};
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use whatsapp::Provider;

/// One channel as this process serves it.
#[derive(Debug)]
pub struct Channel {
    pub id: ChannelId,
    pub kind: ChannelKind,
    /// The provider's id of the number (Meta phone number id); events name their channel by it.
    pub key: String,
    pub name: String,
    pub enabled: bool,
    pub from_env: bool,
    pub webhook_key: String,
    pub settings: ChannelSettings,
    /// Decrypted credentials; `Err` when the configured keys cannot open them.
    credentials: Result<Option<Credentials>, String>,
    provider: Option<Arc<dyn Provider>>,
}

/// Why a channel cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum Unavailable {
    #[error("no channel {0}")]
    Unknown(ChannelId),
    #[error("the channel {0:?} is disabled")]
    Disabled(String),
    #[error("the credentials of channel {0:?} cannot be decrypted with INBOX_SECRET_KEY")]
    Unreadable(String),
}

impl Channel {
    /// Its adapter, whether or not it is enabled (webhooks of a disabled channel are stored).
    pub fn adapter(&self) -> Result<&Arc<dyn Provider>, Unavailable> {
        self.provider
            .as_ref()
            .ok_or_else(|| Unavailable::Unreadable(self.name.clone()))
    }

    pub fn credentials(&self) -> Option<&Credentials> {
        self.credentials.as_ref().ok()?.as_ref()
    }

    pub fn unreadable(&self) -> bool {
        self.credentials.is_err()
    }

    /// The path of its webhook URL.
    pub fn webhook_path(&self) -> Option<String> {
        (self.kind != ChannelKind::Sandbox).then(|| format!("/webhooks/{}", self.webhook_key))
    }
}

#[derive(Default)]
struct Registry {
    by_id: HashMap<ChannelId, Arc<Channel>>,
    by_webhook: HashMap<String, ChannelId>,
    by_key: HashMap<(ChannelKind, String), ChannelId>,
}

impl Registry {
    fn insert(&mut self, channel: Channel) {
        self.remove(channel.id);
        self.by_webhook
            .insert(channel.webhook_key.clone(), channel.id);
        self.by_key
            .insert((channel.kind, channel.key.clone()), channel.id);
        self.by_id.insert(channel.id, Arc::new(channel));
    }

    fn remove(&mut self, id: ChannelId) {
        if let Some(old) = self.by_id.remove(&id) {
            self.by_webhook.remove(&old.webhook_key);
            self.by_key.remove(&(old.kind, old.key.clone()));
        }
    }
}

#[derive(Debug)]
pub struct Channels {
    pool: PgPool,
    keys: Keys,
    http: reqwest::Client,
    registry: RwLock<Registry>,
    pub activity: activity::Activity,
    /// How long "Test connection" waits for the provider.
    check_timeout: std::time::Duration,
    /// The channels the environment describes, for their fixed webhook routes.
    env_meta: Option<ChannelId>,
    env_whapi: Option<ChannelId>,
    /// No Whapi webhook secret was configured or stored: one was generated at this start-up
    /// (and must be set in Whapi once).
    pub whapi_secret_generated: bool,
    pub sandbox_id: ChannelId,
    /// The media store, where the sandbox phone's files go both ways.
    media: crate::media::MediaStore,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Registry({} channels)", self.by_id.len())
    }
}

impl Channels {
    /// Creates or updates the sandbox channel and the channels configured from the
    /// environment, re-encrypts credentials under a rotated key, and loads every channel.
    pub async fn init(
        keys: Keys,
        meta_env: Option<&MetaEnv>,
        whapi_env: Option<&WhapiEnv>,
        pool: PgPool,
        http: reqwest::Client,
        media: crate::media::MediaStore,
    ) -> anyhow::Result<Channels> {
        let env = startup::configure(&keys, meta_env, whapi_env, &pool).await?;
        let channels = Channels {
            pool: pool.clone(),
            keys,
            http,
            registry: RwLock::new(Registry::default()),
            activity: activity::Activity::default(),
            check_timeout: whatsapp::CHECK_TIMEOUT,
            env_meta: env.meta,
            env_whapi: env.whapi,
            whapi_secret_generated: env.whapi_secret_generated,
            sandbox_id: env.sandbox,
            media,
        };
        channels.reload_all().await?;
        Ok(channels)
    }

    fn build(&self, row: ChannelRow) -> Channel {
        let credentials = match &row.credentials {
            None => Ok(None),
            Some(sealed) => self
                .keys
                .open(row.kind, &row.channel_key, sealed)
                .and_then(|plain| {
                    serde_json::from_slice::<Credentials>(&plain).context("stored credentials")
                })
                .map(Some)
                .map_err(|e| format!("{e:#}")),
        };
        let provider = match (&credentials, row.kind) {
            (_, ChannelKind::Sandbox) => Some(Arc::new(sandbox::SandboxProvider {
                store: self.media.clone(),
            }) as Arc<dyn Provider>),
            (Ok(Some(c)), _) => Some(c.provider(&self.http)),
            _ => None,
        };
        Channel {
            id: row.channel_id,
            kind: row.kind,
            key: row.channel_key,
            name: row.name,
            enabled: row.enabled,
            from_env: row.from_env,
            webhook_key: row.webhook_key,
            settings: row.settings.0,
            credentials,
            provider,
        }
    }

    /// How long "Test connection" waits for the provider (default [`whatsapp::CHECK_TIMEOUT`]).
    pub fn with_check_timeout(mut self, timeout: std::time::Duration) -> Channels {
        self.check_timeout = timeout;
        self
    }

    pub(crate) fn check_timeout(&self) -> std::time::Duration {
        self.check_timeout
    }

    /// Reads every channel again.
    pub async fn reload_all(&self) -> anyhow::Result<()> {
        let rows = channels::all(&self.pool).await?;
        let mut fresh = Registry::default();
        for row in rows {
            let channel = self.build(row);
            if let Err(e) = &channel.credentials {
                tracing::error!(channel_id = %channel.id, name = %channel.name, error = %e,
                    "channel credentials unreadable: the channel cannot send until an admin enters them again");
            }
            fresh.insert(channel);
        }
        *self
            .registry
            .write()
            .map_err(|_| anyhow::anyhow!("poisoned"))? = fresh;
        Ok(())
    }

    /// Reads one channel again (gone from the table: gone here).
    pub async fn reload(&self, id: ChannelId) -> anyhow::Result<()> {
        let row = channels::find(&self.pool, id).await?;
        let channel = row.map(|row| self.build(row));
        let mut registry = self
            .registry
            .write()
            .map_err(|_| anyhow::anyhow!("poisoned"))?;
        match channel {
            Some(c) => registry.insert(c),
            None => registry.remove(id),
        }
        Ok(())
    }

    /// Reloads channels whenever any process announces a change, and all of them when the
    /// announcements may have been missed. Runs until the hub closes.
    pub async fn follow(self: Arc<Self>, hub: Hub) {
        let mut events = hub.subscribe();
        loop {
            let id = match events.recv().await {
                Ok(Delivery::Event(e)) if e.kind == EventKind::ChannelChanged => e
                    .payload
                    .get("channel_id")
                    .and_then(serde_json::Value::as_i64)
                    .map(ChannelId),
                Ok(Delivery::Event(_)) => continue,
                Ok(Delivery::Reload) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    None
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            };
            let result = match id {
                Some(id) => self.reload(id).await,
                None => self.reload_all().await,
            };
            if let Err(e) = result {
                tracing::warn!(error = %format!("{e:#}"), "cannot reload channels; retrying at the next change");
            }
        }
    }

    pub fn get(&self, id: ChannelId) -> Option<Arc<Channel>> {
        self.registry.read().ok()?.by_id.get(&id).cloned()
    }

    pub fn by_webhook_key(&self, webhook_key: &str) -> Option<Arc<Channel>> {
        let registry = self.registry.read().ok()?;
        let id = registry.by_webhook.get(webhook_key)?;
        registry.by_id.get(id).cloned()
    }

    fn by_key(&self, kind: ChannelKind, key: &str) -> Option<Arc<Channel>> {
        let registry = self.registry.read().ok()?;
        let id = registry.by_key.get(&(kind, key.to_string()))?;
        registry.by_id.get(id).cloned()
    }

    /// Every channel, oldest first.
    pub fn list(&self) -> Vec<Arc<Channel>> {
        let Ok(registry) = self.registry.read() else {
            return Vec::new();
        };
        let mut all: Vec<_> = registry.by_id.values().cloned().collect();
        all.sort_by_key(|c| c.id);
        all
    }

    /// The Meta channel the environment describes (its route: `/api/webhooks/whatsapp`).
    pub fn env_meta(&self) -> Option<Arc<Channel>> {
        self.get(self.env_meta?)
    }

    /// The Whapi channel the environment describes (its routes: `/webhook/whapi…`).
    pub fn env_whapi(&self) -> Option<Arc<Channel>> {
        self.get(self.env_whapi?)
    }

    /// The path (with its secret) Whapi must post webhooks to for the environment's channel.
    pub fn whapi_webhook_path(&self) -> Option<String> {
        let secret = self
            .env_whapi()?
            .credentials()?
            .whapi_webhook_secret()?
            .to_string();
        Some(format!("/webhook/whapi?secret={secret}"))
    }

    /// The adapter that sends for this channel: refused while it is disabled or its
    /// credentials cannot be read.
    pub fn provider(&self, channel_id: ChannelId) -> Result<Arc<dyn Provider>, Unavailable> {
        let channel = self
            .get(channel_id)
            .ok_or(Unavailable::Unknown(channel_id))?;
        if !channel.enabled {
            return Err(Unavailable::Disabled(channel.name.clone()));
        }
        channel.adapter().cloned()
    }

    /// The channel an event delivered to `via`'s webhook belongs to: `via` itself, or (for
    /// providers whose webhook carries several numbers) the channel of the event's number,
    /// registered on first sight with `via`'s account credentials.
    pub async fn route(&self, via: &Channel, event_key: &str) -> anyhow::Result<Option<ChannelId>> {
        let varies = via
            .adapter()
            .map(|p| p.webhook_numbers_vary())
            .unwrap_or(false);
        if !varies || event_key.is_empty() || event_key == via.key {
            return Ok(Some(via.id));
        }
        if let Some(c) = self.by_key(via.kind, event_key) {
            return Ok(Some(c.id));
        }
        let Some(credentials) = via.credentials().and_then(|c| c.for_number(event_key)) else {
            return Ok(None);
        };
        let sealed = self.keys.seal(via.kind, event_key, &credentials)?;
        let mut conn = self.pool.acquire().await?;
        let inserted = channels::insert(
            &mut conn,
            via.kind,
            event_key,
            &via.name,
            &sealed,
            via.from_env,
        )
        .await?;
        drop(conn);
        let id = match inserted {
            Some(id) => {
                tracing::info!(number = %event_key, channel_id = %id, via = %via.id,
                    "registered another number of this account as a channel");
                admin::announce(&self.pool, id).await?;
                id
            }
            // Another process registered it first.
            None => match channels::find_by_key(&self.pool, via.kind, event_key).await? {
                Some(row) => row.channel_id,
                None => return Ok(None),
            },
        };
        self.reload(id).await?;
        Ok(Some(id))
    }

    pub(crate) fn keys(&self) -> &Keys {
        &self.keys
    }

    pub(crate) fn pool(&self) -> &PgPool {
        &self.pool
    }
}
