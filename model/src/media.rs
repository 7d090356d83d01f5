//! A message's file as the conversation shows it.

use crate::kinds::{MediaProblem, MediaState, MessageKind};
use crate::MessageId;
use serde::{Deserialize, Serialize};

/// The file of a photo, voice note, video, document or sticker: what the bubble needs to show
/// it, and where it stands. The file itself is at [`MediaView::url`], behind the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaView {
    pub state: MediaState,
    pub mime_type: Option<String>,
    /// A document's file name, as the customer's phone named it.
    pub filename: Option<String>,
    /// In bytes, once known.
    pub size: Option<i64>,
    /// Set when `state` is `failed`.
    pub problem: Option<MediaProblem>,
    /// The provider's own words about a failure.
    pub detail: Option<String>,
    /// A recorded voice note rather than an audio file.
    #[serde(default)]
    pub voice: bool,
}

impl MediaView {
    /// Where the browser loads a message's file (the server checks the session).
    pub fn url(message_id: MessageId) -> String {
        format!("/media/{}", message_id.0)
    }

    /// How a message's file shows: as its message's kind, except a template's header file,
    /// which shows as the photo, video or document it is.
    pub fn shown_kind(kind: MessageKind, mime_type: Option<&str>) -> MessageKind {
        if kind != MessageKind::Template {
            return kind;
        }
        match mime_type.unwrap_or_default().split('/').next() {
            Some("image") => MessageKind::Image,
            Some("video") => MessageKind::Video,
            _ => MessageKind::Document,
        }
    }

    /// A photo's thumbnail, made by the server (the photo itself when it has none).
    pub fn thumbnail_url(message_id: MessageId) -> String {
        format!("/media/{}?thumb=1", message_id.0)
    }

    /// The same, as a download (`Content-Disposition: attachment`).
    pub fn download_url(message_id: MessageId) -> String {
        format!("/media/{}?download=1", message_id.0)
    }

    /// "1.2 MB", "840 KB", "312 B".
    pub fn size_text(&self) -> Option<String> {
        let n = self.size?;
        Some(if n >= 1024 * 1024 {
            format!("{:.1} MB", n as f64 / (1024.0 * 1024.0))
        } else if n >= 1024 {
            format!("{} KB", n / 1024)
        } else {
            format!("{n} B")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_a_phone_shows_them() {
        let m = |size| MediaView {
            state: MediaState::Ready,
            mime_type: None,
            filename: None,
            size: Some(size),
            problem: None,
            detail: None,
            voice: false,
        };
        assert_eq!(m(312).size_text().as_deref(), Some("312 B"));
        assert_eq!(m(860_160).size_text().as_deref(), Some("840 KB"));
        assert_eq!(m(1_258_291).size_text().as_deref(), Some("1.2 MB"));
    }
}
