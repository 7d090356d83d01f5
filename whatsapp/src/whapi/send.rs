//! Sending through Whapi: texts, files by their media id, buttons and lists, quoted replies
//! (§2.1, §8.1), and reactions (§2).

use serde_json::{json, Value};

use super::errors::succeeded;
use super::WhapiProvider;
use crate::error::SendError;
use crate::outgoing::{Content, MediaMessage, Outgoing};
use crate::provider::{Recipient, SendReceipt};
use crate::util::{execute, snippet, str_path, webhook_digits};

impl WhapiProvider {
    /// `PUT /messages/{MessageID}/reaction {"emoji"}` (whapi.md §2): answered `{"success":
    /// true}`, with no message of its own; the receipt's id is made unique per reaction. An
    /// empty emoji takes the reaction back. whapi.md lists only the PUT, so the removal is
    /// unconfirmed: `DELETE /messages/{MessageID}/reaction` first, and where Whapi does not
    /// know that route (404/405) the PUT with an empty emoji, WhatsApp's own way of removing one.
    async fn react(
        &self,
        message_id: &str,
        emoji: &str,
        idempotency_key: &str,
    ) -> Result<SendReceipt, SendError> {
        let mut url = self.url_with_id("messages", message_id)?;
        url.path_segments_mut()
            .map_err(|_| SendError::permanent("Whapi base URL cannot take a path"))?
            .push("reaction");
        let put = |url: reqwest::Url| {
            self.request(reqwest::Method::PUT, url)
                .json(&json!({ "emoji": emoji }))
        };
        let reply = if emoji.is_empty() {
            let reply = execute(self.request(reqwest::Method::DELETE, url.clone())).await?;
            if matches!(reply.status.as_u16(), 404 | 405) {
                execute(put(url)).await?
            } else {
                reply
            }
        } else {
            execute(put(url)).await?
        };
        succeeded(reply, "reaction")?;
        Ok(SendReceipt {
            provider_message_id: format!("reaction:{message_id}:{idempotency_key}"),
        })
    }

    /// What [`crate::Provider::send`] does for Whapi.
    pub(super) async fn send_message(
        &self,
        to: &Recipient,
        message: &Outgoing,
        idempotency_key: &str,
    ) -> Result<SendReceipt, SendError> {
        let to = recipient_id(to)?;
        let (path, mut body) = match &message.content {
            Content::Text(text) => {
                crate::text::validate_outbound(text)?;
                (
                    "/messages/text".to_owned(),
                    json!({ "to": to, "body": text }),
                )
            }
            Content::Media(m) => media_send(&to, m)?,
            Content::Template(_) => {
                return Err(SendError::permanent(
                    "Whapi sends no message templates (it has no 24-hour window)",
                ))
            }
            Content::Reaction { message_id, emoji } => {
                return self.react(message_id, emoji, idempotency_key).await
            }
            Content::Interactive(i) => {
                i.check()
                    .map_err(|e| SendError::permanent(format!("buttons or list refused: {e}")))?;
                ("/messages/interactive".to_owned(), i.whapi_body(&to))
            }
        };
        if let Some(quoted) = message.reply_to.as_deref().filter(|q| !q.is_empty()) {
            body["quoted"] = json!(quoted);
        }
        let req = self
            .request(reqwest::Method::POST, self.url(&path))
            .json(&body);
        let reply = succeeded(execute(req).await?, "send")?;
        match str_path(&reply.body, &["message", "id"]) {
            Some(provider_message_id) if reply.body.get("sent") != Some(&Value::Bool(false)) => {
                Ok(SendReceipt {
                    provider_message_id,
                })
            }
            _ => Err(SendError {
                http_status: Some(reply.status.as_u16()),
                maybe_sent: true,
                ..SendError::permanent(format!(
                    "Whapi answered {} without a sent message id: {}",
                    reply.status,
                    snippet(&reply.body_text)
                ))
            }),
        }
    }
}

/// `to` = digits, or a chat id such as `…@lid` when there is no phone (§2.1).
pub(super) fn recipient_id(to: &Recipient) -> Result<String, SendError> {
    match (to.phone.as_deref(), to.user_id.as_deref()) {
        (Some(p), _) => webhook_digits(p)
            .ok_or_else(|| SendError::permanent(format!("recipient phone {p:?} is not digits"))),
        (None, Some(id)) if !id.trim().is_empty() => Ok(id.trim().to_owned()),
        _ => Err(SendError::permanent(
            "recipient has neither phone nor user id",
        )),
    }
}

/// The endpoint and body of a file send (§8.1): captions for images, videos and documents, a
/// document's name.
fn media_send(to: &str, m: &MediaMessage) -> Result<(String, Value), SendError> {
    let kind = m.wire_kind()?;
    let mut body = json!({ "to": to, "media": m.media_id });
    if let Some(caption) = m.shown_caption()? {
        body["caption"] = json!(caption);
    }
    if let Some(name) = m.document_name() {
        body["filename"] = json!(name);
    }
    Ok((format!("/messages/{kind}"), body))
}
