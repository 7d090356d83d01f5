//! Outbound webhooks, for admins (and their scripts: the endpoints are fixed). Creating one
//! answers its `id` and, this once, its whole `secret`.

use crate::model::{CreatedWebhook, DeliveryView, WebhookView};
use crate::AppError;
use leptos::prelude::*;

#[server(endpoint = "admin/webhooks/list")]
pub async fn list_webhooks() -> Result<Vec<WebhookView>, AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        auth::require_admin().await?;
        Ok(AppState::get()?.hooks.list().await?)
    })
    .await
}

/// An endpoint at `url`, signed with `secret` (generated when empty), for `events` (a comma
/// separated list; empty: every event).
#[server(endpoint = "admin/webhooks/create")]
pub async fn create_webhook(
    url: String,
    #[server(default)] secret: String,
    #[server(default)] events: String,
) -> Result<CreatedWebhook, AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        let admin = auth::require_admin().await?;
        let events: Vec<String> = events
            .split(',')
            .map(|e| e.trim().to_owned())
            .filter(|e| !e.is_empty())
            .collect();
        Ok(AppState::get()?
            .hooks
            .create(&admin, &url, Some(&secret), &events)
            .await?)
    })
    .await
}

/// Enables (a paused endpoint resumes) or disables an endpoint.
#[server(endpoint = "admin/webhooks/enable")]
pub async fn set_webhook_enabled(id: i64, enabled: bool) -> Result<(), AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        auth::require_admin().await?;
        Ok(AppState::get()?.hooks.set_enabled(id, enabled).await?)
    })
    .await
}

#[server(endpoint = "admin/webhooks/delete")]
pub async fn delete_webhook(id: i64) -> Result<(), AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        auth::require_admin().await?;
        Ok(AppState::get()?.hooks.delete(id).await?)
    })
    .await
}

/// "Send test event".
#[server(endpoint = "admin/webhooks/test")]
pub async fn test_webhook(id: i64) -> Result<(), AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        auth::require_admin().await?;
        Ok(AppState::get()?.hooks.send_test(id).await?)
    })
    .await
}

/// "Redeliver" one delivery (its event again, with the same `X-Webhook-Id`).
#[server(endpoint = "admin/webhooks/redeliver")]
pub async fn redeliver_webhook(delivery_id: i64) -> Result<(), AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        auth::require_admin().await?;
        Ok(AppState::get()?.hooks.redeliver(delivery_id).await?)
    })
    .await
}

/// An endpoint's latest deliveries, newest first.
#[server(endpoint = "admin/webhooks/log")]
pub async fn webhook_log(id: i64) -> Result<Vec<DeliveryView>, AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        auth::require_admin().await?;
        Ok(AppState::get()?.hooks.log(id, 50).await?)
    })
    .await
}
