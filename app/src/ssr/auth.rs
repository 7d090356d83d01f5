//! The session of the current server-function request, and the role guards every server
//! function starts with. Sign-in, hashing and the session ↔ user link are
//! `inbox::accounts`.

use super::AppState;
use crate::model::{Role, UserInfo};
use crate::AppError;
use tower_sessions::Session;

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
    Ok(inbox::accounts::sessions::session_user(&state.pool, &session).await?)
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
