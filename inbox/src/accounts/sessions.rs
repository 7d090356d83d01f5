//! Sessions and sign-in: credentials checked with throttling, the session ↔ user link (with
//! the user's auth epoch, so a deactivation or a password reset ends every session at once).
//! The HTTP side (reading the session of a request) is the caller's.

use super::passwords::{dummy_hash, verify_password};
use crate::db::{login_failures, sessions, users};
use crate::Error;
use model::{UserId, UserInfo};
use sqlx::PgPool;
use tower_sessions::Session;

const SESSION_USER: &str = "uid";
const SESSION_EPOCH: &str = "epoch";
/// When the session was last extended (Unix seconds).
const SESSION_TOUCHED: &str = "touched";
/// Activity extends a session's idle expiry at most this often: one session write a minute,
/// not one per request.
pub const EXTEND_EVERY_SECS: i64 = 60;

/// Failed logins allowed per account, and per client address, within the window.
pub const THROTTLE: login_failures::Limits = login_failures::Limits {
    per_account: 5,
    per_address: 20,
    window_secs: 15 * 60,
};

/// Checks the credentials with throttling, and on success binds the session to the user
/// (with a fresh session id).
pub async fn login(
    pool: &PgPool,
    session: &Session,
    username: &str,
    password: String,
    address: &str,
) -> Result<UserInfo, Error> {
    let username = username.trim();
    // No account has a longer name: refused before it costs a query or a hash.
    if username.len() > super::USERNAME_MAX {
        return Err(Error::BadCredentials);
    }
    let attempt = match login_failures::reserve(pool, &THROTTLE, username, address).await? {
        login_failures::Attempt::Go(id) => id,
        login_failures::Attempt::Wait(retry_after_secs) => {
            tracing::warn!(%username, %address, "login throttled");
            metrics::counter!("inbox_logins_throttled_total").increment(1);
            return Err(Error::TooManyRequests { retry_after_secs });
        }
    };
    let checked = check(pool, username, password).await;
    match checked {
        Ok(Some(user)) => {
            login_failures::forgive(pool, attempt).await?;
            login_failures::clear(pool, username, address).await?;
            session
                .cycle_id()
                .await
                .map_err(|e| anyhow::anyhow!("cycle session id: {e}"))?;
            bind_session(pool, session, user.user_id).await?;
            tracing::info!(user_id = %user.user_id, "signed in");
            Ok(user)
        }
        Ok(None) => {
            tracing::info!(%username, %address, "failed login");
            metrics::counter!("inbox_login_failures_total").increment(1);
            Err(Error::BadCredentials)
        }
        // Not checked (the server is busy hashing, or the database failed): not a failure.
        Err(e) => {
            login_failures::forgive(pool, attempt).await?;
            Err(e)
        }
    }
}

/// The active user with these credentials, if any. A wrong username costs the same hash as a
/// wrong password.
async fn check(pool: &PgPool, username: &str, password: String) -> Result<Option<UserInfo>, Error> {
    let found = users::find_credentials(pool, username).await?;
    let hash = match &found {
        Some((_, hash)) => hash.clone(),
        None => dummy_hash().await?,
    };
    let ok = verify_password(password, hash).await?;
    Ok(found.and_then(|(user, _)| (ok && user.active).then_some(user)))
}

/// Stores the user and their current auth epoch in the session.
pub async fn bind_session(pool: &PgPool, session: &Session, user_id: UserId) -> Result<(), Error> {
    let epoch = users::auth_epoch(pool, user_id).await?;
    session
        .insert(SESSION_USER, user_id)
        .await
        .map_err(|e| anyhow::anyhow!("session insert: {e}"))?;
    session
        .insert(SESSION_EPOCH, epoch)
        .await
        .map_err(|e| anyhow::anyhow!("session insert: {e}"))?;
    touch(session).await
}

/// Extends the session if it was last extended [`EXTEND_EVERY_SECS`] ago or more.
async fn touch(session: &Session) -> Result<(), Error> {
    let now = chrono::Utc::now().timestamp();
    let touched: Option<i64> = session
        .get(SESSION_TOUCHED)
        .await
        .map_err(|e| anyhow::anyhow!("session read: {e}"))?;
    if touched.is_none_or(|t| now - t >= EXTEND_EVERY_SECS) {
        session
            .insert(SESSION_TOUCHED, now)
            .await
            .map_err(|e| anyhow::anyhow!("session insert: {e}"))?;
    }
    Ok(())
}

/// The user behind a session, or `None`. A session whose user was deactivated, or whose
/// password was reset since it signed in (the epoch moved), is emptied on the spot. A session
/// in use is extended (its idle expiry starts again) when it was last extended a minute ago
/// or more: the session layer saves a modified session at the end of the request.
pub async fn session_user(pool: &PgPool, session: &Session) -> Result<Option<UserInfo>, Error> {
    let uid: Option<UserId> = session
        .get(SESSION_USER)
        .await
        .map_err(|e| anyhow::anyhow!("session read: {e}"))?;
    let Some(uid) = uid else { return Ok(None) };
    let epoch: Option<i32> = session
        .get(SESSION_EPOCH)
        .await
        .map_err(|e| anyhow::anyhow!("session read: {e}"))?;
    match users::find_with_epoch(pool, uid).await? {
        Some((user, current)) if user.active && Some(current) == epoch => {
            touch(session).await?;
            Ok(Some(user))
        }
        _ => {
            session
                .flush()
                .await
                .map_err(|e| anyhow::anyhow!("session flush: {e}"))?;
            Ok(None)
        }
    }
}

/// A signed-in session, as something that outlives its request (an open event stream) keeps
/// it: enough to ask later whether it still stands.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionKey {
    session_id: String,
    pub user_id: UserId,
    epoch: i32,
}

/// The key of a session [`session_user`] has just accepted; `None` for a session without a
/// stored id or user.
pub async fn session_key(session: &Session) -> Result<Option<SessionKey>, Error> {
    let read = |e: tower_sessions::session::Error| anyhow::anyhow!("session read: {e}");
    let user_id: Option<UserId> = session.get(SESSION_USER).await.map_err(read)?;
    let epoch: Option<i32> = session.get(SESSION_EPOCH).await.map_err(read)?;
    Ok(match (session.id(), user_id, epoch) {
        (Some(id), Some(user_id), Some(epoch)) => Some(SessionKey {
            session_id: id.to_string(),
            user_id,
            epoch,
        }),
        _ => None,
    })
}

/// Whether each of `keys` still stands (not signed out, not expired, its user neither
/// deactivated nor given a new password since), in their order: one query for all of them.
pub async fn standing(pool: &PgPool, keys: &[SessionKey]) -> Result<Vec<bool>, Error> {
    let keys: Vec<(&str, UserId, i32)> = keys
        .iter()
        .map(|k| (k.session_id.as_str(), k.user_id, k.epoch))
        .collect();
    sessions::standing(pool, &keys).await
}
