//! What we send besides plain text: [`Outgoing`] (a text or a file, optionally quoting a
//! customer's message), the file to hand to a provider first ([`Upload`]), and the check of an
//! agent's file against WhatsApp's rules before it is uploaded ([`check_file`], [`file_rules`]).
//!
//! Reference: meta-cloud.md §11 (upload, send by id, types and sizes), §13 (context);
//! whapi.md §8.1 (media sends, `quoted`, `POST /media`).

use serde::{Deserialize, Serialize};

use crate::event::MessageKind;

/// One message to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outgoing {
    pub content: Content,
    /// The provider's id of the customer message this one quotes (Meta `context.message_id`,
    /// Whapi `quoted`): the customer sees the quote above the reply.
    pub reply_to: Option<String>,
}

impl Outgoing {
    pub fn text(text: impl Into<String>) -> Outgoing {
        Outgoing {
            content: Content::Text(text.into()),
            reply_to: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Content {
    /// Plain text, ≤ 4096 characters.
    Text(String),
    /// A file the provider already holds (see [`crate::Provider::upload_media`]).
    Media(MediaMessage),
    /// A message template with its values: the `template` object of Meta's send
    /// ([`crate::templates::Filled::send_object`]). The only thing Meta takes outside the
    /// 24-hour window.
    Template(serde_json::Value),
    /// Reply buttons or a list ([`crate::interactive`]), checked with
    /// [`Interactive::check`](crate::interactive::Interactive::check) before it was queued.
    Interactive(crate::interactive::Interactive),
    /// An emoji on a customer's message (`message_id`, the provider's id); it quotes nothing.
    Reaction { message_id: String, emoji: String },
}

/// A photo, voice note, audio file, video, document or sticker, by the provider's media id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaMessage {
    pub kind: MessageKind,
    pub media_id: String,
    /// Shown under images, videos and documents (≤ 1024 characters); WhatsApp shows none for
    /// audio and stickers.
    pub caption: Option<String>,
    /// A document's name; the customer's phone picks its icon from the extension.
    pub filename: Option<String>,
}

impl MediaMessage {
    /// The kind as the providers name it in a send (`image`, `audio`, `video`, `document`,
    /// `sticker`: Meta's `type`, Whapi's endpoint); an error for a kind that is not a file.
    pub fn wire_kind(&self) -> Result<&'static str, crate::error::SendError> {
        Ok(match self.kind {
            MessageKind::Image => "image",
            MessageKind::Audio => "audio",
            MessageKind::Video => "video",
            MessageKind::Document => "document",
            MessageKind::Sticker => "sticker",
            other => {
                return Err(crate::error::SendError::permanent(format!(
                    "{other} is not a kind of file WhatsApp sends"
                )))
            }
        })
    }

    /// The caption as WhatsApp shows it: under images, videos and documents only, never blank;
    /// an error past [`MAX_CAPTION_CHARS`] (meta-cloud.md §11.2, whapi.md §8.1).
    pub fn shown_caption(&self) -> Result<Option<&str>, crate::error::SendError> {
        let shown = matches!(
            self.kind,
            MessageKind::Image | MessageKind::Video | MessageKind::Document
        );
        let Some(caption) = self
            .caption
            .as_deref()
            .filter(|c| shown && !c.trim().is_empty())
        else {
            return Ok(None);
        };
        if caption.chars().count() > MAX_CAPTION_CHARS {
            return Err(crate::error::SendError::permanent(format!(
                "a caption may have at most {MAX_CAPTION_CHARS} characters"
            )));
        }
        Ok(Some(caption))
    }

    /// A document's name (other kinds carry none).
    pub fn document_name(&self) -> Option<&str> {
        self.filename
            .as_deref()
            .filter(|_| self.kind == MessageKind::Document)
    }
}

/// A file to hand to the provider before sending it.
#[derive(Debug, Clone, Copy)]
pub struct Upload<'a> {
    pub bytes: &'a [u8],
    pub mime_type: &'a str,
    pub filename: &'a str,
}

/// The longest caption WhatsApp shows (meta-cloud.md §11.2).
pub const MAX_CAPTION_CHARS: usize = 1024;

/// Why an agent's file cannot go out as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileRefusal {
    #[error("WhatsApp does not carry files of type {0}")]
    TypeNotAllowed(String),
    #[error("the file is {size} bytes; WhatsApp carries at most {limit} bytes for this kind")]
    TooLarge { size: u64, limit: u64 },
    #[error("the file is empty")]
    Empty,
}

/// The MIME types WhatsApp carries, by kind (meta-cloud.md §11.4).
const TYPES: &[(MessageKind, &[&str])] = &[
    (MessageKind::Image, &["image/jpeg", "image/png"]),
    (
        MessageKind::Audio,
        &[
            "audio/aac",
            "audio/amr",
            "audio/mpeg",
            "audio/mp4",
            "audio/ogg",
        ],
    ),
    (MessageKind::Video, &["video/mp4", "video/3gpp"]),
    (MessageKind::Sticker, &["image/webp"]),
    (
        MessageKind::Document,
        &[
            "text/plain",
            "application/pdf",
            "application/msword",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.ms-excel",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.ms-powerpoint",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ],
    ),
];

/// Every MIME type an agent may send, with the kind it goes out as and its largest size.
pub fn file_rules() -> impl Iterator<Item = (&'static str, MessageKind, u64)> {
    TYPES.iter().flat_map(|(kind, types)| {
        types
            .iter()
            .map(move |t| (*t, *kind, crate::media::max_bytes(*kind)))
    })
}

/// The kind a file goes out as, or why it cannot: its type must be one WhatsApp carries and its
/// size within the kind's limit ([`crate::media::max_bytes`]). Parameters after `;` are ignored
/// (`audio/ogg; codecs=opus`).
pub fn check_file(mime_type: &str, size: u64) -> Result<MessageKind, FileRefusal> {
    let essence = mime_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let kind = TYPES
        .iter()
        .find(|(_, types)| types.contains(&essence.as_str()))
        .map(|(kind, _)| *kind)
        .ok_or_else(|| FileRefusal::TypeNotAllowed(essence.clone()))?;
    if size == 0 {
        return Err(FileRefusal::Empty);
    }
    // A static sticker is limited to 100 KB, an animated one to 500 KB; they cannot be told
    // apart without decoding, so the larger limit applies.
    let limit = crate::media::max_bytes(kind);
    if size > limit {
        return Err(FileRefusal::TooLarge { size, limit });
    }
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_checked_against_whatsapps_types_and_limits() {
        assert_eq!(check_file("image/jpeg", 1000), Ok(MessageKind::Image));
        assert_eq!(
            check_file("application/pdf", 1000),
            Ok(MessageKind::Document)
        );
        assert_eq!(
            check_file("audio/ogg; codecs=opus", 1000),
            Ok(MessageKind::Audio)
        );
        assert_eq!(
            check_file("image/jpeg", 6 * 1024 * 1024),
            Err(FileRefusal::TooLarge {
                size: 6 * 1024 * 1024,
                limit: 5 * 1024 * 1024
            })
        );
        assert_eq!(
            check_file("application/x-msdownload", 10),
            Err(FileRefusal::TypeNotAllowed(
                "application/x-msdownload".into()
            ))
        );
        assert_eq!(check_file("image/png", 0), Err(FileRefusal::Empty));
        assert!(file_rules().any(|(t, kind, limit)| t == "video/mp4"
            && kind == MessageKind::Video
            && limit == 16 * 1024 * 1024));
    }
}
