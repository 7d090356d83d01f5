//! Admin-only channel management: list, add or edit (secrets are write-only: an empty field
//! keeps the stored one, and none travels back), test the connection, per-channel behaviour,
//! enable/disable, delete. Form fields are plain strings (validated on the server into the
//! typed input), so scripts can call the fixed endpoints too.

// The save form has one field per input (the macro's generated functions take them all).
#![allow(clippy::too_many_arguments)]

use crate::model::{ChannelHealth, ChannelId, ChannelView, ChannelsPage};
use crate::AppError;
use leptos::prelude::*;

#[server(endpoint = "admin/channels/list")]
pub async fn list_channels() -> Result<ChannelsPage, AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        auth::require_admin().await?;
        let state = AppState::get()?;
        let base_url = match &state.settings.public_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => request_origin().await,
        };
        Ok(ChannelsPage {
            base_url,
            channels: state.channels.views().await?,
        })
    })
    .await
}

/// `http(s)://host` of the current request (behind a proxy: its `X-Forwarded-Proto`).
#[cfg(feature = "ssr")]
async fn request_origin() -> String {
    let headers: http::HeaderMap = leptos_axum::extract().await.unwrap_or_default();
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let scheme = get("x-forwarded-proto").unwrap_or_else(|| "http".to_string());
    let host = get("host").unwrap_or_else(|| "localhost".to_string());
    format!("{scheme}://{host}")
}

/// Adds a channel (`channel_id` empty) or edits one; either way its connection is tested and
/// the result stored.
#[server(endpoint = "admin/channels/save")]
pub async fn save_channel(
    #[server(default)] channel_id: String,
    kind: String,
    name: String,
    #[server(default)] phone_number_id: String,
    #[server(default)] business_account_id: String,
    #[server(default)] graph_url: String,
    #[server(default)] access_token: String,
    #[server(default)] app_secret: String,
    #[server(default)] base_url: String,
    #[server(default)] token: String,
) -> Result<ChannelView, AppError> {
    use crate::model::{ChannelKind, Reason};
    use crate::ssr::{auth, respond, AppState};
    use inbox::channels::admin::{ChannelInput, KindFields};
    respond(async move {
        auth::require_admin().await?;
        let fields = match ChannelKind::parse(&kind) {
            Some(ChannelKind::Meta) => KindFields::Meta {
                phone_number_id,
                business_account_id,
                graph_url,
                access_token,
                app_secret,
            },
            Some(ChannelKind::Whapi) => KindFields::Whapi { base_url, token },
            _ => return Err(AppError::invalid("kind", Reason::ChannelKindInvalid)),
        };
        let input = ChannelInput { name, fields };
        let channels = AppState::get()?.channels;
        Ok(match channel_id.trim() {
            "" => channels.create(input).await?,
            id => {
                let id = id.parse::<ChannelId>().map_err(|_| AppError::NotFound)?;
                channels.update(id, input).await?
            }
        })
    })
    .await
}

#[server(endpoint = "admin/channels/test")]
pub async fn test_channel(channel_id: ChannelId) -> Result<ChannelHealth, AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        auth::require_admin().await?;
        Ok(AppState::get()?.channels.check(channel_id).await?)
    })
    .await
}

#[server(endpoint = "admin/channels/enable")]
pub async fn set_channel_enabled(
    channel_id: ChannelId,
    enabled: bool,
) -> Result<ChannelView, AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        auth::require_admin().await?;
        Ok(AppState::get()?
            .channels
            .set_enabled(channel_id, enabled)
            .await?)
    })
    .await
}

/// Marks the channel as the API's default for calls that name none (unmarking any other), or
/// unmarks it.
#[server(endpoint = "admin/channels/api_default")]
pub async fn set_channel_api_default(
    channel_id: ChannelId,
    on: bool,
) -> Result<ChannelView, AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        auth::require_admin().await?;
        Ok(AppState::get()?
            .channels
            .set_api_default(channel_id, on)
            .await?)
    })
    .await
}

#[server(endpoint = "admin/channels/settings")]
pub async fn set_channel_settings(
    channel_id: ChannelId,
    // Checkboxes: an unticked one is not in the form at all, so absent means off.
    #[server(default)] read_receipts: bool,
    #[server(default)] typing: bool,
    #[server(default)] bot: bool,
    reply_delay_secs: String,
) -> Result<ChannelView, AppError> {
    use crate::model::{ChannelSettings, Reason, MAX_REPLY_DELAY_SECS};
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        auth::require_admin().await?;
        let reply_delay_secs = reply_delay_secs
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|d| *d <= MAX_REPLY_DELAY_SECS)
            .ok_or(AppError::invalid(
                "reply_delay_secs",
                Reason::ReplyDelayInvalid,
            ))?;
        let settings = ChannelSettings {
            read_receipts,
            typing,
            bot,
            reply_delay_secs,
        };
        Ok(AppState::get()?
            .channels
            .set_settings(channel_id, settings)
            .await?)
    })
    .await
}

#[server(endpoint = "admin/channels/delete")]
pub async fn delete_channel(channel_id: ChannelId) -> Result<(), AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        auth::require_admin().await?;
        Ok(AppState::get()?.channels.delete(channel_id).await?)
    })
    .await
}
