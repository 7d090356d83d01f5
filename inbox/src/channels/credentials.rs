//! What a channel's credentials are: as configured from the environment, and as stored
//! (sealed) in `channel.credentials`; the adapters' configurations built from them.

use super::crypto::Cipher;
use crate::db::channels;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use whatsapp::{MetaConfig, WhapiConfig};

/// `WHATSAPP_*`: one Meta number. Other numbers of the same app are registered automatically
/// when their (signed) webhooks arrive.
#[derive(Clone)]
pub struct MetaEnv {
    pub graph_url: String,
    pub access_token: String,
    pub phone_number_id: String,
    pub business_account_id: String,
    pub app_secret: String,
    pub verify_token: String,
}

/// `WHAPI_*`: one Whapi channel.
#[derive(Clone)]
pub struct WhapiEnv {
    pub base_url: String,
    pub token: String,
    pub webhook_secret: Option<String>,
    pub channel_id: Option<String>,
}

/// What is stored (encrypted) in `channel.credentials`.
#[derive(Serialize, Deserialize)]
#[serde(tag = "provider", rename_all = "lowercase")]
pub(super) enum Credentials {
    Meta {
        graph_url: String,
        access_token: String,
        phone_number_id: String,
        business_account_id: String,
        app_secret: String,
        verify_token: String,
    },
    Whapi {
        base_url: String,
        token: String,
        webhook_secret: Option<String>,
        channel_id: Option<String>,
    },
}

impl Credentials {
    pub(super) fn meta(m: &MetaEnv, phone_number_id: &str) -> Credentials {
        Credentials::Meta {
            graph_url: m.graph_url.clone(),
            access_token: m.access_token.clone(),
            phone_number_id: phone_number_id.to_string(),
            business_account_id: m.business_account_id.clone(),
            app_secret: m.app_secret.clone(),
            verify_token: m.verify_token.clone(),
        }
    }

    pub(super) fn whapi(w: &WhapiEnv) -> Credentials {
        Credentials::Whapi {
            base_url: w.base_url.clone(),
            token: w.token.clone(),
            webhook_secret: w.webhook_secret.clone(),
            channel_id: w.channel_id.clone(),
        }
    }
}

pub(super) fn aad(kind: &str, key: &str) -> Vec<u8> {
    format!("channel:{kind}:{key}").into_bytes()
}

/// `MetaEnv` without a `Debug` that could print its secrets.
pub(super) struct MetaEnvRedacted(pub(super) MetaEnv);

impl std::fmt::Debug for MetaEnvRedacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MetaEnv({})", self.0.phone_number_id)
    }
}

/// The webhook secret stored with a Whapi channel, if it has one we can read.
pub(super) async fn stored_whapi_secret(
    cipher: &Cipher,
    pool: &PgPool,
    key: &str,
) -> Option<String> {
    let row = channels::find_by_key(pool, "whapi", key).await.ok()??;
    let plain = cipher
        .open(&aad("whapi", key), row.credentials.as_deref()?)
        .ok()?;
    match serde_json::from_slice::<Credentials>(&plain).ok()? {
        Credentials::Whapi { webhook_secret, .. } => webhook_secret.filter(|s| !s.is_empty()),
        Credentials::Meta { .. } => None,
    }
}

/// 32 random bytes, as 64 hex characters.
pub(super) fn new_secret() -> String {
    use rand::Rng;
    let bytes: [u8; 32] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(super) fn meta_config(m: &MetaEnv, phone_number_id: &str) -> MetaConfig {
    MetaConfig {
        graph_url: m.graph_url.clone(),
        access_token: m.access_token.clone(),
        phone_number_id: phone_number_id.to_string(),
        business_account_id: m.business_account_id.clone(),
        app_secret: m.app_secret.clone(),
        verify_token: m.verify_token.clone(),
    }
}

pub(super) fn whapi_config(w: &WhapiEnv) -> WhapiConfig {
    WhapiConfig {
        base_url: w.base_url.clone(),
        token: w.token.clone(),
        webhook_secret: w.webhook_secret.clone(),
        channel_id: w.channel_id.clone(),
    }
}
