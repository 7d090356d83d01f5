//! At start-up: the sandbox channel, the channels the environment describes (created or
//! updated, marked "from environment"), and key rotation: with `INBOX_SECRET_KEY_PREVIOUS`
//! set, every credential sealed under the old key is sealed again under the new one. A
//! credential neither key opens is reported by channel, and the server starts anyway.

use super::credentials::{aad, new_secret, Credentials, MetaEnv, WhapiEnv};
use super::crypto::Cipher;
use crate::db::channels;
use model::{ChannelId, ChannelKind};
use sqlx::PgPool;

/// The keys credentials are sealed under: the current one, and the one before a rotation.
#[derive(Debug)]
pub struct Keys {
    current: Cipher,
    previous: Option<Cipher>,
}

impl Keys {
    pub fn new(current: &[u8; 32], previous: Option<&[u8; 32]>) -> Keys {
        Keys {
            current: Cipher::new(current),
            previous: previous.map(Cipher::new),
        }
    }

    pub fn seal(
        &self,
        kind: ChannelKind,
        key: &str,
        credentials: &Credentials,
    ) -> anyhow::Result<Vec<u8>> {
        self.current
            .seal(&aad(kind, key), &serde_json::to_vec(credentials)?)
    }

    /// Opens with the current key, else the previous one.
    pub fn open(&self, kind: ChannelKind, key: &str, sealed: &[u8]) -> anyhow::Result<Vec<u8>> {
        let aad = aad(kind, key);
        match (self.current.open(&aad, sealed), &self.previous) {
            (Ok(plain), _) => Ok(plain),
            (Err(e), None) => Err(e),
            (Err(_), Some(previous)) => previous.open(&aad, sealed),
        }
    }

    /// Seals any other secret at rest (a webhook endpoint's) under the current key, bound to
    /// `aad` (what it belongs to).
    pub fn seal_bytes(&self, aad: &[u8], plaintext: &[u8]) -> anyhow::Result<Vec<u8>> {
        self.current.seal(aad, plaintext)
    }

    /// Opens what [`Keys::seal_bytes`] sealed, with the current key, else the previous one.
    pub fn open_bytes(&self, aad: &[u8], sealed: &[u8]) -> anyhow::Result<Vec<u8>> {
        match (self.current.open(aad, sealed), &self.previous) {
            (Ok(plain), _) => Ok(plain),
            (Err(e), None) => Err(e),
            (Err(_), Some(previous)) => previous.open(aad, sealed),
        }
    }

    /// After a rotation: what only the previous key opens, sealed again under the current one
    /// (`None` when the current key opens it already).
    pub fn reseal_bytes(&self, aad: &[u8], sealed: &[u8]) -> anyhow::Result<Option<Vec<u8>>> {
        if self.current.open(aad, sealed).is_ok() {
            return Ok(None);
        }
        let previous = self
            .previous
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("no key opens it"))?;
        let plain = previous.open(aad, sealed)?;
        Ok(Some(self.current.seal(aad, &plain)?))
    }

    fn open_current(&self, kind: ChannelKind, key: &str, sealed: &[u8]) -> bool {
        self.current.open(&aad(kind, key), sealed).is_ok()
    }
}

pub(super) struct EnvChannels {
    pub sandbox: ChannelId,
    pub meta: Option<ChannelId>,
    pub whapi: Option<ChannelId>,
    pub whapi_secret_generated: bool,
}

pub(super) async fn configure(
    keys: &Keys,
    meta_env: Option<&MetaEnv>,
    whapi_env: Option<&WhapiEnv>,
    pool: &PgPool,
) -> anyhow::Result<EnvChannels> {
    rotate(keys, pool).await?;
    let mut conn = pool.acquire().await?;
    let sandbox = channels::upsert_env(
        &mut conn,
        ChannelKind::Sandbox,
        channels::SANDBOX_KEY,
        "Sandbox",
        None,
    )
    .await?;
    let mut meta = None;
    if let Some(m) = meta_env {
        let credentials = Credentials::meta(m, &m.phone_number_id);
        let sealed = keys.seal(ChannelKind::Meta, &m.phone_number_id, &credentials)?;
        meta = Some(
            channels::upsert_env(
                &mut conn,
                ChannelKind::Meta,
                &m.phone_number_id,
                "WhatsApp (Meta)",
                Some(&sealed),
            )
            .await?,
        );
        tracing::info!(phone_number_id = %m.phone_number_id, "Meta channel configured from the environment");
    }
    let mut whapi = None;
    let mut whapi_secret_generated = false;
    if let Some(w) = whapi_env {
        let key = w.channel_id.clone().unwrap_or_else(|| "whapi".to_string());
        // Whapi does not sign its webhooks: without a secret anyone could post forged customer
        // messages to its fixed routes. None configured: the one stored with the channel, or a
        // new one.
        let secret = match &w.webhook_secret {
            Some(s) => s.clone(),
            None => match stored_whapi_secret(keys, pool, &key).await {
                Some(s) => s,
                None => {
                    whapi_secret_generated = true;
                    new_secret()
                }
            },
        };
        let credentials = Credentials::whapi(&WhapiEnv {
            webhook_secret: Some(secret),
            ..w.clone()
        });
        let sealed = keys.seal(ChannelKind::Whapi, &key, &credentials)?;
        whapi = Some(
            channels::upsert_env(
                &mut conn,
                ChannelKind::Whapi,
                &key,
                "WhatsApp (Whapi)",
                Some(&sealed),
            )
            .await?,
        );
        tracing::info!(channel = %key, "Whapi channel configured from the environment");
    }
    Ok(EnvChannels {
        sandbox,
        meta,
        whapi,
        whapi_secret_generated,
    })
}

/// Seals again under the current key what only the previous key opens; reports what neither
/// opens.
async fn rotate(keys: &Keys, pool: &PgPool) -> anyhow::Result<()> {
    let mut rotated = 0;
    for row in channels::all(pool).await? {
        let Some(sealed) = &row.credentials else {
            continue;
        };
        if keys.open_current(row.kind, &row.channel_key, sealed) {
            continue;
        }
        match keys.open(row.kind, &row.channel_key, sealed) {
            Ok(plain) => {
                let again = keys
                    .current
                    .seal(&aad(row.kind, &row.channel_key), &plain)?;
                channels::set_credentials(pool, row.channel_id, &again).await?;
                rotated += 1;
            }
            Err(_) => tracing::error!(
                channel_id = %row.channel_id,
                name = %row.name,
                "this channel's credentials open with neither INBOX_SECRET_KEY nor INBOX_SECRET_KEY_PREVIOUS; \
                 it shows \"credentials unreadable\" until an admin enters them again"
            ),
        }
    }
    if rotated > 0 {
        tracing::warn!(
            channels = rotated,
            "re-encrypted channel credentials under the new INBOX_SECRET_KEY; INBOX_SECRET_KEY_PREVIOUS can now be removed"
        );
    }
    Ok(())
}

/// The webhook secret stored with a Whapi channel, if it has one we can read.
async fn stored_whapi_secret(keys: &Keys, pool: &PgPool, key: &str) -> Option<String> {
    let row = channels::find_by_key(pool, ChannelKind::Whapi, key)
        .await
        .ok()??;
    let plain = keys
        .open(ChannelKind::Whapi, key, row.credentials.as_deref()?)
        .ok()?;
    serde_json::from_slice::<Credentials>(&plain)
        .ok()?
        .whapi_webhook_secret()
        .map(str::to_string)
}
