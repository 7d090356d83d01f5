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
        let known: i64 =
            sqlx::query_scalar("select count(*) from channel where channel_id = any($1)")
                .bind(ids)
                .fetch_one(pool)
                .await?;
        if known as usize != ids.len() {
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
    let id: i64 = sqlx::query_scalar(
        "insert into api_key (name, prefix, hash, channel_ids, created_by)
         values ($1, $2, $3, $4, $5) returning api_key_id",
    )
    .bind(name)
    .bind(&prefix)
    .bind(&hasher.hash(&key)[..])
    .bind(channels)
    .bind(by.user_id)
    .fetch_one(pool)
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
    Ok(sqlx::query_as(
        "select api_key_id, name, prefix, channel_ids, created_at, last_used_at, revoked_at
           from api_key order by api_key_id desc",
    )
    .fetch_all(pool)
    .await?)
}

/// Revokes a key: refused from the next call on. Revoking it again changes nothing.
pub async fn revoke(pool: &PgPool, api_key_id: i64) -> Result<(), Error> {
    let found = sqlx::query(
        "update api_key set revoked_at = coalesce(revoked_at, now()) where api_key_id = $1",
    )
    .bind(api_key_id)
    .execute(pool)
    .await?;
    if found.rows_affected() == 0 {
        return Err(Error::NotFound);
    }
    tracing::info!(api_key_id, "API key revoked");
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    api_key_id: i64,
    name: String,
    channel_ids: Option<Vec<i64>>,
    revoked: bool,
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
    let find = |hash: [u8; 32]| async move {
        sqlx::query_as::<_, Row>(
            "select api_key_id, name, channel_ids, revoked_at is not null as revoked
               from api_key where hash = $1",
        )
        .bind(&hash[..])
        .fetch_optional(pool)
        .await
    };
    let mut row = find(hasher.hash(key)).await?;
    if row.is_none() {
        if let Some(previous) = &hasher.previous {
            row = find(mac(previous, key.as_bytes())).await?;
            if let Some(r) = &row {
                sqlx::query("update api_key set hash = $2 where api_key_id = $1")
                    .bind(r.api_key_id)
                    .bind(&hasher.hash(key)[..])
                    .execute(pool)
                    .await?;
            }
        }
    }
    let row = match row {
        Some(r) if !r.revoked => r,
        _ => return Err(Error::Unauthenticated),
    };
    sqlx::query(
        "update api_key set last_used_at = now()
          where api_key_id = $1 and (last_used_at is null or last_used_at < now() - interval '1 minute')",
    )
    .bind(row.api_key_id)
    .execute(pool)
    .await?;
    Ok(ApiCaller {
        api_key_id: row.api_key_id,
        name: row.name,
        channel_ids: row
            .channel_ids
            .map(|ids| ids.into_iter().map(ChannelId).collect()),
    })
}
