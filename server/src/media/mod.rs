//! `GET /media/{message_id}`: a message's file from the media store, for signed-in users only
//! (and, in demo mode, the sandbox channel's files for the sandbox phone, which is open to
//! anyone there).
//!
//! The right `Content-Type`; photos, stickers, audio and video inline, documents (and anything
//! with `?download=1`) as a download with their file name; range requests for audio and video
//! (`tower_http::services::ServeFile`); an `ETag` (the file's SHA-256) so the browser keeps the
//! bytes but asks again each time (`private, no-cache`), so a signed-out browser gets nothing.
//! `?thumb=1` asks for a photo's thumbnail (made by the server, `inbox::media::thumbnail`); a
//! photo without one is sent as it is. Files in an S3-compatible bucket are streamed from it
//! ([`bucket`]), with the same headers and ranges.
//! A file the customer sent is untrusted: it is never sniffed, never run as a page
//! (`Content-Security-Policy: sandbox`), and anything that could hold a script (HTML, SVG, …) is
//! only ever a download.

mod bucket;

use app::ssr::AppState;
use app::AppError;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use inbox::db::attachments;
use inbox::media::Located;
use model::{MessageId, MessageKind};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use std::collections::HashMap;
use tower::ServiceExt;
use tower_http::services::ServeFile;
use tower_sessions::Session;

pub fn routes() -> Router<AppState> {
    Router::new().route("/media/{message_id}", get(file))
}

async fn file(
    State(state): State<AppState>,
    session: Session,
    Path(message_id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
    req: Request,
) -> Response {
    match serve(&state, &session, MessageId(message_id), &q, req).await {
        Ok(res) => res,
        Err(e) => e.into_response(),
    }
}

async fn serve(
    state: &AppState,
    session: &Session,
    message_id: MessageId,
    q: &HashMap<String, String>,
    req: Request,
) -> Result<Response, AppError> {
    let signed_in = inbox::accounts::sessions::session_user(&state.pool, session)
        .await?
        .is_some();
    if !signed_in && !state.settings.demo {
        return Err(AppError::Unauthenticated);
    }
    let file = attachments::ready_file(&state.pool, message_id).await?;
    let file = match file {
        Some(f) if signed_in || f.channel_id == state.channels.sandbox_id => f,
        Some(_) => return Err(AppError::Unauthenticated),
        None if signed_in => return Err(AppError::NotFound),
        // Signed out: nothing is told about messages the sandbox phone cannot see.
        None => return Err(AppError::Unauthenticated),
    };
    send_file(state, message_id, file, q, req).await
}

/// The file of `message_id` (already allowed to the caller), with its headers.
pub(crate) async fn send_file(
    state: &AppState,
    message_id: MessageId,
    file: attachments::Served,
    q: &HashMap<String, String>,
    req: Request,
) -> Result<Response, AppError> {
    attachments::touch(&state.pool, &file.sha256).await?;
    let mut thumb = q.contains_key("thumb") && file.thumb_mime.is_some();
    let etag_of = |thumb: bool| {
        if thumb {
            format!("\"{}.thumb\"", file.sha256)
        } else {
            format!("\"{}\"", file.sha256)
        }
    };
    let mut etag = etag_of(thumb);
    if req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        let mut res = StatusCode::NOT_MODIFIED.into_response();
        headers(&mut res, &etag);
        return Ok(res);
    }
    let head = req.method() == axum::http::Method::HEAD;
    let asked_thumb = thumb;
    // A thumbnail the store lost (removed by hand): the photo itself, so the bubble still shows
    // (found out by the read itself, so a thumbnail costs no extra call to a bucket).
    let read = match state.media.locate(&file.sha256, thumb) {
        Located::Disk(mut path) => {
            if thumb && !tokio::fs::try_exists(&path).await.unwrap_or(false) {
                thumb = false;
                path = state.media.path(&file.sha256);
            }
            match tokio::fs::try_exists(&path).await {
                Ok(true) => ServeFile::new(path)
                    .oneshot(req)
                    .await
                    .map(IntoResponse::into_response)
                    .map_err(std::io::Error::other),
                Ok(false) => Err(std::io::ErrorKind::NotFound.into()),
                Err(e) => Err(e),
            }
        }
        Located::Bucket(b, key) => match bucket::serve(&b, &key, req.headers(), head).await {
            Err(e) if thumb && e.kind() == std::io::ErrorKind::NotFound => {
                thumb = false;
                bucket::serve(&b, &b.key(&file.sha256), req.headers(), head).await
            }
            read => read,
        },
    };
    if asked_thumb && !thumb {
        tracing::warn!(file = %file.sha256, "a thumbnail is missing from the store; sending the photo");
        etag = etag_of(false);
    }
    let mut res = match read {
        Ok(res) => res,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // Gone from the store (removed by hand, or an eviction racing a download of the
            // same file): the bubbles say so from now on.
            tracing::warn!(file = %file.sha256, "media file missing from the store; marked evicted");
            inbox::media::lost(&state.pool, &file.sha256).await?;
            return Err(AppError::NotFound);
        }
        Err(e) => {
            tracing::error!(error = %e, backend = state.media.backend(), "reading a media file");
            return Err(AppError::Internal);
        }
    };
    if !res.status().is_success() {
        return Ok(res);
    }
    let mime = if thumb {
        file.thumb_mime.as_deref()
    } else {
        file.mime_type.as_deref()
    }
    .and_then(|m| m.parse::<mime::Mime>().ok());
    let kind = model::MediaView::shown_kind(file.kind, file.mime_type.as_deref());
    let inline =
        q.get("download").is_none() && mime.as_ref().is_some_and(|m| shows_inline(kind, m));
    let content_type = mime
        .as_ref()
        .map(|m| m.to_string())
        .unwrap_or_else(|| "application/octet-stream".into());
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&disposition(inline, file.filename.as_deref(), message_id))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    headers(&mut res, &etag);
    Ok(res)
}

fn headers(res: &mut Response, etag: &str) {
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

/// Photos, stickers, audio and video of the types browsers show without running anything.
fn shows_inline(kind: MessageKind, mime: &mime::Mime) -> bool {
    let media_kind = matches!(
        kind,
        MessageKind::Image | MessageKind::Sticker | MessageKind::Audio | MessageKind::Video
    );
    let safe = match mime.type_() {
        mime::IMAGE => matches!(mime.subtype().as_str(), "jpeg" | "png" | "webp" | "gif"),
        mime::AUDIO | mime::VIDEO => true,
        _ => false,
    };
    media_kind && safe
}

/// `inline`, or `attachment` with the file's name (an ASCII fallback and the UTF-8 name,
/// RFC 6266); a file without a name is called after its message.
fn disposition(inline: bool, filename: Option<&str>, message_id: MessageId) -> String {
    if inline {
        return "inline".into();
    }
    let name = filename
        .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n).trim())
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| format!("attachment-{}", message_id.0));
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        utf8_percent_encode(&name, NON_ALPHANUMERIC)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_download_under_their_name_and_scripts_never_show_inline() {
        assert_eq!(
            disposition(false, Some("Invoice Mei.pdf"), MessageId(7)),
            "attachment; filename=\"Invoice Mei.pdf\"; filename*=UTF-8''Invoice%20Mei%2Epdf"
        );
        assert_eq!(
            disposition(false, Some("../../etc/\"x\".pdf"), MessageId(7)),
            "attachment; filename=\"_x_.pdf\"; filename*=UTF-8''%22x%22%2Epdf"
        );
        assert_eq!(
            disposition(false, None, MessageId(7)),
            "attachment; filename=\"attachment-7\"; filename*=UTF-8''attachment%2D7"
        );
        let m = |s: &str| s.parse::<mime::Mime>().unwrap();
        assert!(shows_inline(MessageKind::Image, &m("image/jpeg")));
        assert!(shows_inline(
            MessageKind::Audio,
            &m("audio/ogg; codecs=opus")
        ));
        assert!(!shows_inline(MessageKind::Image, &m("image/svg+xml")));
        assert!(!shows_inline(MessageKind::Document, &m("application/pdf")));
        assert!(!shows_inline(MessageKind::Image, &m("text/html")));
    }
}
