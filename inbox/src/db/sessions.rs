//! The session rows tower-sessions keeps (`tower_sessions.session`), read back for what
//! outlives a request: an open event stream.

use crate::Error;
use model::UserId;
use sqlx::PgPool;

/// Whether a session still stands: its row exists and has not expired (a logout deletes it),
/// and its user is active with the auth epoch the session signed in with (a deactivation or a
/// password reset moves them).
pub async fn stands(
    pool: &PgPool,
    session_id: &str,
    user_id: UserId,
    epoch: i32,
) -> Result<bool, Error> {
    Ok(sqlx::query_scalar(
        "select exists(select 1 from tower_sessions.session
                        where id = $1 and expiry_date > now())
            and exists(select 1 from app_user
                        where user_id = $2 and active and auth_epoch = $3)",
    )
    .bind(session_id)
    .bind(user_id)
    .bind(epoch)
    .fetch_one(pool)
    .await?)
}
