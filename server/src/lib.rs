//! The inbox server: configuration, the private PostgreSQL, the axum router around the Leptos
//! app, and start-up tasks. `main.rs` only wires these together, so tests can build the same
//! application.
//!
//! Modules:
//!
//! - [`config`] — environment variables.
//! - [`telemetry`] — logging.
//! - [`embedded_pg`] — the private PostgreSQL used when `DATABASE_URL` is unset.
//! - [`startup`] — database connection, migrations, the router, serving.
//! - [`bootstrap`] — first admin and demo accounts.
//! - [`health`] — `/healthz` and `/readyz`.
//! - [`crypto`] — provider credentials encrypted at rest.
//! - [`channels`] — channels from the environment, each channel's provider adapter.
//! - [`webhooks`] — provider webhooks → verify → parse → store → acknowledge.
//! - [`ingest_queue`] — group commit: webhook bodies that arrive together share a transaction.
//! - [`outbox`] — the worker that delivers replies, with retries.
//! - [`live`] — LISTEN/NOTIFY → Server-Sent Events (and agent presence).
//! - [`assigner`] — runs auto-assignment when chats change.
//! - [`sandbox`] — the built-in sandbox channel's adapter.
//! - [`demo`] — demo data (sample bot rules and chats) in demo mode.

pub mod assigner;
pub mod bootstrap;
pub mod channels;
pub mod config;
pub mod crypto;
pub mod demo;
pub mod embedded_pg;
pub mod health;
pub mod ingest_queue;
pub mod live;
pub mod outbox;
pub mod sandbox;
pub mod startup;
pub mod telemetry;
pub mod webhooks;

/// The migrations in `migrations/`, embedded at compile time; used at start-up and by tests.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");
