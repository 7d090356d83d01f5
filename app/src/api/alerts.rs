//! Alerts about the provider accounts (a restricted or disabled WhatsApp number), for admins.

use crate::model::AccountAlert;
use crate::AppError;
use leptos::prelude::*;

/// Account alerts of the last 7 days, newest first (admins only).
#[server(endpoint = "admin/account_alerts")]
pub async fn account_alerts() -> Result<Vec<AccountAlert>, AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        auth::require_admin().await?;
        Ok(inbox::db::provider_events::recent_alerts(&AppState::get()?.pool, 7).await?)
    })
    .await
}
