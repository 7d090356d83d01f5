//! Meta's media endpoints (meta-cloud.md §11): a file uploaded for a send, a customer's file
//! looked up by its id and downloaded, and the object a send names an uploaded file with. The
//! `Provider` methods in `meta.rs` call these.

use serde_json::{json, Value};

use super::errors::classify_graph_error;
use super::MetaProvider;
use crate::error::SendError;
use crate::event::MediaRef;
use crate::media::{Downloaded, MediaError};
use crate::outgoing::{MediaMessage, Upload};
use crate::util::{execute, snippet, str_field};

impl MetaProvider {
    /// meta-cloud.md §11.1: `POST /{phone-number-id}/media`, multipart with
    /// `messaging_product`, `type` and the `file` part (its own name and type) → `{"id"}`.
    pub(super) async fn upload(&self, file: &Upload<'_>) -> Result<String, SendError> {
        let part = reqwest::multipart::Part::bytes(file.bytes.to_vec())
            .file_name(file.filename.to_owned())
            .mime_str(file.mime_type)
            .map_err(|e| SendError::permanent(format!("MIME type {:?}: {e}", file.mime_type)))?;
        let form = reqwest::multipart::Form::new()
            .text("messaging_product", "whatsapp")
            .text("type", file.mime_type.to_owned())
            .part("file", part);
        let url = format!(
            "{}/{}/media",
            self.config.graph_url.trim_end_matches('/'),
            self.config.phone_number_id
        );
        let req = self
            .client
            .post(url)
            .bearer_auth(&self.config.access_token)
            .timeout(crate::media::DOWNLOAD_TIMEOUT)
            .multipart(form);
        let reply = execute(req).await?;
        if !reply.status.is_success() {
            let err = classify_graph_error(&reply);
            tracing::warn!(code = ?err.code, http = reply.status.as_u16(), "meta media upload failed");
            return Err(err);
        }
        str_field(&reply.body, "id").ok_or_else(|| SendError {
            http_status: Some(reply.status.as_u16()),
            ..SendError::permanent(format!(
                "Meta answered the upload without an id: {}",
                snippet(&reply.body_text)
            ))
        })
    }

    /// meta-cloud.md §11.3: `GET /{media-id}?phone_number_id=` → `{url, mime_type, sha256,
    /// file_size}` → `GET url`, both with the token. A webhook's own `url` is not used: it
    /// lives 5 minutes, and the download may run later (a retry).
    pub(super) async fn download(
        &self,
        media: &MediaRef,
        max_bytes: u64,
    ) -> Result<Downloaded, MediaError> {
        let Some(id) = media.id.as_deref() else {
            return Err(MediaError::Unsupported(
                "the message names no Meta media id".into(),
            ));
        };
        let mut url = reqwest::Url::parse(self.config.graph_url.trim_end_matches('/'))
            .map_err(|e| MediaError::Refused(format!("Graph URL is not a URL: {e}")))?;
        url.path_segments_mut()
            .map_err(|_| MediaError::Refused("Graph URL cannot take a path".into()))?
            .pop_if_empty()
            .push(id);
        url.query_pairs_mut()
            .append_pair("phone_number_id", &self.config.phone_number_id);
        let req = self
            .client
            .get(url)
            .bearer_auth(&self.config.access_token)
            .timeout(self.timeout);
        let reply = execute(req).await.map_err(|e| MediaError::Temporary {
            reason: e.reason,
            retry_after: e.retry_after,
        })?;
        if !reply.status.is_success() {
            let err = classify_graph_error(&reply);
            tracing::warn!(code = ?err.code, http = reply.status.as_u16(), "meta media lookup failed");
            return Err(media_lookup_error(err));
        }
        let Some(file_url) = str_field(&reply.body, "url") else {
            return Err(MediaError::temporary(format!(
                "Meta answered the media lookup without a url: {}",
                snippet(&reply.body_text)
            )));
        };
        // `file_size` is a string in the docs' example, maybe a number (unconfirmed): both.
        let size = reply
            .body
            .get("file_size")
            .and_then(crate::util::int_of)
            .and_then(|n| u64::try_from(n).ok());
        if let Some(size) = size.filter(|&n| n > max_bytes) {
            return Err(MediaError::TooLarge {
                size,
                limit: max_bytes,
            });
        }
        // The token goes only to an https URL, or to the Graph host itself (a local mock).
        if !file_url.starts_with("https://")
            && !crate::util::same_origin(&file_url, &self.config.graph_url)
        {
            return Err(MediaError::Refused(
                "Meta's media URL is not https; the token is not sent to it".into(),
            ));
        }
        let sha = str_field(&reply.body, "sha256").or_else(|| media.sha256.clone());
        let mut download = crate::media::fetch_bytes(
            self.client
                .get(file_url)
                .bearer_auth(&self.config.access_token),
            max_bytes,
        )
        .await?;
        if download.mime_type.is_none() {
            download.mime_type = str_field(&reply.body, "mime_type");
        }
        crate::media::verified(download, sha.as_deref())
    }
}

/// A failed media lookup: a media id Meta does not know (expired after 7 days: HTTP 404, or
/// Graph error 100 "does not exist") is [`MediaError::Expired`]; a retryable Graph error stays
/// temporary; anything else is Meta refusing, with its reason.
fn media_lookup_error(err: SendError) -> MediaError {
    if err.kind == crate::SendErrorKind::Retryable {
        return MediaError::Temporary {
            reason: err.reason,
            retry_after: err.retry_after,
        };
    }
    let gone = err.http_status == Some(404)
        || (err.code.as_deref() == Some("100") && err.reason.contains("does not exist"));
    let reason = match &err.code {
        Some(code) => format!("{code} {}", err.reason),
        None => err.reason,
    };
    if gone {
        MediaError::Expired(reason)
    } else {
        MediaError::Refused(reason)
    }
}

/// `{"type": kind, kind: {"id", "caption"?, "filename"?}}`: captions only where WhatsApp shows
/// them, a document always with its name (meta-cloud.md §11.2).
pub(super) fn media_object(m: &MediaMessage) -> Result<Value, SendError> {
    let kind = m.wire_kind()?;
    let mut object = json!({ "id": m.media_id });
    if let Some(caption) = m.shown_caption()? {
        object["caption"] = json!(caption);
    }
    if let Some(name) = m.document_name() {
        object["filename"] = json!(name);
    }
    Ok(json!({ "type": kind, kind: object }))
}
