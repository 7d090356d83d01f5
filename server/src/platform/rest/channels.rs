//! `GET /api/v1/channels`: the channels the key may use, with their state.

use super::dto::Channel;
use super::Key;
use crate::platform::RestError;
use app::ssr::AppState;
use axum::extract::State;
use axum::Json;

/// Channels
///
/// The WhatsApp numbers the key may send through: `state` is what the last connection test
/// found (`connected`, `disconnected`, `qr_ready` for a linked device waiting for its scan,
/// `disabled`, or `unknown` before any test).
#[utoipa::path(
    get,
    path = "/api/v1/channels",
    tag = "channels",
    responses((status = 200, description = "OK", body = Vec<Channel>))
)]
pub async fn list(
    State(state): State<AppState>,
    Key(caller): Key,
) -> Result<Json<Vec<Channel>>, RestError> {
    let channels = inbox::platform::channel::channels_of(&state.pool, &caller).await?;
    Ok(Json(
        channels
            .into_iter()
            .map(|c| Channel {
                id: c.channel_id.0,
                name: c.name,
                kind: c.kind.as_str().to_owned(),
                phone: c.phone,
                enabled: c.enabled,
                state: c.state.as_str().to_owned(),
                default: c.api_default,
            })
            .collect(),
    ))
}
