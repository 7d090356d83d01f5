//! An agent's file: checked against WhatsApp's types and sizes and the channel's abilities
//! before its bytes are read ([`check_chat`], [`check_type`]), kept in the media store as it
//! arrives (`MediaStore::incoming`), and queued like a text reply: the message, its attachment
//! (ready from the start) and its outbox row in one transaction ([`queue_file`]). The outbox
//! uploads it to the provider once and sends it by the provider's media id.

use super::{begin, finish, outbound, queue_one, quoted_id, Sender};
use crate::channels::Channels;
use crate::db::{attachments, chats};
use crate::media::MediaStore;
use crate::Error;
use model::{ChatId, FileRule, MessageId, MessageKind, MessageView, Reason, SendOptions, UserInfo};
use sqlx::PgPool;
use whatsapp::FileRefusal;

/// An agent's file, in the media store.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub sha256: String,
    pub size: u64,
    pub mime_type: String,
    pub filename: String,
    /// The photo's thumbnail, already in the store: its type and size.
    pub thumbnail: Option<(&'static str, i64)>,
}

/// What the composer of a chat on `channel` offers besides text.
pub fn send_options(channels: &Channels, channel: model::ChannelId) -> SendOptions {
    let Ok(provider) = channels.provider(channel) else {
        return SendOptions::default();
    };
    let can = provider.capabilities();
    SendOptions {
        files: if can.media {
            whatsapp::outgoing::file_rules()
                .map(|(mime_type, _, max_bytes)| FileRule {
                    mime_type: mime_type.to_string(),
                    max_bytes,
                })
                .collect()
        } else {
            Vec::new()
        },
        quotes: can.quotes,
        interactive: can.interactive,
        reactions: can.reactions,
    }
}

/// Before the file is read: `user` may answer the chat, the provider takes messages now, and
/// its channel carries files.
pub async fn check_chat(
    pool: &PgPool,
    channels: &Channels,
    chat_id: ChatId,
    user: &UserInfo,
) -> Result<(), Error> {
    let mut tx = pool.begin().await?;
    let state = crate::chat_changes::lock(&mut tx, chat_id).await?;
    crate::chat_changes::rules::may_reply(user, &state)?;
    let route = chats::route(&mut tx, chat_id).await?;
    super::window_open(&route)?;
    tx.rollback().await?;
    if send_options(channels, route.channel_id).files.is_empty() {
        return Err(Error::Conflict(Reason::FilesNotSupported));
    }
    Ok(())
}

/// The kind a file of `mime_type` goes out as and its largest size, or why it cannot go.
pub fn check_type(mime_type: &str) -> Result<(whatsapp::MessageKind, u64), Error> {
    // Any size within the limits: the type alone decides here.
    match whatsapp::outgoing::check_file(mime_type, 1) {
        Ok(kind) => Ok((kind, whatsapp::media::max_bytes(kind))),
        Err(e) => Err(refusal(e)),
    }
}

/// The same for the whole file, once its size is known.
pub fn check_file(file: &StoredFile) -> Result<whatsapp::MessageKind, Error> {
    whatsapp::outgoing::check_file(&file.mime_type, file.size).map_err(refusal)
}

fn refusal(e: FileRefusal) -> Error {
    let reason = match e {
        FileRefusal::TypeNotAllowed(_) => Reason::FileType,
        FileRefusal::TooLarge { .. } => Reason::FileTooLarge,
        FileRefusal::Empty => Reason::FileEmpty,
    };
    Error::invalid("file", reason)
}

/// A file's own name without any folder or control characters, at most 200 characters;
/// "file" when it has none.
pub fn clean_name(given: Option<&str>) -> String {
    let name = given
        .unwrap_or_default()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .trim();
    let name: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
    if name.is_empty() {
        "file".into()
    } else {
        name
    }
}

/// A photo in the store shrunk for the bubble and kept beside it: its type and size. A photo
/// that cannot have one (or whose thumbnail could not be kept) is shown as it is.
pub async fn thumbnail_of(
    store: &MediaStore,
    sha256: &str,
    mime_type: &str,
) -> Option<(&'static str, i64)> {
    let bytes = match store.read(sha256).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "reading a file back for its thumbnail");
            return None;
        }
    };
    let made =
        crate::media::thumbnail::make_async(bytes.into(), Some(mime_type.to_owned())).await?;
    if let Err(e) = store.put_thumb(sha256, &made.bytes).await {
        tracing::warn!(error = %e, "keeping a photo's thumbnail; the photo is shown as it is");
        return None;
    }
    Some((made.mime_type, made.bytes.len() as i64))
}

/// A whole file other software sent (base64): checked like an agent's upload (type, then
/// size), kept in the store with a photo's thumbnail.
pub async fn store_bytes(
    store: &MediaStore,
    bytes: &[u8],
    mime_type: &str,
    filename: Option<&str>,
) -> Result<StoredFile, Error> {
    check_type(&essence(mime_type))?;
    let sha256 = store
        .put(bytes)
        .await
        .map_err(|e| Error::Other(anyhow::anyhow!("keeping a file in the media store: {e}")))?;
    kept(store, sha256, bytes.len() as u64, mime_type, filename).await
}

/// A file's type without its parameters, lowercase.
fn essence(mime_type: &str) -> String {
    mime_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// A file already in the store (`sha256`, `size` bytes) as a send carries it: its type and
/// size checked like an agent's upload, a photo's thumbnail made. A refused file stays in the
/// store for the caller to discard.
pub async fn kept(
    store: &MediaStore,
    sha256: String,
    size: u64,
    mime_type: &str,
    filename: Option<&str>,
) -> Result<StoredFile, Error> {
    let file = StoredFile {
        sha256,
        size,
        mime_type: essence(mime_type),
        filename: clean_name(filename),
        thumbnail: None,
    };
    let kind = check_file(&file)?;
    let thumbnail = match kind {
        whatsapp::MessageKind::Image => thumbnail_of(store, &file.sha256, &file.mime_type).await,
        _ => None,
    };
    Ok(StoredFile { thumbnail, ..file })
}

/// Queues `file` with its caption, optionally quoting a message of the chat. WhatsApp shows no
/// caption under audio or stickers, so there the caption follows as a text message of its own:
/// nothing the agent wrote is dropped.
#[allow(clippy::too_many_arguments)]
pub async fn queue_file(
    pool: &PgPool,
    channels: &Channels,
    store: &MediaStore,
    chat_id: ChatId,
    user: &UserInfo,
    file: &StoredFile,
    caption: Option<&str>,
    quoting: Option<MessageId>,
) -> Result<Vec<MessageView>, Error> {
    let mut tx = pool.begin().await?;
    let views = queue_file_in(
        &mut tx,
        (channels, store),
        chat_id,
        Sender::Human(user),
        file,
        caption,
        quoting,
    )
    .await?;
    tx.commit().await?;
    Ok(views)
}

/// The same inside the caller's transaction, for any sender (an agent, other software through
/// an API key).
pub async fn queue_file_in(
    tx: &mut sqlx::PgConnection,
    (channels, store): (&Channels, &MediaStore),
    chat_id: ChatId,
    sender: Sender<'_>,
    file: &StoredFile,
    caption: Option<&str>,
    quoting: Option<MessageId>,
) -> Result<Vec<MessageView>, Error> {
    let kind = check_file(file)?;
    let caption = caption.map(str::trim).filter(|c| !c.is_empty());
    if caption.is_some_and(|c| c.chars().count() > whatsapp::outgoing::MAX_CAPTION_CHARS) {
        return Err(Error::invalid("caption", Reason::CaptionLength));
    }
    let kind = MessageKind::parse(kind.as_str()).unwrap_or(MessageKind::Document);
    let captioned = !matches!(kind, MessageKind::Audio | MessageKind::Sticker);
    let route = begin(&mut *tx, chat_id, sender).await?;
    let options = send_options(channels, route.channel_id);
    if options.files.is_empty() {
        return Err(Error::Conflict(Reason::FilesNotSupported));
    }
    if quoting.is_some() && !options.quotes {
        return Err(Error::Conflict(Reason::QuotesNotSupported));
    }
    let reply_to = quoted_id(&mut *tx, chat_id, quoting).await?;
    let message = outbound(
        &route,
        sender,
        kind,
        caption.filter(|_| captioned),
        reply_to.as_deref(),
    );
    let preview = match caption.filter(|_| captioned) {
        Some(c) => format!("📎 {c}"),
        None => format!("📎 {}", file.filename),
    };
    let message_id = {
        // The attachment must exist before the view is read, so the bubble shows the file.
        let id = crate::db::messages::insert_outbound(&mut *tx, &message).await?;
        attachments::insert_outgoing(&mut *tx, id, file).await?;
        // Indexed (and locked) now; an eviction of the same bytes between the upload and this
        // moment would have removed them.
        if !store.exists(&file.sha256).await.unwrap_or(false) {
            return Err(Error::Other(anyhow::anyhow!(
                "the uploaded file left the media store before it was queued"
            )));
        }
        id
    };
    let mut views = vec![
        super::queue_existing(&mut *tx, message_id, std::time::Duration::ZERO, &preview).await?,
    ];
    if let Some(c) = caption.filter(|_| !captioned) {
        let text = outbound(&route, sender, MessageKind::Text, Some(c), None);
        views.push(queue_one(&mut *tx, &text, std::time::Duration::ZERO, c).await?);
    }
    finish(&mut *tx, &route, sender, std::time::Duration::ZERO).await?;
    Ok(views)
}

#[cfg(test)]
mod tests {
    use super::clean_name;

    #[test]
    fn a_file_keeps_its_own_name_only() {
        assert_eq!(
            clean_name(Some("C:\\Users\\rina\\Invoice.pdf")),
            "Invoice.pdf"
        );
        assert_eq!(clean_name(Some("../../etc/passwd")), "passwd");
        assert_eq!(clean_name(Some("a\u{0}b.pdf")), "ab.pdf");
        assert_eq!(clean_name(None), "file");
        assert_eq!(clean_name(Some("  ")), "file");
    }
}
