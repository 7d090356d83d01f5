//! API keys for other software: made by an admin (shown in full once), kept only as a prefix
//! and a keyed hash, checked on every API call, revoked at once.
//!
//! A key is `ik_` and 48 hex digits (24 random bytes). Its hash is HMAC-SHA256 under a key
//! derived from `INBOX_SECRET_KEY` ([`KeyHasher`]): a random key needs no slow hash (no argon2
//! per request), and a copy of the table without the secret key cannot be checked against
//! guesses. A call is matched by its hash through the table's unique index, so no stored
//! secret is ever compared byte by byte. After a rotation of `INBOX_SECRET_KEY`, a key hashed
//! under the previous one still works and is hashed again under the new one on its first use.
//! Keys are never logged.

use crate::db::api_keys as db;
use crate::Error;
use hmac::{Hmac, Mac};
use model::{ApiKeyView, ChannelId, CreatedApiKey, Reason, UserInfo};
use rand::RngCore;
use sha2::Sha256;
use sqlx::PgPool;

const PREFIX_CHARS: usize = 11;

/// Hashes keys under the installation's secret key (and the one before a rotation).
#[derive(Clone)]
pub struct KeyHasher {
    current: [u8; 32],
    previous: Option<[u8; 32]>,
}

impl std::fmt::Debug for KeyHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyHasher(<redacted>)")
    }
}

fn mac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(data);
    m.finalize().into_bytes().into()
}

impl KeyHasher {
    /// From the secret key (`INBOX_SECRET_KEY`) and the previous one: a key of its own derived
    /// from each, so the secret key itself never hashes anything else.
    pub fn new(secret: &[u8; 32], previous: Option<&[u8; 32]>) -> KeyHasher {
        KeyHasher {
            current: mac(secret, b"inbox api keys v1"),
            previous: previous.map(|p| mac(p, b"inbox api keys v1")),
        }
    }

    fn hash(&self, key: &str) -> [u8; 32] {
        mac(&self.current, key.as_bytes())
    }
}

/// Who is calling: a key that is not revoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiCaller {
    pub api_key_id: i64,
    pub name: String,
    /// `None`: every channel.
    pub channel_ids: Option<Vec<ChannelId>>,
}

impl ApiCaller {
    pub fn may_use(&self, channel: ChannelId) -> bool {
        self.channel_ids
            .as_ref()
            .is_none_or(|ids| ids.contains(&channel))
    }
}

/// Makes a key named `name`, limited to `channels` when given (each must exist).
pub async fn create(
    pool: &PgPool,
    hasher: &KeyHasher,
    by: &UserInfo,
    name: &str,
    channels: Option<Vec<ChannelId>>,
) -> Result<CreatedApiKey, Error> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(Error::invalid("name", Reason::ApiKeyNameLength));
    }
    if let Some(ids) = &channels {
        if db::known_channels(pool, ids).await? != ids.len() {
            return Err(Error::NotFound);
        }
    }
    let mut random = [0u8; 24];
    rand::rng().fill_bytes(&mut random);
    let key = format!(
        "ik_{}",
        random
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let prefix: String = key.chars().take(PREFIX_CHARS).collect();
    let id = db::insert(
        pool,
        name,
        &prefix,
        &hasher.hash(&key),
        channels.as_deref(),
        by.user_id,
    )
    .await?;
    tracing::info!(api_key_id = id, prefix = %prefix, by = %by.username, "API key created");
    Ok(CreatedApiKey {
        id,
        name: name.to_owned(),
        prefix,
        key,
    })
}

/// Every key, newest first (revoked ones too, marked).
pub async fn list(pool: &PgPool) -> Result<Vec<ApiKeyView>, Error> {
    db::list(pool).await
}

/// Revokes a key: refused from the next call on. Revoking it again changes nothing.
pub async fn revoke(pool: &PgPool, api_key_id: i64) -> Result<(), Error> {
    if !db::revoke(pool, api_key_id).await? {
        return Err(Error::NotFound);
    }
    tracing::info!(api_key_id, "API key revoked");
    Ok(())
}

/// The caller behind `key`: `Unauthenticated` for an unknown or revoked key. Marks it used (at
/// most once a minute, to spare the writes).
pub async fn authenticate(
    pool: &PgPool,
    hasher: &KeyHasher,
    key: &str,
) -> Result<ApiCaller, Error> {
    let key = key.trim();
    if !key.starts_with("ik_") || key.len() > 128 {
        return Err(Error::Unauthenticated);
    }
    let mut found = db::find(pool, &hasher.hash(key)).await?;
    if let (None, Some(previous)) = (&found, &hasher.previous) {
        found = db::find(pool, &mac(previous, key.as_bytes())).await?;
        if let Some(f) = &found {
            db::rehash(pool, f.api_key_id, &hasher.hash(key)).await?;
        }
    }
    let found = match found {
        Some(f) if !f.revoked => f,
        _ => return Err(Error::Unauthenticated),
    };
    db::touch(pool, found.api_key_id).await?;
    Ok(ApiCaller {
        api_key_id: found.api_key_id,
        name: found.name,
        channel_ids: found
            .channel_ids
            .map(|ids| ids.into_iter().map(ChannelId).collect()),
    })
}
