//! `AppState`: what every server function and axum handler can reach (through leptos context
//! or axum `State`).

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::PgPool;
use std::sync::Arc;

/// Settings the app crate needs at request time (the rest of the configuration stays in the
/// server crate).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Demo mode: demo accounts exist and the login page lists them.
    pub demo: bool,
    /// The mode a closed chat reopens into when the customer writes again.
    pub reopen_mode: crate::model::Mode,
    /// `INBOX_PUBLIC_URL`: where users (and providers) reach this server.
    pub public_url: Option<String>,
    /// Proxies whose `X-Forwarded-For` names the client (`INBOX_TRUSTED_PROXIES`).
    pub trusted_proxies: inbox::accounts::address::TrustedProxies,
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    /// The channel registry (adapters, the Channels page's operations).
    pub channels: Arc<inbox::channels::Channels>,
    pub settings: Arc<Settings>,
    /// The media store (customers' and agents' files).
    pub media: inbox::media::MediaStore,
    /// Hashes API keys under the installation's secret key, and limits their rate.
    pub api_keys: Arc<inbox::api_keys::ApiKeys>,
    /// Outbound webhooks (the Webhooks page's operations; the guarded client for links).
    pub hooks: inbox::hooks::Hooks,
}

impl AppState {
    /// The state of the current request (provided by `leptos_routes_with_context`).
    pub fn get() -> Result<AppState, crate::AppError> {
        leptos::prelude::use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from the leptos context");
            crate::AppError::Internal
        })
    }
}
