//! The channel registry: channels from the environment are created or updated at start-up
//! (credentials encrypted), the sandbox channel always exists, and each channel's provider
//! adapter is built from its stored row on first use.

mod credentials;
pub mod crypto;
pub mod sandbox;

use credentials::{
    aad, meta_config, new_secret, stored_whapi_secret, whapi_config, Credentials, MetaEnvRedacted,
};
pub use credentials::{MetaEnv, WhapiEnv};

use crate::db::channels::{self, ChannelRow};
use anyhow::Context;
use crypto::Cipher;
use model::ChannelId;
use model::ChannelKind;
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use whatsapp::{MetaProvider, Provider, WhapiProvider};

#[derive(Debug)]
pub struct Channels {
    pool: PgPool,
    cipher: Cipher,
    http: reqwest::Client,
    cache: RwLock<HashMap<ChannelId, Arc<dyn Provider>>>,
    /// Meta phone number id → channel id. Channels are never deleted, so an id once known
    /// stays right; webhooks then need no query to find their channel.
    meta_ids: RwLock<HashMap<String, ChannelId>>,
    meta_env: Option<MetaEnvRedacted>,
    /// The adapter that verifies and parses Meta webhooks (the app secret is per app).
    pub meta: Option<Arc<MetaProvider>>,
    /// The Whapi channel and its adapter.
    pub whapi: Option<(ChannelId, Arc<WhapiProvider>)>,
    /// No Whapi webhook secret was configured or stored: one was generated at this start-up
    /// (and must be set in Whapi once).
    pub whapi_secret_generated: bool,
    pub sandbox_id: ChannelId,
}

impl Channels {
    /// Creates or updates the sandbox channel and the channels configured from the
    /// environment (credentials sealed under `secret_key`).
    pub async fn init(
        secret_key: &[u8; 32],
        meta_env: Option<&MetaEnv>,
        whapi_env: Option<&WhapiEnv>,
        pool: PgPool,
        http: reqwest::Client,
    ) -> anyhow::Result<Channels> {
        let cipher = Cipher::new(secret_key);
        let mut conn = pool.acquire().await?;
        let sandbox_id = channels::upsert(
            &mut conn,
            ChannelKind::Sandbox,
            channels::SANDBOX_KEY,
            "Sandbox",
            None,
            None,
        )
        .await?;
        let mut meta = None;
        if let Some(m) = meta_env {
            let sealed = cipher.seal(
                &aad("meta", &m.phone_number_id),
                &serde_json::to_vec(&Credentials::meta(m, &m.phone_number_id))?,
            )?;
            channels::upsert(
                &mut conn,
                ChannelKind::Meta,
                &m.phone_number_id,
                "WhatsApp (Meta)",
                None,
                Some(&sealed),
            )
            .await?;
            meta = Some(Arc::new(MetaProvider::new(
                meta_config(m, &m.phone_number_id),
                http.clone(),
            )));
            tracing::info!(phone_number_id = %m.phone_number_id, "Meta channel configured");
        }
        let mut whapi = None;
        let mut whapi_secret_generated = false;
        if let Some(w) = whapi_env {
            let key = w.channel_id.clone().unwrap_or_else(|| "whapi".to_string());
            // Whapi does not sign its webhooks: without a secret anyone could post forged
            // customer messages. None configured: the one stored with the channel, or a new one.
            let secret = match &w.webhook_secret {
                Some(s) => s.clone(),
                None => match stored_whapi_secret(&cipher, &pool, &key).await {
                    Some(s) => s,
                    None => {
                        whapi_secret_generated = true;
                        new_secret()
                    }
                },
            };
            let w = &WhapiEnv {
                webhook_secret: Some(secret),
                ..w.clone()
            };
            let sealed = cipher.seal(
                &aad("whapi", &key),
                &serde_json::to_vec(&Credentials::whapi(w))?,
            )?;
            let id = channels::upsert(
                &mut conn,
                ChannelKind::Whapi,
                &key,
                "WhatsApp (Whapi)",
                None,
                Some(&sealed),
            )
            .await?;
            whapi = Some((
                id,
                Arc::new(WhapiProvider::new(whapi_config(w), http.clone())),
            ));
            tracing::info!(channel = %key, "Whapi channel configured");
        }
        Ok(Channels {
            pool,
            cipher,
            http,
            cache: RwLock::new(HashMap::new()),
            meta_ids: RwLock::new(HashMap::new()),
            meta_env: meta_env.cloned().map(MetaEnvRedacted),
            meta,
            whapi,
            whapi_secret_generated,
            sandbox_id,
        })
    }

    /// The path (with its secret) Whapi must post webhooks to.
    pub fn whapi_webhook_path(&self) -> Option<String> {
        let (_, whapi) = self.whapi.as_ref()?;
        let secret = whapi.config().webhook_secret.as_deref()?;
        Some(format!("/webhook/whapi?secret={secret}"))
    }

    /// The adapter that sends for this channel.
    pub async fn provider(&self, channel_id: ChannelId) -> anyhow::Result<Arc<dyn Provider>> {
        if let Some(p) = self
            .cache
            .read()
            .map_err(|_| anyhow::anyhow!("poisoned"))?
            .get(&channel_id)
        {
            return Ok(p.clone());
        }
        let row = channels::find(&self.pool, channel_id)
            .await
            .map_err(|e| anyhow::anyhow!("channel {channel_id}: {e}"))?;
        let provider = self.build(&row)?;
        self.cache
            .write()
            .map_err(|_| anyhow::anyhow!("poisoned"))?
            .insert(channel_id, provider.clone());
        Ok(provider)
    }

    fn build(&self, row: &ChannelRow) -> anyhow::Result<Arc<dyn Provider>> {
        if row.kind == ChannelKind::Sandbox {
            return Ok(Arc::new(sandbox::SandboxProvider));
        }
        let sealed = row
            .credentials
            .as_deref()
            .with_context(|| format!("channel {} has no credentials", row.channel_id))?;
        let plain = self
            .cipher
            .open(&aad(row.kind.as_str(), &row.channel_key), sealed)?;
        Ok(
            match serde_json::from_slice::<Credentials>(&plain).context("stored credentials")? {
                Credentials::Meta {
                    graph_url,
                    access_token,
                    phone_number_id,
                    business_account_id,
                    app_secret,
                    verify_token,
                } => {
                    let env = MetaEnv {
                        graph_url,
                        access_token,
                        phone_number_id,
                        business_account_id,
                        app_secret,
                        verify_token,
                    };
                    Arc::new(MetaProvider::new(
                        meta_config(&env, &env.phone_number_id),
                        self.http.clone(),
                    ))
                }
                Credentials::Whapi {
                    base_url,
                    token,
                    webhook_secret,
                    channel_id,
                } => Arc::new(WhapiProvider::new(
                    whapi_config(&WhapiEnv {
                        base_url,
                        token,
                        webhook_secret,
                        channel_id,
                    }),
                    self.http.clone(),
                )),
            },
        )
    }

    /// The channel of a Meta phone number id. Another number of the same Meta app (its webhook
    /// was signed with our app secret) is registered on first sight with the app's credentials.
    pub async fn meta_channel(&self, phone_number_id: &str) -> anyhow::Result<Option<ChannelId>> {
        if let Some(id) = self.known_meta_id(phone_number_id) {
            return Ok(Some(id));
        }
        let id = self.find_or_register_meta(phone_number_id).await?;
        if let Some(id) = id {
            if let Ok(mut ids) = self.meta_ids.write() {
                ids.insert(phone_number_id.to_string(), id);
            }
        }
        Ok(id)
    }

    fn known_meta_id(&self, phone_number_id: &str) -> Option<ChannelId> {
        self.meta_ids.read().ok()?.get(phone_number_id).copied()
    }

    async fn find_or_register_meta(
        &self,
        phone_number_id: &str,
    ) -> anyhow::Result<Option<ChannelId>> {
        if let Some(row) = channels::find_by_key(&self.pool, "meta", phone_number_id)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
        {
            return Ok(Some(row.channel_id));
        }
        let Some(MetaEnvRedacted(env)) = &self.meta_env else {
            return Ok(None);
        };
        let sealed = self.cipher.seal(
            &aad("meta", phone_number_id),
            &serde_json::to_vec(&Credentials::meta(env, phone_number_id))?,
        )?;
        let mut conn = self.pool.acquire().await?;
        let id = channels::upsert(
            &mut conn,
            ChannelKind::Meta,
            phone_number_id,
            "WhatsApp (Meta)",
            None,
            Some(&sealed),
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        tracing::info!(%phone_number_id, channel_id = %id, "registered another Meta number of this app");
        Ok(Some(id))
    }
}
