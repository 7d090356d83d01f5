//! The sandbox phone: a built-in WhatsApp channel for demos and tests. What a "customer" types
//! on `/sandbox` goes through the same ingest path as a provider webhook. Open to anyone in demo
//! mode; otherwise to signed-in admins only.

use crate::model::MessageView;
use crate::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
async fn allowed() -> Result<crate::ssr::AppState, AppError> {
    let state = crate::ssr::AppState::get()?;
    if !state.settings.demo {
        crate::ssr::auth::require_admin().await?;
    }
    Ok(state)
}

/// The customer sends a text message to the business.
#[server(endpoint = "sandbox/send")]
pub async fn sandbox_send(phone: String, name: String, text: String) -> Result<(), AppError> {
    use crate::ssr::{db::channels, ingest, respond};
    respond(async move {
        let state = allowed().await?;
        let phone = whatsapp::phone::normalize_phone(&phone).ok_or_else(|| AppError::invalid("phone", "phone_invalid"))?;
        let text = text.trim().to_string();
        if text.is_empty() {
            return Err(AppError::invalid("text", "reply_empty"));
        }
        let name = Some(name.trim().to_string()).filter(|n| !n.is_empty());
        let provider_message_id = format!("sandbox-{}", uuid::Uuid::new_v4());
        let raw = serde_json::json!({ "from": phone, "name": name, "text": text, "id": provider_message_id });
        let event = whatsapp::InboundEvent::Message(whatsapp::InboundMessage {
            channel_key: channels::SANDBOX_KEY.to_string(),
            provider_message_id,
            from_phone: Some(phone),
            from_user_id: None,
            from_name: name,
            sent_at: chrono::Utc::now(),
            kind: whatsapp::MessageKind::Text,
            text: Some(text),
            media: None,
            reply_to: None,
            raw,
        });
        let channel_id = channels::sandbox_id(&state.pool).await?;
        ingest::store(&state.pool, &[ingest::Routed { channel_id, event: &event }], state.settings.reopen_mode).await?;
        Ok(())
    })
    .await
}

/// The conversation as the customer's phone shows it. Showing our replies on the phone is what
/// "delivered" and "read" mean for the sandbox, so they are marked so here.
#[server(endpoint = "sandbox/messages")]
pub async fn sandbox_messages(phone: String) -> Result<Vec<MessageView>, AppError> {
    use crate::ssr::{db::channels, db::messages, respond};
    respond(async move {
        let state = allowed().await?;
        let phone = whatsapp::phone::normalize_phone(&phone)
            .ok_or_else(|| AppError::invalid("phone", "phone_invalid"))?;
        let channel_id = channels::sandbox_id(&state.pool).await?;
        messages::sandbox_mark_read(&state.pool, channel_id, &phone).await?;
        messages::for_contact(&state.pool, channel_id, &phone, 200).await
    })
    .await
}
