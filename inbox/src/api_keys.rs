//! API keys for other software: made by an admin (shown in full once), kept only as a prefix
//! and a keyed hash, checked on every API call, revoked at once.
//!
//! A key is `ik_` and 48 hex digits (24 random bytes). Its hash is HMAC-SHA256 under a key
//! derived from `INBOX_SECRET_KEY` ([`ApiKeys`]): a random key needs no slow hash (no argon2
//! per request), and a copy of the table without the secret key cannot be checked against
//! guesses. A call is matched by its hash through the table's unique index, so no stored
//! secret is ever compared byte by byte. After a rotation of `INBOX_SECRET_KEY`, a key hashed
//! under the previous one still works and is hashed again under the new one on its first use.
//! Keys are never logged.
//!
//! Each key is rate limited (`INBOX_API_RATE_PER_MIN`) by the generic cell rate algorithm: the
//! key's row keeps the theoretical arrival time of its next request, moved on in the same
//! statement that finds the key, so every server process shares one limit and a key may spend
//! a minute's worth at once, then one request per interval.

use crate::db::api_keys as db;
use crate::Error;
use hmac::{Hmac, Mac};
use model::{ApiKeyView, ChannelId, CreatedApiKey, Reason, UserInfo};
use rand::RngCore;
use sha2::Sha256;
use sqlx::PgPool;

const PREFIX_CHARS: usize = 11;

/// How keys are hashed (under the installation's secret key, and the one before a rotation)
/// and limited.
#[derive(Clone)]
pub struct ApiKeys {
    current: [u8; 32],
    previous: Option<[u8; 32]>,
    /// Requests a key may make per minute (`INBOX_API_RATE_PER_MIN`).
    pub rate_per_minute: u32,
}

impl std::fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ApiKeys(<redacted>, {} per minute)",
            self.rate_per_minute
        )
    }
}

/// `INBOX_API_RATE_PER_MIN`'s default.
pub const DEFAULT_RATE_PER_MINUTE: u32 = 600;

fn mac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(data);
    m.finalize().into_bytes().into()
}

impl ApiKeys {
    /// From the secret key (`INBOX_SECRET_KEY`) and the previous one: a key of its own derived
    /// from each, so the secret key itself never hashes anything else.
    pub fn new(secret: &[u8; 32], previous: Option<&[u8; 32]>, rate_per_minute: u32) -> ApiKeys {
        ApiKeys {
            current: mac(secret, b"inbox api keys v1"),
            previous: previous.map(|p| mac(p, b"inbox api keys v1")),
            rate_per_minute: rate_per_minute.max(1),
        }
    }

    /// The rate limit's interval between requests and the burst it tolerates, in seconds.
    fn rate(&self) -> (f64, f64) {
        let interval = 60.0 / f64::from(self.rate_per_minute);
        (interval, 60.0 - interval)
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
    keys: &ApiKeys,
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
        &keys.hash(&key),
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

/// What a call's key allows.
#[derive(Debug, Clone, PartialEq)]
pub enum Admission {
    Allowed(ApiCaller),
    /// Over the key's rate: the call may come again after this long.
    Limited(std::time::Duration),
}

/// The caller behind `key`, within its rate: `Unauthenticated` for an unknown or revoked key.
/// Marks it used.
pub async fn authenticate(pool: &PgPool, keys: &ApiKeys, key: &str) -> Result<Admission, Error> {
    let key = key.trim();
    if !key.starts_with("ik_") || key.len() > 128 {
        return Err(Error::Unauthenticated);
    }
    let (interval, burst) = keys.rate();
    let mut used = db::use_key(pool, &keys.hash(key), interval, burst).await?;
    if let (None, Some(previous)) = (&used, &keys.previous) {
        if let Some(f) = db::find(pool, &mac(previous, key.as_bytes())).await? {
            db::rehash(pool, f.api_key_id, &keys.hash(key)).await?;
            used = db::use_key(pool, &keys.hash(key), interval, burst).await?;
        }
    }
    let Some(used) = used else {
        return Err(Error::Unauthenticated);
    };
    if !used.allowed {
        let wait = std::time::Duration::from_secs_f64(used.wait_secs.clamp(0.0, 60.0));
        return Ok(Admission::Limited(wait));
    }
    Ok(Admission::Allowed(ApiCaller {
        api_key_id: used.api_key_id,
        name: used.name,
        channel_ids: used
            .channel_ids
            .map(|ids| ids.into_iter().map(ChannelId).collect()),
    }))
}

/// The caller a key makes, by its id: for the playground, which sends as a key an admin picks
/// (`NotFound` for a revoked or unknown key).
pub async fn caller_of(pool: &PgPool, api_key_id: i64) -> Result<ApiCaller, Error> {
    let found = db::active(pool, api_key_id).await?.ok_or(Error::NotFound)?;
    Ok(ApiCaller {
        api_key_id: found.api_key_id,
        name: found.name,
        channel_ids: found
            .channel_ids
            .map(|ids| ids.into_iter().map(ChannelId).collect()),
    })
}

/// The latest messages sent through keys (the playground's log).
pub async fn sends(pool: &PgPool, limit: i64) -> Result<Vec<model::ApiSendView>, Error> {
    db::sends(pool, limit).await
}
