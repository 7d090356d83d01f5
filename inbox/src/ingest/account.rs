//! Events about a provider account rather than a conversation, and the bodies we acknowledged
//! without acting on all of them. Meta disables a webhook that keeps failing, so nothing
//! signed and well-formed is refused: what we act on is recorded here, the rest is kept raw.

use crate::db::provider_events::{self, TemplateStatus};
use crate::Error;
use sqlx::PgPool;
use whatsapp::{AccountEvent, AccountEventKind};

/// Records account alerts (shown to admins) and template review states (applied to the synced
/// templates too), in one transaction.
pub async fn record(pool: &PgPool, provider: &str, events: &[&AccountEvent]) -> Result<(), Error> {
    if events.is_empty() {
        return Ok(());
    }
    let mut tx = pool.begin().await?;
    for e in events {
        match &e.kind {
            AccountEventKind::Alert { event, detail } => {
                tracing::error!(%provider, account = %e.account_id, %event, ?detail, "provider account alert");
                provider_events::insert_alert(
                    &mut tx,
                    provider,
                    &e.account_id,
                    event,
                    detail.as_deref(),
                    &e.raw,
                )
                .await?;
            }
            AccountEventKind::TemplateStatus {
                template_id,
                name,
                language,
                status,
                reason,
            } => {
                tracing::info!(%provider, %template_id, ?name, %status, ?reason, "template status");
                // The stored template follows at once: a paused or rejected one is refused
                // before it is sent. A reinstated template is approved again.
                let state = match status.as_str() {
                    "REINSTATED" => "APPROVED",
                    other => other,
                };
                crate::db::templates::set_status(&mut tx, template_id, state).await?;
                provider_events::upsert_template_status(
                    &mut tx,
                    &TemplateStatus {
                        provider,
                        account_id: &e.account_id,
                        template_id,
                        name: name.as_deref(),
                        language: language.as_deref(),
                        status,
                        reason: reason.as_deref(),
                    },
                )
                .await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Keeps the raw body of a delivery with parts we did not act on, and why.
pub async fn keep(
    pool: &PgPool,
    provider: &str,
    reasons: &[String],
    body: &[u8],
) -> Result<(), Error> {
    provider_events::keep(pool, provider, reasons, body).await
}
