//! Message templates: a chat's channel's templates for the composer, the text a filled template
//! becomes, sending one (also past Meta's 24-hour window); for admins, a channel's templates and
//! "Sync templates".

use crate::model::{ChannelId, ChatId, MessageView, TemplateList};
use crate::AppError;
use leptos::prelude::*;

#[server(endpoint = "chats/templates")]
pub async fn chat_templates(chat_id: ChatId) -> Result<TemplateList, AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        auth::require_user().await?;
        Ok(inbox::templates::for_chat(&AppState::get()?.pool, chat_id).await?)
    })
    .await
}

/// What the customer will read, or why it cannot be sent (the empty variable, by name).
#[server(endpoint = "chats/template_preview", input = server_fn::codec::Json)]
pub async fn template_preview(
    chat_id: ChatId,
    name: String,
    language: String,
    values: Vec<String>,
) -> Result<String, AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        auth::require_user().await?;
        let pool = AppState::get()?.pool;
        Ok(inbox::templates::preview(&pool, chat_id, &name, &language, &values).await?)
    })
    .await
}

/// Sends a template through the outbox; it shows at once as `queued`, with its text.
#[server(endpoint = "chats/send_template", input = server_fn::codec::Json)]
pub async fn send_template(
    chat_id: ChatId,
    name: String,
    language: String,
    values: Vec<String>,
) -> Result<Vec<MessageView>, AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        let user = auth::require_user().await?;
        let pool = AppState::get()?.pool;
        Ok(inbox::templates::queue(&pool, chat_id, &user, &name, &language, &values).await?)
    })
    .await
}

#[server(endpoint = "admin/channels/templates")]
pub async fn channel_templates(channel_id: ChannelId) -> Result<TemplateList, AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        auth::require_admin().await?;
        Ok(inbox::templates::for_channel(&AppState::get()?.pool, channel_id).await?)
    })
    .await
}

/// "Sync templates": the channel's templates fetched from its provider now.
#[server(endpoint = "admin/channels/sync_templates")]
pub async fn sync_templates(channel_id: ChannelId) -> Result<TemplateList, AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        auth::require_admin().await?;
        let state = AppState::get()?;
        inbox::templates::sync(&state.pool, &state.channels, channel_id).await?;
        Ok(inbox::templates::for_channel(&state.pool, channel_id).await?)
    })
    .await
}
