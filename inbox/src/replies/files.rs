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
    let kind = check_file(file)?;
    let caption = caption.map(str::trim).filter(|c| !c.is_empty());
    if caption.is_some_and(|c| c.chars().count() > whatsapp::outgoing::MAX_CAPTION_CHARS) {
        return Err(Error::invalid("caption", Reason::CaptionLength));
    }
    let kind = MessageKind::parse(kind.as_str()).unwrap_or(MessageKind::Document);
    let captioned = !matches!(kind, MessageKind::Audio | MessageKind::Sticker);
    let sender = Sender::Human(user);
    let mut tx = pool.begin().await?;
    let route = begin(&mut tx, chat_id, sender).await?;
    let options = send_options(channels, route.channel_id);
    if options.files.is_empty() {
        return Err(Error::Conflict(Reason::FilesNotSupported));
    }
    if quoting.is_some() && !options.quotes {
        return Err(Error::Conflict(Reason::QuotesNotSupported));
    }
    let reply_to = quoted_id(&mut tx, chat_id, quoting).await?;
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
        let id = crate::db::messages::insert_outbound(&mut tx, &message).await?;
        attachments::insert_outgoing(&mut tx, id, file).await?;
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
        super::queue_existing(&mut tx, message_id, std::time::Duration::ZERO, &preview).await?,
    ];
    if let Some(c) = caption.filter(|_| !captioned) {
        let text = outbound(&route, sender, MessageKind::Text, Some(c), None);
        views.push(queue_one(&mut tx, &text, std::time::Duration::ZERO, c).await?);
    }
    finish(&mut tx, &route, sender, std::time::Duration::ZERO).await?;
    tx.commit().await?;
    Ok(views)
}
