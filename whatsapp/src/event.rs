//! Provider-neutral types: what every adapter turns a webhook body into
//! ([`InboundEvent`], [`ParseOutcome`]); the small enums shared by callers
//! ([`ProviderKind`], [`MessageKind`], [`DeliveryState`]) are in `event/kinds.rs`.
//!
//! Nothing in here knows about a particular provider's wire format.

mod kinds;

pub use kinds::{DeliveryState, MessageKind, ProviderKind, UnknownVariant};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One thing a webhook told us.
// Customer messages are nearly every event: boxing them would allocate for each one to save a
// few hundred bytes on the rare others.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InboundEvent {
    /// A message from a customer.
    Message(InboundMessage),
    /// A delivery receipt for one of our outbound messages.
    Status(StatusUpdate),
    /// A message sent by the business (through us, or typed on the linked
    /// phone) echoed back by the provider. Never a customer message.
    Echo(OutboundEcho),
    /// A message the business typed in the WhatsApp Business app on the same
    /// number (Meta `smb_message_echoes`, coexistence): not sent through us,
    /// and to be shown in the conversation as the business's.
    AppEcho(OutboundEcho),
    /// The customer deleted one of their messages for everyone (Meta
    /// `revoke`); it may come without the usual sender fields.
    Revoked(Revocation),
    /// About the business account, not a conversation: restrictions, bans,
    /// template reviews (Meta `account_update`, `message_template_status_update`).
    Account(AccountEvent),
}

/// A customer's deletion of an earlier message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revocation {
    pub channel_key: String,
    /// The id of the deletion itself.
    pub provider_message_id: String,
    /// The id of the message deleted.
    pub original_message_id: String,
    pub at: DateTime<Utc>,
}

/// An event about the business account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountEvent {
    /// Meta: the WhatsApp Business Account id (`entry[].id`).
    pub account_id: String,
    pub kind: AccountEventKind,
    /// The provider's `value` object as received.
    pub raw: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AccountEventKind {
    /// `account_update`: `event` (`ACCOUNT_RESTRICTION`, `ACCOUNT_VIOLATION`,
    /// `DISABLED_UPDATE`, …) and a readable summary of its details.
    Alert {
        event: String,
        detail: Option<String>,
    },
    /// `message_template_status_update`.
    TemplateStatus {
        template_id: String,
        name: Option<String>,
        language: Option<String>,
        /// `APPROVED`, `REJECTED`, `PAUSED`, …
        status: String,
        /// `NONE` becomes `None`.
        reason: Option<String>,
    },
}

/// A media attachment reference; [`crate::Provider::download_media`] fetches it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MediaRef {
    /// The provider's media id (Meta, Whapi): what a download asks the provider for.
    #[serde(default)]
    pub id: Option<String>,
    /// A direct URL to the file (Whapi `link`, Meta `url` (valid 5 minutes), Qontak and WAHA
    /// `url`). At least one of `id` and `url` is set.
    #[serde(default)]
    pub url: Option<String>,
    pub mime_type: Option<String>,
    /// As given by the provider (Meta/Whapi: base64 SHA-256).
    pub sha256: Option<String>,
    pub filename: Option<String>,
    /// The size the provider announced, in bytes.
    #[serde(default)]
    pub size: Option<u64>,
    /// A recorded voice note rather than an audio file.
    #[serde(default)]
    pub voice: bool,
}

/// A shared location (Meta `location`, Whapi `location`/`live_location`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub latitude: f64,
    pub longitude: f64,
    pub name: Option<String>,
    pub address: Option<String>,
}

/// A shared contact card (Meta `contacts[]`, Whapi `contact`/`contact_list` vCards).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactCard {
    pub name: Option<String>,
    /// Its numbers, digits with the country code where the card gives one (Meta `wa_id`, a
    /// vCard's `waid`), else as written.
    pub phones: Vec<String>,
}

/// A customer message, normalised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboundMessage {
    /// Which business line received it: Meta `phone_number_id`, Whapi
    /// `channel_id`, Qontak `channel_integration_id`, WAHA session, or the
    /// configured gateway key.
    pub channel_key: String,
    /// Provider's message id — the dedupe key (unique per provider + channel).
    pub provider_message_id: String,
    /// Digits only, country code first (`6281298765432`). `None` when the
    /// provider only gives an opaque id (Meta BSUID, WhatsApp `@lid`).
    pub from_phone: Option<String>,
    /// Opaque sender id: Meta BSUID (`from_user_id`), `@lid` JIDs.
    pub from_user_id: Option<String>,
    /// Profile/push name (user-controlled, untrusted).
    pub from_name: Option<String>,
    pub sent_at: DateTime<Utc>,
    pub kind: MessageKind,
    /// Best-effort human-readable preview (body, caption, button title,
    /// location name/address, contact names, reaction emoji).
    pub text: Option<String>,
    pub media: Option<MediaRef>,
    /// Id of the message this one replies to (`context.id`); for reactions the
    /// id of the message reacted to.
    pub reply_to: Option<String>,
    /// A tap's id: the button or list row chosen (Meta `button_reply.id`/`list_reply.id`, a
    /// template quick reply's `payload`, Whapi `buttons_reply.id`, the gateway's
    /// `buttonId`/`rowId`). `text` is its title, for people; bots route on this.
    #[serde(default)]
    pub choice: Option<String>,
    /// A `location` message's place.
    #[serde(default)]
    pub location: Option<Location>,
    /// A `contacts` message's cards.
    #[serde(default)]
    pub cards: Vec<ContactCard>,
    /// The provider's message object exactly as received (parsed JSON).
    pub raw: serde_json::Value,
}

/// Error details attached to a failed delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderError {
    /// Provider error code as a string (Meta `131047`).
    pub code: Option<String>,
    pub title: Option<String>,
    pub detail: Option<String>,
}

/// A delivery receipt for a message WE sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusUpdate {
    pub channel_key: String,
    /// The id returned when we sent the message ([`crate::SendReceipt`]).
    pub provider_message_id: String,
    pub state: DeliveryState,
    pub at: DateTime<Utc>,
    pub error: Option<ProviderError>,
    /// Recipient phone digits (or opaque id when no phone is known).
    pub recipient: Option<String>,
    /// Meta only: the `biz_opaque_callback_data` we attached on send — i.e.
    /// the `idempotency_key` passed to `send_text`. Lets the caller match a
    /// status to its outbound row even if the send response was lost.
    pub callback_data: Option<String>,
}

/// One of our own messages echoed back by the provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboundEcho {
    pub channel_key: String,
    pub provider_message_id: String,
    pub to_phone: Option<String>,
    pub text: Option<String>,
    pub sent_at: DateTime<Utc>,
}

/// Result of parsing one webhook body.
///
/// A body that is only partly understood yields the events we could build
/// plus one human-readable reason per part that was skipped (malformed items,
/// ignored event types, group chats …). Nothing is dropped silently.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ParseOutcome {
    pub events: Vec<InboundEvent>,
    pub rejected: Vec<String>,
    /// Well-formed parts we do not act on (another webhook field, another
    /// object): acknowledged, and kept by the caller for later.
    #[serde(default)]
    pub ignored: Vec<String>,
}

impl ParseOutcome {
    /// Customer messages only.
    pub fn messages(&self) -> impl Iterator<Item = &InboundMessage> {
        self.events.iter().filter_map(|e| match e {
            InboundEvent::Message(m) => Some(m),
            _ => None,
        })
    }

    /// Delivery receipts only.
    pub fn statuses(&self) -> impl Iterator<Item = &StatusUpdate> {
        self.events.iter().filter_map(|e| match e {
            InboundEvent::Status(s) => Some(s),
            _ => None,
        })
    }

    /// Echoes of our own messages only.
    pub fn echoes(&self) -> impl Iterator<Item = &OutboundEcho> {
        self.events.iter().filter_map(|e| match e {
            InboundEvent::Echo(e) => Some(e),
            _ => None,
        })
    }
}
