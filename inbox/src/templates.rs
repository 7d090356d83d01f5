//! Message templates: synced from the provider (a Meta business account's templates) when an
//! admin asks ("Sync templates") and once a day by themselves, stored per channel, and sent:
//! only approved ones, only with every variable filled (an empty one is refused by name, never
//! sent blank), outside the 24-hour window too. A sent template is a message of its own kind
//! whose text is what the customer reads.

use crate::channels::Channels;
use crate::chat_changes::{self, rules};
use crate::db::{chats, templates};
use crate::replies::{self, Sender};
use crate::Error;
use model::{ChannelId, ChatId, MessageKind, MessageView, Reason, TemplateList, UserInfo};
use sqlx::PgPool;
use whatsapp::templates::{Header, MediaFormat, Template, TemplateRefusal};

/// How often templates are synced by themselves.
pub const SYNC_EVERY: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Fetches the channel's templates from its provider and stores them (those gone at the
/// provider are removed). Returns how many there are.
pub async fn sync(
    pool: &PgPool,
    channels: &Channels,
    channel_id: ChannelId,
) -> Result<usize, Error> {
    let provider = channels
        .provider(channel_id)
        .map_err(|_| Error::Conflict(Reason::TemplatesNotSupported))?;
    if !provider.capabilities().templates {
        return Err(Error::Conflict(Reason::TemplatesNotSupported));
    }
    let list = provider.templates().await.map_err(|e| {
        tracing::warn!(channel_id = %channel_id, error = %e, "syncing templates failed");
        Error::Conflict(Reason::TemplateSyncFailed)
    })?;
    let mut tx = pool.begin().await?;
    templates::replace(&mut tx, channel_id, &list).await?;
    tx.commit().await?;
    tracing::info!(channel_id = %channel_id, templates = list.len(), "templates synced");
    Ok(list.len())
}

/// Syncs every channel that carries templates and was not synced within [`SYNC_EVERY`]; once an
/// hour, until the process ends.
pub async fn sync_daily(pool: PgPool, channels: std::sync::Arc<Channels>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let due = match templates::due_for_sync(&pool, SYNC_EVERY).await {
            Ok(due) => due,
            Err(e) => {
                tracing::warn!(error = %e, "listing channels due for a template sync");
                continue;
            }
        };
        for channel_id in due {
            if channels
                .provider(channel_id)
                .is_ok_and(|p| p.capabilities().templates)
            {
                let _ = sync(&pool, &channels, channel_id).await;
            }
        }
    }
}

/// The chat's channel's templates, approved ones first.
pub async fn for_chat(pool: &PgPool, chat_id: ChatId) -> Result<TemplateList, Error> {
    let mut conn = pool.acquire().await?;
    let route = chats::route(&mut conn, chat_id).await?;
    templates::list(&mut conn, route.channel_id).await
}

/// A channel's templates (the Channels page).
pub async fn for_channel(pool: &PgPool, channel_id: ChannelId) -> Result<TemplateList, Error> {
    templates::list(&mut *pool.acquire().await?, channel_id).await
}

fn refusal(r: TemplateRefusal) -> Error {
    match r {
        TemplateRefusal::NotApproved(_) => Error::Conflict(Reason::TemplateNotApproved),
        TemplateRefusal::Missing(label) => Error::invalid(label, Reason::TemplateValueMissing),
        TemplateRefusal::Count { .. } => Error::invalid("values", Reason::TemplateValueMissing),
        TemplateRefusal::LocationHeader => Error::Conflict(Reason::TemplateNotSupported),
        TemplateRefusal::HeaderFile { .. } => Error::invalid("file", Reason::TemplateHeaderFile),
    }
}

async fn find(
    conn: &mut sqlx::PgConnection,
    channel_id: ChannelId,
    name: &str,
    language: &str,
) -> Result<Template, Error> {
    templates::find(conn, channel_id, name, language)
        .await?
        .ok_or(Error::invalid("template", Reason::TemplateNotFound))
}

/// The text the customer will read, exactly as it will be stored. `values` without the media
/// header's (one fewer) preview the template with an attached header file.
pub async fn preview(
    pool: &PgPool,
    chat_id: ChatId,
    name: &str,
    language: &str,
    values: &[String],
) -> Result<String, Error> {
    let mut conn = pool.acquire().await?;
    let route = chats::route(&mut conn, chat_id).await?;
    let template = find(&mut conn, route.channel_id, name, language).await?;
    // Every value but the media header's: the header is a file the agent attaches.
    let filled = match &template.header {
        Some(Header::Media(format)) if values.len() + 1 == template.variables().len() => {
            template.fill_with_header_file(values, *format)
        }
        _ => template.fill(values),
    };
    Ok(filled.map_err(refusal)?.text())
}

/// Sends template `name` in `language` with `values` (one per variable, in order) to the chat's
/// customer; allowed outside the 24-hour window. The agent takes the chat over, as with a reply.
pub async fn queue(
    pool: &PgPool,
    chat_id: ChatId,
    user: &UserInfo,
    name: &str,
    language: &str,
    values: &[String],
) -> Result<Vec<MessageView>, Error> {
    queue_filled(pool, chat_id, user, name, language, values, None).await
}

/// Whether `user` may send a template in the chat: checked before an attached header file is
/// read, so nobody else's upload is kept.
pub async fn check_sender(pool: &PgPool, chat_id: ChatId, user: &UserInfo) -> Result<(), Error> {
    let mut tx = pool.begin().await?;
    let state = chat_changes::lock(&mut tx, chat_id).await?;
    rules::may_reply(user, &state)?;
    tx.rollback().await?;
    Ok(())
}

/// As [`queue`], with an attached file (already in the media store) as the template's media
/// header: `values` are the other variables. The message carries the file like an agent's
/// photo (its bubble shows it); the outbox uploads it to the provider once and sends its id.
pub async fn queue_with_file(
    pool: &PgPool,
    store: &crate::media::MediaStore,
    chat_id: ChatId,
    user: &UserInfo,
    (name, language): (&str, &str),
    values: &[String],
    file: &crate::replies::files::StoredFile,
) -> Result<Vec<MessageView>, Error> {
    queue_filled(
        pool,
        chat_id,
        user,
        name,
        language,
        values,
        Some((file, store)),
    )
    .await
}

async fn queue_filled(
    pool: &PgPool,
    chat_id: ChatId,
    user: &UserInfo,
    name: &str,
    language: &str,
    values: &[String],
    file: Option<(
        &crate::replies::files::StoredFile,
        &crate::media::MediaStore,
    )>,
) -> Result<Vec<MessageView>, Error> {
    let mut tx = pool.begin().await?;
    let view = queue_in(
        &mut tx,
        chat_id,
        Sender::Human(user),
        (name, language),
        values,
        file,
    )
    .await?;
    tx.commit().await?;
    Ok(vec![view])
}

/// Queues template `name` in `language` inside the caller's transaction, for any sender (an
/// agent, other software through an API key): allowed outside the 24-hour window; the sender
/// takes the chat over as with a reply.
pub async fn queue_in(
    tx: &mut sqlx::PgConnection,
    chat_id: ChatId,
    sender: Sender<'_>,
    (name, language): (&str, &str),
    values: &[String],
    file: Option<(
        &crate::replies::files::StoredFile,
        &crate::media::MediaStore,
    )>,
) -> Result<MessageView, Error> {
    let format = match file {
        None => None,
        Some((f, _)) => Some(header_format(crate::replies::files::check_file(f)?)?),
    };
    // Refusals below roll back the takeover with everything else.
    let route = replies::begin_checked(&mut *tx, chat_id, sender, false).await?;
    let template = find(&mut *tx, route.channel_id, name, language).await?;
    let filled = match format {
        None => template.fill(values),
        Some(format) => template.fill_with_header_file(values, format),
    }
    .map_err(refusal)?;
    let text = filled.text();
    let object = filled.send_object();
    replies::queue_prepared(
        &mut *tx,
        &route,
        sender,
        MessageKind::Template,
        &text,
        Some(&object),
        file,
    )
    .await
}

/// The header a file can be: a photo, a video or a document (any other kind, none).
fn header_format(kind: whatsapp::MessageKind) -> Result<MediaFormat, Error> {
    match kind {
        whatsapp::MessageKind::Image => Ok(MediaFormat::Image),
        whatsapp::MessageKind::Video => Ok(MediaFormat::Video),
        whatsapp::MessageKind::Document => Ok(MediaFormat::Document),
        _ => Err(Error::invalid("file", Reason::TemplateHeaderFile)),
    }
}
