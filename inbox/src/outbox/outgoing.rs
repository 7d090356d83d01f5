//! What a claimed reply sends: its text, its template, its buttons or list (as a numbered menu
//! where the provider has no buttons), or its file by the provider's media id
//! (uploaded first, once: the id is kept in `attachment.upload_id`, so a retried send does not
//! upload again), quoting the message it answers.

use super::Outbox;
use crate::db::{attachments, outbox};
use whatsapp::{Content, MediaMessage, Outgoing, SendError, Upload};

impl Outbox {
    /// What the claimed reply sends: its text, or its file by the provider's media id (uploaded
    /// first, once: the id is kept, so a retried send does not upload again), quoting the
    /// message it answers.
    pub(super) async fn outgoing(
        &self,
        provider: &dyn whatsapp::Provider,
        job: &outbox::Claimed,
    ) -> Result<Outgoing, SendError> {
        let content = if job.kind == model::MessageKind::Text {
            Content::Text(job.body.clone().unwrap_or_default())
        } else if job.kind == model::MessageKind::Reaction {
            return Ok(Outgoing {
                content: Content::Reaction {
                    message_id: job
                        .reply_to
                        .clone()
                        .ok_or_else(|| SendError::permanent("the reaction is on no message"))?,
                    emoji: job.body.clone().unwrap_or_default(),
                },
                reply_to: None,
            });
        } else if job.kind == model::MessageKind::Interactive {
            let interactive: whatsapp::Interactive = job
                .interactive
                .clone()
                .and_then(|v| serde_json::from_value(v).ok())
                .ok_or_else(|| {
                    SendError::permanent("the message's buttons or list cannot be read")
                })?;
            // Providers without buttons get the same as a numbered menu, whose numbers the
            // bot matches like taps.
            if provider.capabilities().interactive {
                Content::Interactive(interactive)
            } else {
                Content::Text(interactive.numbered_text())
            }
        } else if job.kind == model::MessageKind::Template {
            let mut template = job
                .template
                .clone()
                .ok_or_else(|| SendError::permanent("the template message has nothing to send"))?;
            // A media header the agent attached goes by the provider's id, uploaded once.
            if whatsapp::templates::waits_for_header_media(&template) {
                let media_id = self.media_id(provider, job).await?;
                if !whatsapp::templates::set_header_media(
                    &mut template,
                    &media_id,
                    job.filename.as_deref(),
                ) {
                    return Err(SendError::permanent(
                        "the template has no media header for its file",
                    ));
                }
            }
            Content::Template(template)
        } else {
            let kind = job
                .kind
                .as_str()
                .parse::<whatsapp::MessageKind>()
                .map_err(|_| {
                    SendError::permanent(format!("a {} message cannot be sent", job.kind))
                })?;
            let media_id = self.media_id(provider, job).await?;
            Content::Media(MediaMessage {
                kind,
                media_id,
                caption: job.body.clone(),
                filename: job.filename.clone(),
            })
        };
        Ok(Outgoing {
            content,
            reply_to: job.reply_to.clone(),
        })
    }

    /// The provider's id of the message's file: kept from an earlier attempt, or uploaded now.
    async fn media_id(
        &self,
        provider: &dyn whatsapp::Provider,
        job: &outbox::Claimed,
    ) -> Result<String, SendError> {
        match (&job.upload_id, &job.file_sha256) {
            (Some(id), _) => Ok(id.clone()),
            (None, Some(sha256)) => self.upload(provider, job, sha256).await,
            (None, None) => Err(SendError::permanent(
                "the file was removed from the media store before it was sent",
            )),
        }
    }

    async fn upload(
        &self,
        provider: &dyn whatsapp::Provider,
        job: &outbox::Claimed,
        sha256: &str,
    ) -> Result<String, SendError> {
        let bytes = match self.store.read(sha256).await {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(SendError::permanent(
                    "the file was removed from the media store before it was sent",
                ))
            }
            Err(e) => {
                return Err(SendError::retryable(format!(
                    "reading the file from the media store: {e}"
                )))
            }
        };
        let mime_type = job
            .mime_type
            .as_deref()
            .unwrap_or("application/octet-stream");
        let filename = job.filename.as_deref().unwrap_or("file");
        let upload = Upload {
            bytes: &bytes,
            mime_type,
            filename,
        };
        let started = std::time::Instant::now();
        let media_id = provider.upload_media(&upload).await?;
        metrics::histogram!("inbox_upload_seconds").record(started.elapsed());
        tracing::info!(media_id = %media_id, size = bytes.len(), "uploaded");
        // Kept at once, outside the send's transaction: whatever happens to the send, the
        // provider has the file.
        if let Err(e) = attachments::set_upload_id(&self.pool, job.message_id, &media_id).await {
            tracing::warn!(error = %e, "could not keep the provider's media id; a retry uploads again");
        }
        Ok(media_id)
    }
}
