//! The callback data we attach to every send (Meta's `biz_opaque_callback_data`): our message
//! id, so that a status webhook finds its message even when we never learned the provider's id
//! (we crashed between the send and its bookkeeping, or the request timed out). One type, with
//! one encoding (the outbox worker) and one parse (ingest of statuses).

use model::MessageId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Callback(pub MessageId);

impl Callback {
    const PREFIX: &'static str = "msg-";

    /// `msg-<message id>`.
    pub fn encode(self) -> String {
        format!("{}{}", Self::PREFIX, self.0)
    }

    /// Our callback data, or `None` for anything else (another system's, or garbage).
    pub fn parse(data: &str) -> Option<Callback> {
        let id = data.strip_prefix(Self::PREFIX)?.parse().ok()?;
        Some(Callback(MessageId(id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_data_round_trips_and_refuses_others() {
        let c = Callback(MessageId(4711));
        assert_eq!(c.encode(), "msg-4711");
        assert_eq!(Callback::parse(&c.encode()), Some(c));
        assert_eq!(Callback::parse("msg-"), None);
        assert_eq!(Callback::parse("msg-12x"), None);
        assert_eq!(Callback::parse("order-12"), None);
    }
}
