//! A file other software sends through the API: base64 (plain or a `data:` URL, as the
//! gateways take it), or a link the server fetches once (public addresses only, no redirects,
//! streamed into the store, bounded by WhatsApp's largest file, a few at a time). Its type
//! comes from the caller, the data URL, the bytes themselves or the file name, in that order;
//! it is then checked like an agent's upload and kept in the media store (with a photo's
//! thumbnail). A refused file leaves the store again.

use crate::media::MediaStore;
use crate::replies::files::{self, StoredFile};
use crate::Error;
use base64::Engine;
use model::Reason;

/// Where the bytes are.
#[derive(Debug, Clone)]
pub enum Source {
    Base64(String),
    Url(String),
}

/// A file as the call describes it.
#[derive(Debug, Clone)]
pub struct Given {
    pub source: Source,
    pub mime_type: Option<String>,
    pub filename: Option<String>,
}

/// The largest file any kind may be (a 100 MB document); each kind's own limit is checked
/// after.
const MAX_BYTES: u64 = 100 * 1024 * 1024;

fn invalid() -> Error {
    Error::invalid("media", Reason::MediaInvalid)
}

/// Links fetched at once per server process (each may be 100 MB on its way to the store).
static FETCHES: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// The file, kept in the store and checked. `http` is the guarded client
/// (`Hooks::guarded_http`); `allow_private` as for webhook targets.
pub async fn keep(
    (pool, store): (&sqlx::PgPool, &MediaStore),
    (http, allow_private): (&reqwest::Client, bool),
    given: &Given,
) -> Result<StoredFile, Error> {
    let (sha256, size, head, declared) = match &given.source {
        Source::Base64(text) => {
            let (bytes, declared) = decode(text)?;
            let head = bytes.iter().take(16).copied().collect::<Vec<u8>>();
            let sha256 = store.put(&bytes).await.map_err(stored)?;
            (sha256, bytes.len() as u64, head, declared)
        }
        Source::Url(url) => fetch(store, http, url, allow_private).await?,
    };
    let filename = given.filename.clone().or_else(|| match &given.source {
        Source::Url(url) => url::Url::parse(url)
            .ok()
            .and_then(|u| u.path_segments()?.next_back().map(str::to_owned))
            .filter(|n| !n.is_empty()),
        Source::Base64(_) => None,
    });
    let mime_type = given
        .mime_type
        .clone()
        .or(declared)
        .or_else(|| sniff(&head).map(str::to_owned))
        .or_else(|| {
            filename
                .as_deref()
                .and_then(|n| mime_guess::from_path(n).first())
                .map(|m| m.essence_str().to_owned())
        })
        .unwrap_or_else(|| "application/octet-stream".into());
    let checked = match size {
        0 => Err(Error::invalid("media", Reason::FileEmpty)),
        _ => files::kept(store, sha256.clone(), size, &mime_type, filename.as_deref()).await,
    };
    if checked.is_err() {
        crate::media::discard_unindexed(pool, store, &sha256).await;
    }
    checked
}

fn stored(e: std::io::Error) -> Error {
    Error::Other(anyhow::anyhow!("keeping a file in the media store: {e}"))
}

/// Base64 (standard or URL-safe, padded or not, whitespace ignored), or a `data:` URL with its
/// type.
fn decode(text: &str) -> Result<(Vec<u8>, Option<String>), Error> {
    let (declared, data) = match text.trim().strip_prefix("data:") {
        Some(rest) => {
            let (meta, data) = rest.split_once(',').ok_or_else(invalid)?;
            let mime = meta.split(';').next().filter(|m| !m.is_empty());
            (mime.map(str::to_owned), data)
        }
        None => (None, text),
    };
    let clean: String = data.chars().filter(|c| !c.is_whitespace()).collect();
    let engines = [
        base64::engine::general_purpose::STANDARD,
        base64::engine::general_purpose::STANDARD_NO_PAD,
        base64::engine::general_purpose::URL_SAFE,
        base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    engines
        .iter()
        .find_map(|e| e.decode(clean.as_bytes()).ok())
        .map(|bytes| (bytes, declared))
        .ok_or_else(invalid)
}

/// The type a file's first bytes say it is, for the kinds WhatsApp carries.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    Some(match bytes {
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [0x89, b'P', b'N', b'G', ..] => "image/png",
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => "image/webp",
        [b'%', b'P', b'D', b'F', ..] => "application/pdf",
        [b'O', b'g', b'g', b'S', ..] => "audio/ogg",
        [_, _, _, _, b'f', b't', b'y', b'p', ..] => "video/mp4",
        _ => return None,
    })
}

/// Fetches a link once into the store: public addresses only (the client's resolver), no
/// redirects, at most [`MAX_BYTES`]; its name, size, first bytes and the answer's type.
async fn fetch(
    store: &MediaStore,
    http: &reqwest::Client,
    url: &str,
    allow_private: bool,
) -> Result<(String, u64, Vec<u8>, Option<String>), Error> {
    crate::hooks::guard::parse_target(url, allow_private).map_err(|_| invalid())?;
    let _turn = FETCHES
        .acquire()
        .await
        .map_err(|e| Error::Other(anyhow::anyhow!("file fetches: {e}")))?;
    let mut resp = http
        .get(url)
        .timeout(std::time::Duration::from_secs(60))
        .send()
        .await
        .map_err(|e| {
            tracing::info!(error = %e, "an API send's file link could not be fetched");
            invalid()
        })?;
    if !resp.status().is_success() {
        tracing::info!(status = %resp.status(), "an API send's file link answered an error");
        return Err(invalid());
    }
    if resp.content_length().is_some_and(|n| n > MAX_BYTES) {
        return Err(Error::invalid("media", Reason::FileTooLarge));
    }
    let declared = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().trim().to_owned())
        .filter(|m| !m.is_empty() && m != "application/octet-stream");
    let mut incoming = store.incoming().await.map_err(stored)?;
    let mut head = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|_| invalid())? {
        if incoming.size() + chunk.len() as u64 > MAX_BYTES {
            return Err(Error::invalid("media", Reason::FileTooLarge));
        }
        if head.len() < 16 {
            head.extend(chunk.iter().take(16 - head.len()));
        }
        incoming.write(&chunk).await.map_err(stored)?;
    }
    let size = incoming.size();
    let sha256 = incoming.keep().await.map_err(stored)?;
    Ok((sha256, size, head, declared))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_in_every_dress_decodes() {
        let png = [0x89, b'P', b'N', b'G', 1, 2, 3];
        let plain = base64::engine::general_purpose::STANDARD.encode(png);
        assert_eq!(decode(&plain).unwrap(), (png.to_vec(), None));
        let url_safe = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(png);
        assert_eq!(decode(&url_safe).unwrap().0, png.to_vec());
        let data_url = format!("data:image/png;base64,{plain}");
        assert_eq!(
            decode(&data_url).unwrap(),
            (png.to_vec(), Some("image/png".to_owned()))
        );
        let wrapped = format!("{}\n{}", &plain[..4], &plain[4..]);
        assert_eq!(decode(&wrapped).unwrap().0, png.to_vec());
        assert!(decode("not base64 at all!").is_err());
    }

    #[test]
    fn the_first_bytes_name_the_common_types() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff(b"%PDF-1.7"), Some("application/pdf"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"hello"), None);
    }
}
