//! The sandbox channel's adapter: sending succeeds at once (the reply is already in our
//! database, where the sandbox phone page reads it). Inbound sandbox messages come from the
//! sandbox phone page ([`customer_writes`]), not from webhooks.

use crate::db::{channels, events, messages};
use crate::ingest;
use crate::Error;
use model::{Mode, Reason};
use sqlx::PgPool;
use whatsapp::{
    ParseError, ParseOutcome, Provider, ProviderKind, Recipient, SendError, SendReceipt,
    VerifyError,
};

#[derive(Debug)]
pub struct SandboxProvider;

#[async_trait::async_trait]
impl Provider for SandboxProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Sandbox
    }

    fn verify(&self, _: &http::HeaderMap, _: Option<&str>, _: &[u8]) -> Result<(), VerifyError> {
        Err(VerifyError::NotConfigured("sandbox webhook"))
    }

    fn parse(&self, _: &[u8]) -> Result<ParseOutcome, ParseError> {
        Ok(ParseOutcome::default())
    }

    /// Built in: always there.
    async fn check(
        &self,
        _timeout: std::time::Duration,
    ) -> Result<whatsapp::ConnectionInfo, whatsapp::CheckFailure> {
        Ok(whatsapp::ConnectionInfo {
            name: Some("Sandbox".into()),
            ..Default::default()
        })
    }

    async fn send_text(
        &self,
        _to: &Recipient,
        text: &str,
        idempotency_key: &str,
    ) -> Result<SendReceipt, SendError> {
        if text.trim().is_empty() {
            return Err(SendError::permanent("empty message"));
        }
        Ok(SendReceipt {
            provider_message_id: format!("sandbox-out-{idempotency_key}"),
        })
    }
}

/// The sandbox phone's customer sends a text message to the business: stored like a webhook's
/// message (with the bot's answer, in one transaction).
pub async fn customer_writes(
    pool: &PgPool,
    phone: &str,
    name: &str,
    text: &str,
    reopen_mode: Mode,
) -> Result<(), Error> {
    let phone = whatsapp::phone::normalize_phone(phone)
        .ok_or(Error::invalid("phone", Reason::PhoneInvalid))?;
    let text = text.trim().to_string();
    if text.is_empty() {
        return Err(Error::invalid("text", Reason::ReplyEmpty));
    }
    let name = Some(name.trim().to_string()).filter(|n| !n.is_empty());
    let provider_message_id = format!("sandbox-{}", uuid::Uuid::new_v4());
    let raw =
        serde_json::json!({ "from": phone, "name": name, "text": text, "id": provider_message_id });
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
    let channel_id = channels::sandbox_id(pool).await?;
    ingest::store(
        pool,
        &[ingest::Routed {
            channel_id,
            event: &event,
        }],
        reopen_mode,
    )
    .await?;
    Ok(())
}

/// The conversation as the sandbox phone shows it. Showing our replies on the phone is what
/// "delivered" and "read" mean for the sandbox, so they become read here (and browsers are
/// told).
pub async fn phone_reads(pool: &PgPool, phone: &str) -> Result<Vec<model::MessageView>, Error> {
    let phone = whatsapp::phone::normalize_phone(phone)
        .ok_or(Error::invalid("phone", Reason::PhoneInvalid))?;
    let channel_id = channels::sandbox_id(pool).await?;
    let mut tx = pool.begin().await?;
    for message_id in messages::mark_read_for_phone(&mut tx, channel_id, &phone).await? {
        let view = messages::view(&mut tx, message_id).await?;
        events::publish(&mut tx, &model::LiveEvent::MessageUpdated(view)).await?;
    }
    tx.commit().await?;
    messages::for_contact(pool, channel_id, &phone, 200).await
}
