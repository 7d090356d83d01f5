//! The small enums every adapter and caller shares ([`ProviderKind`], [`MessageKind`],
//! [`DeliveryState`]), with their string forms, and [`UnknownVariant`] for a string that names
//! none of them. Re-exported from [`crate::event`].

use std::fmt;
use std::str::FromStr;

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
