//! Accounts and sessions: argon2id hashing (off the async threads), the session ↔ user link,
//! login throttling, and the role guards every server function and handler starts with.

use super::db::{login_failures, users};
use super::AppState;
use crate::model::{Role, UserInfo};
use crate::AppError;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use sqlx::PgPool;
use std::sync::OnceLock;
use tower_sessions::Session;

const SESSION_USER: &str = "uid";
const SESSION_EPOCH: &str = "epoch";

/// Failed logins allowed per account, and per client address, within `THROTTLE_WINDOW_SECS`.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
pub const THROTTLE_WINDOW_SECS: i64 = 15 * 60;

pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("argon2 hash: {e}"))
    })
    .await
    .map_err(|e| anyhow::anyhow!("hashing task: {e}"))?
    .map_err(AppError::from)
}

pub async fn verify_password(password: String, hash: String) -> Result<bool, AppError> {
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
    .map_err(AppError::from)
}

/// A hash to verify against when the username does not exist, so that a wrong username and a
/// wrong password take the same time.
async fn dummy_hash() -> Result<String, AppError> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(h) = DUMMY.get() {
        return Ok(h.clone());
    }
    let h = hash_password("not a real password".into()).await?;
    Ok(DUMMY.get_or_init(|| h).clone())
}

pub fn validate_password(password: &str) -> Result<(), AppError> {
    let n = password.chars().count();
    if n < 8 {
        return Err(AppError::invalid("password", "password_too_short"));
    }
    if n > 256 {
        return Err(AppError::invalid("password", "password_too_long"));
    }
    Ok(())
}

/// Checks the credentials with throttling, and on success binds the session to the user
/// (with a fresh session id).
pub async fn login(
    pool: &PgPool,
    session: &Session,
    username: &str,
    password: String,
    address: &str,
) -> Result<UserInfo, AppError> {
    let username = username.trim();
    let wait = login_failures::retry_after(pool, username, address).await?;
    if let Some(retry_after_secs) = wait {
        tracing::warn!(%username, %address, "login throttled");
        return Err(AppError::TooManyRequests { retry_after_secs });
    }
    let found = users::find_credentials(pool, username).await?;
    let hash = match &found {
        Some((_, hash)) => hash.clone(),
        None => dummy_hash().await?,
    };
    let ok = verify_password(password, hash).await?;
    match found {
        Some((user, _)) if ok && user.active => {
            login_failures::clear(pool, username).await?;
            session
                .cycle_id()
                .await
                .map_err(|e| anyhow::anyhow!("cycle session id: {e}"))?;
            bind_session(pool, session, user.user_id).await?;
            tracing::info!(user_id = user.user_id, "signed in");
            Ok(user)
        }
        _ => {
            login_failures::record(pool, username, address).await?;
            tracing::info!(%username, %address, "failed login");
            Err(AppError::BadCredentials)
        }
    }
}

/// Stores the user and their current auth epoch in the session.
pub async fn bind_session(pool: &PgPool, session: &Session, user_id: i64) -> Result<(), AppError> {
    let epoch = users::auth_epoch(pool, user_id).await?;
    session
        .insert(SESSION_USER, user_id)
        .await
        .map_err(|e| anyhow::anyhow!("session insert: {e}"))?;
    session
        .insert(SESSION_EPOCH, epoch)
        .await
        .map_err(|e| anyhow::anyhow!("session insert: {e}"))?;
    Ok(())
}

/// The user behind a session, or `None`. A session whose user was deactivated, or whose
/// password was reset since it signed in (the epoch moved), is emptied on the spot.
pub async fn session_user(pool: &PgPool, session: &Session) -> Result<Option<UserInfo>, AppError> {
    let uid: Option<i64> = session
        .get(SESSION_USER)
        .await
        .map_err(|e| anyhow::anyhow!("session read: {e}"))?;
    let Some(uid) = uid else { return Ok(None) };
    let epoch: Option<i32> = session
        .get(SESSION_EPOCH)
        .await
        .map_err(|e| anyhow::anyhow!("session read: {e}"))?;
    match users::find_with_epoch(pool, uid).await? {
        Some((user, current)) if user.active && Some(current) == epoch => Ok(Some(user)),
        _ => {
            session
                .flush()
                .await
                .map_err(|e| anyhow::anyhow!("session flush: {e}"))?;
            Ok(None)
        }
    }
}

pub async fn request_session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "no session layer on this request");
        AppError::Internal
    })
}

/// The signed-in user of the current server-function request, if any.
pub async fn current_user() -> Result<Option<UserInfo>, AppError> {
    let state = AppState::get()?;
    let session = request_session().await?;
    session_user(&state.pool, &session).await
}

/// Any signed-in user, or 401.
pub async fn require_user() -> Result<UserInfo, AppError> {
    current_user().await?.ok_or(AppError::Unauthenticated)
}

/// A signed-in admin, or 401/403.
pub async fn require_admin() -> Result<UserInfo, AppError> {
    let user = require_user().await?;
    if user.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    Ok(user)
}
