//! The sandbox phone: a built-in WhatsApp channel for demos and tests. What a "customer" types
//! on `/sandbox` goes through the same ingest path as a provider webhook. Open to anyone in demo
//! mode; otherwise to signed-in admins only.

use crate::model::SandboxThread;
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
    use crate::ssr::respond;
    respond(async move {
        let state = allowed().await?;
        inbox::channels::sandbox::customer_writes(
            &state.pool,
            &phone,
            &name,
            &text,
            state.settings.reopen_mode,
        )
        .await?;
        Ok(())
    })
    .await
}

/// The conversation as the customer's phone shows it, with how far the business has read the
/// customer's messages. Showing our replies on the phone is what "delivered" and "read" mean for
/// the sandbox, so they are marked so here.
#[server(endpoint = "sandbox/messages")]
pub async fn sandbox_messages(phone: String) -> Result<SandboxThread, AppError> {
    use crate::ssr::respond;
    respond(async move {
        let state = allowed().await?;
        Ok(inbox::channels::sandbox::phone_reads(&state.pool, &phone).await?)
    })
    .await
}
