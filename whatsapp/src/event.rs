//! Provider-neutral types: what every adapter turns a webhook body into
//! ([`InboundEvent`], [`ParseOutcome`]) and the small enums shared by callers
//! ([`ProviderKind`], [`MessageKind`], [`DeliveryState`]).
//!
//! Nothing in here knows about a particular provider's wire format.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A string did not name a known variant (returned by the `FromStr` impls).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what}: {value:?}")]
pub struct UnknownVariant {
    /// Which enum was being parsed, e.g. `"provider kind"`.
    pub what: &'static str,
    /// The rejected input.
    pub value: String,
}

/// Implements `as_str`, `Display` and `FromStr` for a fieldless enum from one
/// table, so the string forms cannot drift apart.
macro_rules! string_enum {
    ($ty:ident, $what:literal, { $($variant:ident => $s:literal),+ $(,)? }) => {
        impl $ty {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// Stable lower-case name (the same string serde uses).
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $s),+ }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = UnknownVariant;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($s => Ok($ty::$variant),)+
                    _ => Err(UnknownVariant { what: $what, value: s.to_owned() }),
                }
            }
        }
    };
}

/// Which provider family a channel talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// Meta WhatsApp Cloud API (Graph API).
    Meta,
    /// Whapi.Cloud (hosted linked-device API).
    Whapi,
    /// Mekari Qontak Omnichannel.
    Qontak,
    /// WAHA (self-hosted WhatsApp HTTP API).
    Waha,
    /// Our generic `/send-message` + `message.in` gateway contract.
    Gateway,
    /// No real provider: for demos and tests inside the app.
    Sandbox,
}

string_enum!(ProviderKind, "provider kind", {
    Meta => "meta",
    Whapi => "whapi",
    Qontak => "qontak",
    Waha => "waha",
    Gateway => "gateway",
    Sandbox => "sandbox",
});

/// What kind of content an inbound message carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    Text,
    Image,
    Audio,
    Video,
    Document,
    Sticker,
    Location,
    Contacts,
    /// A tap on a button or a list row (Meta `interactive`/`button`, Whapi `reply`).
    InteractiveReply,
    /// An emoji reaction; `text` is the emoji (`None` = reaction removed) and
    /// `reply_to` the id of the message reacted to.
    Reaction,
    /// Anything we do not model; the full provider object is kept in `raw`.
    Unsupported,
}

string_enum!(MessageKind, "message kind", {
    Text => "text",
    Image => "image",
    Audio => "audio",
    Video => "video",
    Document => "document",
    Sticker => "sticker",
    Location => "location",
    Contacts => "contacts",
    InteractiveReply => "interactive_reply",
    Reaction => "reaction",
    Unsupported => "unsupported",
});

/// Delivery state of a message WE sent.
///
/// Forward-only ladder `Queued < Sent < Delivered < Read` (see [`rank`](Self::rank));
/// `played` (voice note listened) is folded into `Read`. Providers deliver
/// statuses out of order and may skip `Delivered` ("read implies delivered"),
/// so callers must only ever move forward — use [`advances_from`](Self::advances_from).
///
/// `Failed` is terminal **for that send attempt**: nothing moves a failed
/// message back, and a new attempt is a new provider message id. Following
/// meta-cloud.md §4, a `Failed` that arrives after `Delivered`/`Read` is not
/// applied (log it instead).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    Queued,
    Sent,
    Delivered,
    Read,
    Failed,
}

string_enum!(DeliveryState, "delivery state", {
    Queued => "queued",
    Sent => "sent",
    Delivered => "delivered",
    Read => "read",
    Failed => "failed",
});

impl DeliveryState {
    /// Position on the ladder: Queued 0, Sent 1, Delivered 2, Read 3, Failed 4.
    /// Failed ranks highest because it is terminal; see [`advances_from`](Self::advances_from)
    /// for the one exception (failed never overrides delivered/read).
    pub fn rank(self) -> u8 {
        match self {
            DeliveryState::Queued => 0,
            DeliveryState::Sent => 1,
            DeliveryState::Delivered => 2,
            DeliveryState::Read => 3,
            DeliveryState::Failed => 4,
        }
    }

    /// Should a stored state `current` be replaced by `self`?
    ///
    /// True only for strictly forward moves; never out of `Failed`; `Failed`
    /// only replaces `Queued`/`Sent`.
    pub fn advances_from(self, current: DeliveryState) -> bool {
        match (current, self) {
            (DeliveryState::Failed, _) => false,
            (DeliveryState::Delivered | DeliveryState::Read, DeliveryState::Failed) => false,
            _ => self.rank() > current.rank(),
        }
    }

    /// True for `Failed`.
    pub fn is_terminal(self) -> bool {
        self == DeliveryState::Failed
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_forms_round_trip_and_match_serde() {
        for k in ProviderKind::ALL {
            assert_eq!(k.as_str().parse::<ProviderKind>().unwrap(), *k);
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        for k in MessageKind::ALL {
            assert_eq!(k.as_str().parse::<MessageKind>().unwrap(), *k);
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        for k in DeliveryState::ALL {
            assert_eq!(k.as_str().parse::<DeliveryState>().unwrap(), *k);
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        assert_eq!(MessageKind::InteractiveReply.as_str(), "interactive_reply");
        assert!("Meta".parse::<ProviderKind>().is_err());
        assert!("played".parse::<DeliveryState>().is_err());
    }

    #[test]
    fn delivery_state_only_moves_forward() {
        use DeliveryState::*;
        assert!(Queued.rank() < Sent.rank());
        assert!(Sent.rank() < Delivered.rank());
        assert!(Delivered.rank() < Read.rank());
        assert!(Read.advances_from(Sent));
        assert!(Delivered.advances_from(Sent));
        assert!(!Delivered.advances_from(Read));
        assert!(!Sent.advances_from(Sent));
        assert!(Failed.advances_from(Sent));
        assert!(Failed.advances_from(Queued));
        assert!(!Failed.advances_from(Delivered));
        assert!(!Read.advances_from(Failed));
        assert!(Failed.is_terminal() && !Read.is_terminal());
    }
}
