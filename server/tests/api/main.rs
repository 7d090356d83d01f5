//! Integration tests: the real application on a real socket, a fresh PostgreSQL database per
//! test (`#[sqlx::test]`), driven over HTTP like a browser or script would.

mod accounts;
mod assignment;
mod bot;
mod bot_bodies;
mod bot_window;
mod channel_webhooks;
mod channels;
mod csrf;
mod deactivate;
mod demo_accounts;
mod embedded;
mod helpers;
mod ingest_queue;
mod live;
mod media;
mod meta_fields;
mod metrics;
mod modes;
mod nul;
mod outbox;
mod outbox_lease;
mod outbox_order;
mod outgoing_files;
mod pool;
mod receipts;
mod receipts_outage;
mod retry;
mod robustness;
mod sandbox;
mod sessions;
mod streams;
mod templates;
mod throttle;
mod webhooks;
mod whapi_secret;
