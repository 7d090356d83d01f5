//! A message other software sends to a number: the customer's chat on the channel is opened,
//! reopened or started ([`crate::chat_changes::open_for`], by the API's rules), and the message
//! goes through the same services as an agent's (checked the same way, stored with its outbox
//! row in one transaction, sent by the outbox with its retries and honest states), named with
//! the API key. The call's answer comes as soon as it is queued.

use crate::api_keys::ApiCaller;
use crate::channels::Channels;
use crate::chat_changes::{open_for, Starter};
use crate::db::messages;
use crate::media::MediaStore;
use crate::replies::files::{self, StoredFile};
use crate::replies::{self, interactive, Sender};
use crate::Error;
use model::{ChannelId, ChatId, MessageId, MessageView, Reason};
use sqlx::PgConnection;

/// What to send.
#[derive(Debug, Clone)]
pub enum Content {
    Text(String),
    /// A file already in the media store, with its caption.
    File {
        file: StoredFile,
        caption: Option<String>,
    },
    /// Reply buttons or a list.
    Interactive(whatsapp::Interactive),
    /// An approved template, its variables in order.
    Template {
        name: String,
        language: String,
        values: Vec<String>,
    },
}

/// The message a send quotes: ours (its id here), or the provider's id of it (what a
/// gateway's `message.in` gave a script as `messageId` before it moved here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyTo {
    Ours(MessageId),
    Provider(String),
}

impl ReplyTo {
    /// A reply id as a script sends it: our number, else the provider's id.
    pub fn parse(given: &str) -> Option<ReplyTo> {
        let given = given.trim();
        if given.is_empty() {
            return None;
        }
        Some(match given.parse::<i64>() {
            Ok(id) => ReplyTo::Ours(MessageId(id)),
            Err(_) => ReplyTo::Provider(given.to_owned()),
        })
    }
}

/// A send to a number.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub channel_id: ChannelId,
    /// As given: normalised here (`08…` → `628…`, `+62 812-…` → `62812…`).
    pub to: String,
    pub content: Content,
    pub reply_to: Option<ReplyTo>,
    /// `"mode": "keep"`: the chat's mode is left as it is (no takeover).
    pub keep_mode: bool,
}

/// The number a send goes to, normalised, or `phone_invalid`.
pub fn recipient(to: &str) -> Result<String, Error> {
    // A WhatsApp id (`628…@s.whatsapp.net`, `…@c.us`) is a number too.
    let number = to.split('@').next().unwrap_or_default();
    whatsapp::phone::normalize_phone(number).ok_or(Error::invalid("to", Reason::PhoneInvalid))
}

/// Queues `send` inside the caller's transaction: its chat, then its message(s) (a long text
/// or an audio file's caption may go as several). The key's right to the channel is the
/// caller's to check.
pub async fn send_in(
    tx: &mut PgConnection,
    (channels, store): (&Channels, &MediaStore),
    caller: &ApiCaller,
    send: &Outgoing,
) -> Result<(ChatId, Vec<MessageView>), Error> {
    let phone = recipient(&send.to)?;
    if !caller.may_use(send.channel_id) {
        return Err(Error::Forbidden);
    }
    let starter = Starter::Api {
        key: caller,
        keep_mode: send.keep_mode,
    };
    let chat_id = open_for(&mut *tx, starter, send.channel_id, &phone).await?;
    let quoting = match &send.reply_to {
        None => None,
        Some(ReplyTo::Ours(id)) => Some(*id),
        Some(ReplyTo::Provider(provider_id)) => Some(
            messages::by_provider_id(&mut *tx, send.channel_id, provider_id)
                .await?
                .ok_or(Error::invalid("reply_to", Reason::QuoteNotFound))?,
        ),
    };
    let sender = Sender::Api {
        key: caller,
        keep_mode: send.keep_mode,
    };
    let views = match &send.content {
        Content::Text(text) => {
            replies::queue_reply_in(&mut *tx, chat_id, sender, text, quoting).await?
        }
        Content::File { file, caption } => {
            files::queue_file_in(
                &mut *tx,
                (channels, store),
                chat_id,
                sender,
                file,
                caption.as_deref(),
                quoting,
            )
            .await?
        }
        Content::Interactive(options) => vec![
            interactive::queue_interactive_in(&mut *tx, chat_id, sender, options, quoting).await?,
        ],
        Content::Template {
            name,
            language,
            values,
        } => vec![
            crate::templates::queue_in(&mut *tx, chat_id, sender, (name, language), values, None)
                .await?,
        ],
    };
    tracing::info!(%chat_id, api_key_id = caller.api_key_id, messages = views.len(), "API send queued");
    Ok((chat_id, views))
}

/// [`send_in`] in a transaction of its own (the playground, which needs no idempotency key).
pub async fn send(
    pool: &sqlx::PgPool,
    (channels, store): (&Channels, &MediaStore),
    caller: &ApiCaller,
    send: &Outgoing,
) -> Result<(ChatId, Vec<MessageView>), Error> {
    let mut tx = pool.begin().await?;
    let sent = send_in(&mut tx, (channels, store), caller, send).await?;
    tx.commit().await?;
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_normalised_the_way_the_gateways_do_and_bad_ones_refused() {
        assert_eq!(recipient("081298765432").unwrap(), "6281298765432");
        assert_eq!(recipient("+62 812-9876-5432").unwrap(), "6281298765432");
        assert_eq!(recipient("6281298765432").unwrap(), "6281298765432");
        assert_eq!(
            recipient("6281298765432@s.whatsapp.net").unwrap(),
            "6281298765432"
        );
        for bad in ["", "12", "hello", "+0812345678", "62812345678901234"] {
            assert!(recipient(bad).is_err(), "{bad:?} is refused");
        }
    }

    #[test]
    fn a_reply_id_is_ours_when_it_is_a_number() {
        assert_eq!(ReplyTo::parse("42"), Some(ReplyTo::Ours(MessageId(42))));
        assert_eq!(
            ReplyTo::parse("3EB0C127D7BACC83D6A1"),
            Some(ReplyTo::Provider("3EB0C127D7BACC83D6A1".into()))
        );
        assert_eq!(ReplyTo::parse(" "), None);
    }
}
