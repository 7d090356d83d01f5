//! The sandbox channel's adapter: sending succeeds at once (the reply is already in our
//! database, where the sandbox phone page reads it). Inbound sandbox messages come from the
//! sandbox phone page ([`customer_writes`], [`customer_sends_file`]), not from webhooks. Files
//! go both ways through our own media store: the "provider's media id" of a sandbox file is
//! its name there, so a customer's file takes the same fetch path as a provider's.

use crate::db::{channels, chats, events, messages};
use crate::ingest;
use crate::media::MediaStore;
use crate::replies::files::StoredFile;
use crate::Error;
use model::{Mode, Reason};
use sqlx::PgPool;
use whatsapp::{
    Capabilities, Content, Downloaded, MediaError, MediaRef, Outgoing, ParseError, ParseOutcome,
    Provider, ProviderKind, Recipient, SendError, SendReceipt, Upload, VerifyError,
};

#[derive(Debug)]
pub struct SandboxProvider {
    pub store: MediaStore,
}

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

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            media: true,
            quotes: true,
            reactions: true,
            read_receipts: true,
            typing: true,
            typing_stops: true,
            ..Capabilities::default()
        }
    }

    /// Nothing to call: the phone shows what the outbox records once this returns (the
    /// customer's messages read up to this one).
    async fn mark_read(&self, _to: &Recipient, _message_id: &str) -> Result<(), SendError> {
        Ok(())
    }

    /// Nothing to call: the phone shows "typing…" from what the outbox records once this
    /// returns.
    async fn typing(
        &self,
        _to: &Recipient,
        _last_inbound: &str,
        _on: bool,
    ) -> Result<(), SendError> {
        Ok(())
    }

    async fn download_media(
        &self,
        media: &MediaRef,
        max_bytes: u64,
    ) -> Result<Downloaded, MediaError> {
        let name = media.id.as_deref().unwrap_or_default();
        let bytes =
            self.store.read(name).await.map_err(|e| {
                MediaError::Expired(format!("the sandbox phone's file {name:?}: {e}"))
            })?;
        if bytes.len() as u64 > max_bytes {
            return Err(MediaError::TooLarge {
                size: bytes.len() as u64,
                limit: max_bytes,
            });
        }
        Ok(Downloaded {
            bytes,
            mime_type: media.mime_type.clone(),
        })
    }

    /// The file is in our store already: its name is the sandbox's media id.
    async fn upload_media(&self, file: &Upload<'_>) -> Result<String, SendError> {
        Ok(MediaStore::name_of(file.bytes))
    }

    async fn send(
        &self,
        _to: &Recipient,
        message: &Outgoing,
        idempotency_key: &str,
    ) -> Result<SendReceipt, SendError> {
        if let Content::Text(text) = &message.content {
            if text.trim().is_empty() {
                return Err(SendError::permanent("empty message"));
            }
        }
        Ok(SendReceipt {
            provider_message_id: format!("sandbox-out-{idempotency_key}"),
        })
    }

    async fn send_text(
        &self,
        to: &Recipient,
        text: &str,
        idempotency_key: &str,
    ) -> Result<SendReceipt, SendError> {
        self.send(to, &Outgoing::text(text), idempotency_key).await
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
    let text = text.trim().to_string();
    if text.is_empty() {
        return Err(Error::invalid("text", Reason::ReplyEmpty));
    }
    let message = CustomerMessage {
        kind: whatsapp::MessageKind::Text,
        text: Some(text),
        media: None,
    };
    customer_sends(pool, phone, name, message, reopen_mode).await
}

/// The sandbox phone's customer sends a file (already in the media store) with a caption. Its
/// download is queued like a provider's; an OGG audio file is a voice note, as WhatsApp's
/// recorder makes them.
pub async fn customer_sends_file(
    pool: &PgPool,
    phone: &str,
    name: &str,
    file: &StoredFile,
    caption: Option<&str>,
    reopen_mode: Mode,
) -> Result<(), Error> {
    let kind = crate::replies::files::check_file(file)?;
    let voice = kind == whatsapp::MessageKind::Audio && file.mime_type.starts_with("audio/ogg");
    let message = CustomerMessage {
        kind,
        text: caption
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned),
        media: Some(MediaRef {
            id: Some(file.sha256.clone()),
            url: None,
            mime_type: Some(file.mime_type.clone()),
            sha256: Some(file.sha256.clone()),
            filename: (kind == whatsapp::MessageKind::Document).then(|| file.filename.clone()),
            size: Some(file.size),
            voice,
        }),
    };
    customer_sends(pool, phone, name, message, reopen_mode).await
}

struct CustomerMessage {
    kind: whatsapp::MessageKind,
    text: Option<String>,
    media: Option<MediaRef>,
}

async fn customer_sends(
    pool: &PgPool,
    phone: &str,
    name: &str,
    message: CustomerMessage,
    reopen_mode: Mode,
) -> Result<(), Error> {
    let phone = whatsapp::phone::normalize_phone(phone)
        .ok_or(Error::invalid("phone", Reason::PhoneInvalid))?;
    let name = Some(name.trim().to_string()).filter(|n| !n.is_empty());
    let provider_message_id = format!("sandbox-{}", uuid::Uuid::new_v4());
    let raw = serde_json::json!({
        "from": phone, "name": name, "type": message.kind.as_str(), "text": message.text,
        "media": message.media, "id": provider_message_id,
    });
    let event = whatsapp::InboundEvent::Message(whatsapp::InboundMessage {
        channel_key: channels::SANDBOX_KEY.to_string(),
        provider_message_id,
        from_phone: Some(phone),
        from_user_id: None,
        from_name: name,
        sent_at: chrono::Utc::now(),
        kind: message.kind,
        text: message.text,
        media: message.media,
        reply_to: None,
        choice: None,
        location: None,
        cards: Vec::new(),
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

/// The conversation as the sandbox phone shows it: the customer's messages and ours that the
/// provider took (a reply still queued or failed has not reached the phone), how far the
/// business has read the customer's (read receipts the outbox delivered), and whether
/// "typing…" shows. Showing our replies on the phone is what "delivered" and "read" mean for
/// the sandbox, so they become read here (and browsers are told).
pub async fn phone_reads(pool: &PgPool, phone: &str) -> Result<model::SandboxThread, Error> {
    let phone = whatsapp::phone::normalize_phone(phone)
        .ok_or(Error::invalid("phone", Reason::PhoneInvalid))?;
    let channel_id = channels::sandbox_id(pool).await?;
    let mut tx = pool.begin().await?;
    for message_id in messages::mark_read_for_phone(&mut tx, channel_id, &phone).await? {
        let view = messages::view(&mut tx, message_id).await?;
        events::publish(&mut tx, &model::LiveEvent::MessageUpdated(view)).await?;
    }
    tx.commit().await?;
    Ok(model::SandboxThread {
        messages: messages::for_contact(pool, channel_id, &phone, 200).await?,
        read_up_to: messages::read_up_to_for_phone(pool, channel_id, &phone).await?,
        typing_for_ms: chats::typing_shown_to_phone(pool, channel_id, &phone).await?,
    })
}
