//! WhatsApp provider adapters for the support inbox.
//!
//! One trait, [`Provider`], hides the differences between the Meta Cloud API
//! ([`MetaProvider`]), Whapi.Cloud ([`WhapiProvider`]), Mekari Qontak
//! ([`QontakProvider`]), WAHA ([`WahaProvider`]) and our generic gateway
//! contract ([`GatewayProvider`]). Everything they report is normalised into
//! provider-neutral [`InboundEvent`]s. No database, no web framework: the
//! server owns persistence and HTTP routing.
//!
//! Webhook handling, per request:
//!
//! 1. read the body as **raw bytes**;
//! 2. [`Provider::verify`] — on error answer 401;
//! 3. persist the raw body (Meta has no replay API);
//! 4. [`Provider::parse`] — on [`ParseError`] answer 400 with its text;
//!    otherwise answer 200 quickly and process [`ParseOutcome::events`]
//!    idempotently (every provider delivers at least once; dedupe messages on
//!    `(provider, channel_key, provider_message_id)`, apply statuses only when
//!    [`DeliveryState::advances_from`] the stored state). Log
//!    [`ParseOutcome::rejected`].
//!
//! Sending: [`Provider::send_text`] — see its docs for the error mapping and
//! what each provider guarantees about idempotency.
//!
//! Helpers: [`phone::normalize_phone`] for agent-typed numbers,
//! [`phone::jid_to_phone`] for WhatsApp-Web JIDs, [`split_text`] for replies
//! over 4096 characters, [`signature`] for HMAC primitives.

pub mod check;
pub mod error;
pub mod event;
pub mod gateway;
pub mod interactive;
pub mod media;
pub mod meta;
pub mod outgoing;
pub mod phone;
pub mod provider;
pub mod qontak;
pub mod signature;
pub mod templates;
pub mod text;
mod util;

/// The longest a send to a provider may take before it counts as timed out.
pub const SEND_TIMEOUT: std::time::Duration = util::DEFAULT_SEND_TIMEOUT;
pub mod waha;
pub mod whapi;

pub use check::{CheckFailure, ConnectionInfo, CHECK_TIMEOUT};
pub use error::{ParseError, SendError, SendErrorKind, VerifyError};
pub use event::{
    AccountEvent, AccountEventKind, ContactCard, DeliveryState, InboundEvent, InboundMessage,
    Location, MediaRef, MessageKind, OutboundEcho, ParseOutcome, ProviderError, ProviderKind,
    Revocation, StatusUpdate, UnknownVariant,
};
pub use gateway::{GatewayConfig, GatewayProvider};
pub use interactive::{Choice, Choices, Interactive, InteractiveRefusal, Section};
pub use media::{Downloaded, MediaError};
pub use meta::{MetaConfig, MetaProvider};
pub use outgoing::{Content, FileRefusal, MediaMessage, Outgoing, Upload};
pub use provider::{Capabilities, Provider, Recipient, SendReceipt};
pub use qontak::{QontakConfig, QontakProvider};
pub use text::{split_text, MAX_TEXT_CHARS};
pub use waha::{WahaConfig, WahaProvider};
pub use whapi::{WhapiConfig, WhapiProvider};

/// What `Debug` prints instead of a secret.
pub(crate) const REDACTED: &str = "<redacted>";
