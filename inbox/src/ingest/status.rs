//! Delivery statuses: ticks move forward only.

use crate::db::{events, messages};
use crate::outbox::Callback;
use crate::Error;
use model::{ChannelId, LiveEvent};
use sqlx::PgConnection;
use whatsapp::StatusUpdate;

/// Applies a delivery status, forward only. A status for a send whose response we never saw
/// (we crashed, or the request timed out) is matched by the callback data we attached to it
/// (`msg-<message id>`), which also teaches us the provider's id.
pub(super) async fn apply_status(
    conn: &mut PgConnection,
    channel_id: ChannelId,
    s: &StatusUpdate,
) -> Result<bool, Error> {
    if let Some(Callback(message_id)) = s.callback_data.as_deref().and_then(Callback::parse) {
        messages::adopt_provider_id(conn, message_id, channel_id, &s.provider_message_id).await?;
    }
    let code = s.error.as_ref().and_then(|e| e.code.clone());
    let reason = s.error.as_ref().map(|e| {
        [e.title.as_deref(), e.detail.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(": ")
    });
    let changed = messages::apply_status(
        conn,
        channel_id,
        &s.provider_message_id,
        s.state.as_str(),
        s.at,
        code.as_deref(),
        reason.as_deref().filter(|r| !r.is_empty()),
    )
    .await?;
    let Some((message_id, _)) = changed else {
        return Ok(false);
    };
    let view = messages::view(conn, message_id).await?;
    events::publish(conn, &LiveEvent::MessageUpdated(view)).await?;
    Ok(true)
}
