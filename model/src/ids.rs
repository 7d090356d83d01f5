//! Typed ids: a chat id cannot be passed where a message id is expected. Each is the table's
//! `bigint` key (`chat.chat_id` ↔ [`ChatId`]); on the wire and in JSON they are plain numbers.

use serde::{Deserialize, Serialize};

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(transparent))]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<i64> for $name {
            fn from(id: i64) -> Self {
                $name(id)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    };
}

id!(
    /// `chat.chat_id`: one conversation of a contact on a channel.
    ChatId
);
id!(
    /// `message.message_id`.
    MessageId
);
id!(
    /// `app_user.user_id`: an admin or agent.
    UserId
);
id!(
    /// `channel.channel_id`: a WhatsApp number (or the sandbox).
    ChannelId
);
id!(
    /// `contact.contact_id`: one customer, across channels.
    ContactId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_numbers_on_the_wire() {
        assert_eq!(serde_json::to_string(&ChatId(42)).unwrap(), "42");
        assert_eq!(
            serde_json::from_str::<MessageId>("7").unwrap(),
            MessageId(7)
        );
        assert_eq!("15".parse::<UserId>().unwrap(), UserId(15));
    }
}
