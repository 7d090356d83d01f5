//! Passwords: argon2id with OWASP's default parameters, hashed and verified off the async
//! threads, and the length rule.

use crate::Error;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use model::Reason;
use std::sync::OnceLock;

/// At most one argon2 run per core at a time (each takes 19 MiB and a core for tens of
/// milliseconds): a burst of logins waits its turn briefly, then gets 429, instead of
/// exhausting memory.
fn hashing() -> &'static tokio::sync::Semaphore {
    static HASHING: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    HASHING.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::sync::Semaphore::new(cores)
    })
}

/// How long a password check waits for a free core before it is refused.
const HASHING_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

async fn hashing_permit() -> Result<tokio::sync::SemaphorePermit<'static>, Error> {
    match tokio::time::timeout(HASHING_WAIT, hashing().acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        Ok(Err(_)) => Err(anyhow::anyhow!("hashing semaphore closed").into()),
        Err(_) => {
            tracing::warn!("every core is busy hashing passwords; refusing one");
            Err(Error::TooManyRequests {
                retry_after_secs: 2,
            })
        }
    }
}

pub async fn hash_password(password: String) -> Result<String, Error> {
    let _permit = hashing_permit().await?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("argon2 hash: {e}"))
    })
    .await
    .map_err(|e| anyhow::anyhow!("hashing task: {e}"))?
    .map_err(Error::from)
}

pub async fn verify_password(password: String, hash: String) -> Result<bool, Error> {
    let _permit = hashing_permit().await?;
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
        Ok::<_, anyhow::Error>(
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
        )
    })
    .await
    .map_err(|e| anyhow::anyhow!("verify task: {e}"))?
    .map_err(Error::from)
}

/// A hash to verify against when the username does not exist, so that a wrong username and a
/// wrong password take the same time.
pub(crate) async fn dummy_hash() -> Result<String, Error> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(h) = DUMMY.get() {
        return Ok(h.clone());
    }
    let h = hash_password("not a real password".into()).await?;
    Ok(DUMMY.get_or_init(|| h).clone())
}

pub fn validate_password(password: &str) -> Result<(), Error> {
    let n = password.chars().count();
    if n < 8 {
        return Err(Error::invalid("password", Reason::PasswordTooShort));
    }
    if n > 256 {
        return Err(Error::invalid("password", Reason::PasswordTooLong));
    }
    Ok(())
}
