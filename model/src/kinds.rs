//! The closed sets of values stored as `text` columns, as enums. Each maps to its column with
//! sqlx (feature `sqlx`): a value the enum does not know is a decoding error, never a silent
//! default. On the wire they are the same lowercase strings as in the database.

use serde::{Deserialize, Serialize};

macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(type_name = "text"))]
        pub enum $name {
            $(
                $(#[$vdoc])*
                #[serde(rename = $text)]
                #[cfg_attr(feature = "sqlx", sqlx(rename = $text))]
                $variant,
            )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored (and wire) text.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(
    /// A chat's mode. One state machine on the server decides who may move it where.
    Mode {
        /// The bot answers customer messages from keyword rules.
        Bot => "bot",
        /// A human handles it; the bot is silent.
        Agent => "agent",
        /// Messages are stored; no replies, no notifications.
        Paused => "paused",
        /// Finished; a new customer message reopens it.
        Closed => "closed",
    }
);

text_enum!(
    /// An account's role.
    Role {
        Admin => "admin",
        Agent => "agent",
    }
);

text_enum!(
    /// `message.direction`.
    Direction {
        /// From the customer.
        In => "in",
        /// From us (agent or bot).
        Out => "out",
        /// A system event in the conversation, neither sent nor received.
        Note => "note",
    }
);

text_enum!(
    /// `message.sender_kind`: who wrote a message.
    SenderKind {
        Customer => "customer",
        Bot => "bot",
        Agent => "agent",
        /// A system event in the conversation ("Assigned to Rina by Admin").
        System => "system",
    }
);

text_enum!(
    /// `message.status`: a customer message is `received`; ours move forward only, queued →
    /// sent → delivered → read, or end as failed.
    DeliveryState {
        Received => "received",
        Queued => "queued",
        Sent => "sent",
        Delivered => "delivered",
        Read => "read",
        Failed => "failed",
    }
);

text_enum!(
    /// `channel.kind`: which provider a channel talks to.
    ChannelKind {
        Meta => "meta",
        Whapi => "whapi",
        Qontak => "qontak",
        Waha => "waha",
        Gateway => "gateway",
        Sandbox => "sandbox",
    }
);

text_enum!(
    /// `message.kind`.
    MessageKind {
        Text => "text",
        Image => "image",
        Audio => "audio",
        Video => "video",
        Document => "document",
        Sticker => "sticker",
        Location => "location",
        Contacts => "contacts",
        /// A tap on a button or a list row.
        InteractiveReply => "interactive_reply",
        Reaction => "reaction",
        /// Anything we do not model; the provider's object is kept raw.
        Unsupported => "unsupported",
        /// A system event in the conversation.
        System => "system",
        /// A message template we sent (its text as the customer reads it).
        Template => "template",
        /// Reply buttons or a list we sent (its body text, and what it offers).
        Interactive => "interactive",
    }
);

impl DeliveryState {
    /// Whether a message can be in state `self` after having been in `earlier`: the same state
    /// again, a step forward (queued → sent → delivered → read; failed after queued or sent),
    /// or anything after failed (a retry starts over). A view that already shows `earlier`
    /// ignores an update that cannot follow it (an answer that arrived after a newer event).
    pub fn may_follow(self, earlier: DeliveryState) -> bool {
        use DeliveryState::*;
        match (earlier, self) {
            (a, b) if a == b => true,
            (Queued, Sent | Delivered | Read | Failed) => true,
            (Sent, Delivered | Read | Failed) => true,
            (Delivered, Read) => true,
            (Failed, Queued | Sent | Delivered | Read) => true,
            _ => false,
        }
    }
}

text_enum!(
    /// `attachment.state`: where a message's file stands.
    MediaState {
        /// Being fetched from the provider, or waiting for its next try.
        Pending => "pending",
        /// In the media store; the browser can load it.
        Ready => "ready",
        /// It could not be fetched (see [`MediaProblem`]).
        Failed => "failed",
        /// It was in the store and was removed to save space.
        Evicted => "evicted",
    }
);

text_enum!(
    /// `attachment.problem`: why a file could not be fetched.
    MediaProblem {
        /// The provider no longer has it (Meta keeps a customer's file 7 days).
        Expired => "expired",
        /// Larger than WhatsApp's limit for its kind.
        TooLarge => "too_large",
        /// This channel's provider does not let us download files.
        Unsupported => "unsupported",
        /// The provider refused (its reason is kept).
        Refused => "refused",
        /// Every try failed (network, provider errors); "Try again" starts over.
        Unavailable => "unavailable",
    }
);

text_enum! {
    /// The name of a live event: in the `event` table's `kind`, and the SSE event name.
    EventKind {
        MessageCreated => "message.created",
        MessageUpdated => "message.updated",
        ChatUpdated => "chat.updated",
        ChannelChanged => "channel.changed",
        Typing => "chat.typing",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_text_is_the_stored_text() {
        for k in MessageKind::ALL {
            assert_eq!(
                serde_json::to_string(k).unwrap(),
                format!("\"{}\"", k.as_str())
            );
            assert_eq!(MessageKind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(Direction::parse("note"), Some(Direction::Note));
        for s in DeliveryState::ALL {
            assert_eq!(
                serde_json::to_string(s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        assert_eq!(Mode::parse("nope"), None);
        use DeliveryState::*;
        assert!(Sent.may_follow(Queued) && Read.may_follow(Delivered));
        assert!(
            !Sent.may_follow(Read) && !Queued.may_follow(Sent),
            "ticks never go back"
        );
        assert!(
            Queued.may_follow(Failed) && Sent.may_follow(Failed),
            "a retry starts over"
        );
    }
}
