//! Sign in, sign out, who am I, and the first-admin set-up.

use crate::model::{SetupInfo, UserInfo};
use crate::AppError;
use leptos::prelude::*;

/// The client's address, for throttling: the peer's, or the one a trusted proxy forwarded.
#[cfg(feature = "ssr")]
async fn client_address(state: &crate::ssr::AppState) -> String {
    use axum::extract::ConnectInfo;
    use axum::http::HeaderMap;
    use std::net::SocketAddr;
    let Ok(ConnectInfo(peer)) = leptos_axum::extract::<ConnectInfo<SocketAddr>>().await else {
        return "unknown".to_string();
    };
    let headers = leptos_axum::extract::<HeaderMap>()
        .await
        .unwrap_or_default();
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    state
        .settings
        .trusted_proxies
        .client(peer.ip(), &forwarded)
        .to_string()
}

/// `POST /api/login` (form fields `username`, `password`).
#[server(endpoint = "login")]
pub async fn login(username: String, password: String) -> Result<UserInfo, AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        let state = AppState::get()?;
        let session = auth::request_session().await?;
        let address = client_address(&state).await;
        Ok(
            inbox::accounts::sessions::login(&state.pool, &session, &username, password, &address)
                .await?,
        )
    })
    .await
}

/// `POST /api/logout`: ends the session and sends the browser to the login page.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::ssr::{auth, respond};
    respond(async move {
        let session = auth::request_session().await?;
        session
            .flush()
            .await
            .map_err(|e| anyhow::anyhow!("session flush: {e}"))?;
        leptos_axum::redirect("/login");
        Ok(())
    })
    .await
}

/// The signed-in user, or `None`.
#[server(endpoint = "me")]
pub async fn me() -> Result<Option<UserInfo>, AppError> {
    crate::ssr::respond(crate::ssr::auth::current_user()).await
}

#[server(endpoint = "setup_status")]
pub async fn setup_status() -> Result<SetupInfo, AppError> {
    use crate::ssr::{respond, AppState};
    use inbox::db::users;
    respond(async move {
        let state = AppState::get()?;
        Ok(SetupInfo {
            needs_first_admin: users::count(&state.pool).await? == 0,
            demo: state.settings.demo,
        })
    })
    .await
}

/// Creates the first account, an admin, and signs it in. Refused once any account exists.
#[server(endpoint = "create_first_admin")]
pub async fn create_first_admin(
    username: String,
    display_name: String,
    password: String,
) -> Result<UserInfo, AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        let state = AppState::get()?;
        let user =
            inbox::accounts::create_first_admin(&state.pool, &username, &display_name, password)
                .await?;
        let session = auth::request_session().await?;
        session
            .cycle_id()
            .await
            .map_err(|e| anyhow::anyhow!("cycle session id: {e}"))?;
        inbox::accounts::sessions::bind_session(&state.pool, &session, user.user_id).await?;
        Ok(user)
    })
    .await
}
