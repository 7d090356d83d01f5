//! Media attachments: what a downloaded file is ([`Downloaded`]), why a download failed
//! ([`MediaError`]), WhatsApp's size limits per kind ([`max_bytes`]), and the bounded,
//! checksum-verified download every adapter shares.
//!
//! Reference: meta-cloud.md §5.6 and §11 (download, limits), whapi.md §8.6.

use std::time::Duration;

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::event::MessageKind;

/// The longest one media download may take (a 100 MB document on a slow link).
pub const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(120);

const MB: u64 = 1024 * 1024;

/// The largest file WhatsApp carries for a kind of message (meta-cloud.md §11.4): images 5 MB,
/// audio and video 16 MB, stickers 500 KB (animated), documents and anything else 100 MB (Meta
/// never delivers an inbound file over 100 MB; it sends error 131052 instead).
pub fn max_bytes(kind: MessageKind) -> u64 {
    match kind {
        MessageKind::Image => 5 * MB,
        MessageKind::Audio | MessageKind::Video => 16 * MB,
        MessageKind::Sticker => 500 * 1024,
        _ => 100 * MB,
    }
}

/// A file fetched from a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Downloaded {
    pub bytes: Vec<u8>,
    /// The provider's `Content-Type` (or the MIME type its metadata names).
    pub mime_type: Option<String>,
}

/// Why a media download failed; [`retryable`](Self::retryable) says whether trying again later
/// can help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    /// The provider no longer has the file (Meta keeps inbound media 7 days; 404).
    #[error("the provider no longer has this file: {0}")]
    Expired(String),
    /// Larger than the limit for its kind.
    #[error("the file is {size} bytes, over the limit of {limit} bytes")]
    TooLarge { size: u64, limit: u64 },
    /// This adapter cannot download media (or the message carries no reference).
    #[error("{0}")]
    Unsupported(String),
    /// The provider refused (authentication, permission, a request it calls invalid).
    #[error("the provider refused the download: {0}")]
    Refused(String),
    /// A network failure, a timeout, a 5xx or 429, a file that did not match its checksum:
    /// try again later (`retry_after` when the provider said when).
    #[error("the download failed for now: {reason}")]
    Temporary {
        reason: String,
        retry_after: Option<Duration>,
    },
}

impl MediaError {
    pub fn retryable(&self) -> bool {
        matches!(self, MediaError::Temporary { .. })
    }

    /// A temporary failure without a time to come back.
    pub fn temporary(reason: impl Into<String>) -> MediaError {
        MediaError::Temporary {
            reason: reason.into(),
            retry_after: None,
        }
    }
}

/// GETs a file, refusing it as soon as it is known to exceed `max` bytes (by its
/// `Content-Length`, or while it streams in). 404/410 are [`MediaError::Expired`], 429 and
/// 5xx [`MediaError::Temporary`], any other non-2xx [`MediaError::Refused`].
pub(crate) async fn fetch_bytes(
    req: reqwest::RequestBuilder,
    max: u64,
) -> Result<Downloaded, MediaError> {
    let mut resp = req
        .timeout(DOWNLOAD_TIMEOUT)
        .send()
        .await
        .map_err(|e| MediaError::temporary(format!("request failed: {}", e.without_url())))?;
    let status = resp.status();
    if !status.is_success() {
        let retry_after = crate::util::retry_after(resp.headers());
        let body: String = resp
            .text()
            .await
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect();
        let reason = format!("HTTP {status} {body}").trim_end().to_owned();
        return Err(match status.as_u16() {
            404 | 410 => MediaError::Expired(reason),
            429 | 500..=599 => MediaError::Temporary {
                reason,
                retry_after,
            },
            _ => MediaError::Refused(reason),
        });
    }
    if let Some(size) = resp.content_length().filter(|&n| n > max) {
        return Err(MediaError::TooLarge { size, limit: max });
    }
    let mime_type = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut bytes = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| MediaError::temporary(format!("download interrupted: {}", e.without_url())))?
    {
        if (bytes.len() + chunk.len()) as u64 > max {
            return Err(MediaError::TooLarge {
                size: (bytes.len() + chunk.len()) as u64,
                limit: max,
            });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Downloaded { bytes, mime_type })
}

/// Does `bytes` match the provider's SHA-256? Meta's webhooks give it in base64; whether other
/// answers use hex is unconfirmed (meta-cloud.md §11.3), so both are accepted.
pub fn checksum_matches(expected: &str, bytes: &[u8]) -> bool {
    let digest = Sha256::digest(bytes);
    let expected = expected.trim();
    base64::engine::general_purpose::STANDARD.encode(digest) == expected
        || format!("{digest:x}").eq_ignore_ascii_case(expected)
}

/// Checks a download against the checksum the provider announced, if any: a mismatch is a
/// corrupted transfer, worth another try.
pub(crate) fn verified(
    download: Downloaded,
    expected: Option<&str>,
) -> Result<Downloaded, MediaError> {
    match expected {
        Some(sum) if !sum.trim().is_empty() && !checksum_matches(sum, &download.bytes) => Err(
            MediaError::temporary("the downloaded file does not match the provider's checksum"),
        ),
        _ => Ok(download),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_in_base64_and_hex_are_both_understood() {
        let bytes = b"hello";
        let b64 = "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=";
        let hex = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
        assert!(checksum_matches(b64, bytes));
        assert!(checksum_matches(hex, bytes));
        assert!(checksum_matches(&hex.to_uppercase(), bytes));
        assert!(!checksum_matches(b64, b"other"));
    }

    #[test]
    fn limits_follow_whatsapp() {
        assert_eq!(max_bytes(MessageKind::Image), 5 * MB);
        assert_eq!(max_bytes(MessageKind::Audio), 16 * MB);
        assert_eq!(max_bytes(MessageKind::Document), 100 * MB);
        assert_eq!(max_bytes(MessageKind::Sticker), 500 * 1024);
    }
}
