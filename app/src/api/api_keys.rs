//! API keys, for admins (and their scripts: the endpoints are fixed). Creating one answers the
//! whole key in `key`, this once; afterwards only its prefix is shown.

use crate::model::{ApiKeyView, CreatedApiKey};
use crate::AppError;
use leptos::prelude::*;

#[server(endpoint = "admin/api_keys/list")]
pub async fn list_api_keys() -> Result<Vec<ApiKeyView>, AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        auth::require_admin().await?;
        Ok(inbox::api_keys::list(&AppState::get()?.pool).await?)
    })
    .await
}

/// A key named `name`; `channels` (channel ids, comma separated) limits it, empty: every
/// channel.
#[server(endpoint = "admin/api_keys/create")]
pub async fn create_api_key(
    name: String,
    channels: Option<String>,
) -> Result<CreatedApiKey, AppError> {
    use crate::model::{ChannelId, Reason};
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        let admin = auth::require_admin().await?;
        let state = AppState::get()?;
        let channels = match channels.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            None => None,
            Some(list) => Some(
                list.split(',')
                    .map(|id| id.trim().parse().map(ChannelId))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| AppError::invalid("channels", Reason::ChannelFieldRequired))?,
            ),
        };
        Ok(inbox::api_keys::create(&state.pool, &state.api_keys, &admin, &name, channels).await?)
    })
    .await
}

#[server(endpoint = "admin/api_keys/revoke")]
pub async fn revoke_api_key(id: i64) -> Result<(), AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        auth::require_admin().await?;
        Ok(inbox::api_keys::revoke(&AppState::get()?.pool, id).await?)
    })
    .await
}
