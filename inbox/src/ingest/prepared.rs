//! A customer message made ready for storing: its preview, its media and the view the
//! conversation shows, computed once per message of a batch.

use crate::db::{events, messages};
use crate::Error;
use model::{
    ChannelId, ChatId, ContactCardView, DeliveryState, Direction, LocationView, MediaState,
    MediaView, MessageId, MessageView, SenderKind,
};
use whatsapp::InboundMessage;

/// What a customer message needs besides the parsed event, owned for the batch.
pub(super) struct Prepared {
    media: Option<serde_json::Value>,
    /// A shared place or contact cards, kept on the message once it is stored.
    pub(super) details: Option<serde_json::Value>,
    preview: String,
    /// The message as the conversation shows it; the database fills in its ids.
    view: serde_json::Value,
}

impl Prepared {
    pub(super) fn new(m: &InboundMessage) -> Result<Prepared, Error> {
        let location = m.location.as_ref().map(|l| LocationView {
            latitude: l.latitude.to_string(),
            longitude: l.longitude.to_string(),
            name: l.name.clone(),
            address: l.address.clone(),
        });
        let contacts: Vec<ContactCardView> = m
            .cards
            .iter()
            .map(|c| ContactCardView {
                name: c.name.clone(),
                phones: c.phones.clone(),
            })
            .collect();
        let details = match (&location, contacts.is_empty(), &m.choice) {
            (Some(l), _, _) => Some(serde_json::json!({ "location": l })),
            (None, false, _) => Some(serde_json::json!({ "contacts": contacts })),
            // A tap keeps the id of what was tapped (its webhook event names it).
            (None, true, Some(choice)) => Some(serde_json::json!({ "choice": choice })),
            (None, true, None) => None,
        };
        Ok(Prepared {
            details,
            media: m
                .media
                .as_ref()
                .map(|media| serde_json::to_value(media).unwrap_or_default()),
            preview: preview(m),
            view: events::to_json(&MessageView {
                message_id: MessageId(0),
                chat_id: ChatId(0),
                direction: Direction::In,
                sender_kind: SenderKind::Customer,
                sender_name: None,
                via_api: None,
                kind: stored_kind(m.kind),
                body: m.text.clone(),
                status: DeliveryState::Received,
                error_code: None,
                error_reason: None,
                sent_at: m.sent_at,
                event: None,
                revoked_at: None,
                media: m.media.as_ref().map(|r| MediaView {
                    state: MediaState::Pending,
                    mime_type: r.mime_type.clone(),
                    filename: r.filename.clone(),
                    size: r.size.and_then(|n| i64::try_from(n).ok()),
                    problem: None,
                    detail: None,
                    voice: r.voice,
                }),
                // Filled in by the database, which finds the quoted message.
                quoted: None,
                interactive: None,
                location,
                contacts,
                reaction: None,
            })?,
        })
    }

    pub(super) fn inbound<'a>(
        &'a self,
        channel_id: ChannelId,
        m: &'a InboundMessage,
    ) -> messages::Inbound<'a> {
        messages::Inbound {
            channel_id,
            phone: m.from_phone.as_deref(),
            bsuid: m.from_user_id.as_deref(),
            name: m.from_name.as_deref(),
            provider_message_id: &m.provider_message_id,
            kind: stored_kind(m.kind),
            body: m.text.as_deref(),
            media: self.media.as_ref(),
            reply_to: m.reply_to.as_deref(),
            raw: &m.raw,
            sent_at: m.sent_at,
            preview: &self.preview,
            view: &self.view,
        }
    }
}

/// The chat list's one-line preview of a message.
fn preview(m: &InboundMessage) -> String {
    let text = m
        .text
        .clone()
        .unwrap_or_else(|| format!("[{}]", m.kind.as_str()));
    text.chars().take(140).collect()
}

/// The stored kind of a message the adapters parsed.
pub fn stored_kind(k: whatsapp::MessageKind) -> model::MessageKind {
    use model::MessageKind as M;
    use whatsapp::MessageKind as W;
    match k {
        W::Text => M::Text,
        W::Image => M::Image,
        W::Audio => M::Audio,
        W::Video => M::Video,
        W::Document => M::Document,
        W::Sticker => M::Sticker,
        W::Location => M::Location,
        W::Contacts => M::Contacts,
        W::InteractiveReply => M::InteractiveReply,
        W::Reaction => M::Reaction,
        W::Unsupported => M::Unsupported,
    }
}
