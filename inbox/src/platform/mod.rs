//! What other software does through an API key (a shop's order system, a script written for
//! the WhatsApp gateway this inbox replaces): the same actions as an agent, through the same
//! services, with the key named wherever it acted.
//!
//! - [`channel`]: which channel a call is for (named, the key's only one, the admins' default,
//!   or the only one there is), and each channel's state as the API reports it.
//! - [`send`]: a message to a number (text, a file, buttons or a list, a template), into the
//!   customer's chat (opened, reopened or started by the API's rules) and the outbox.
//! - [`media`]: a file an API send brings (base64, a data URL, or a link fetched once),
//!   checked like an agent's upload and kept in the media store.
//! - [`idempotency`]: `Idempotency-Key`: the first answer kept for 24 hours, a retry never
//!   sends twice.
//! - [`read`]: chats, messages and contacts for the REST API, keyset-paginated.

pub mod channel;
pub mod idempotency;
pub mod media;
pub mod read;
pub mod send;

pub use channel::{choose_channel, ApiChannel, ChannelState};
pub use send::{Content, Outgoing, ReplyTo};
