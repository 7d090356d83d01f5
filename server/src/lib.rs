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
//! - [`csrf`] — cross-site state-changing requests refused.
//! - [`webhooks`] — provider webhooks: verify → parse → hand to `inbox::ingest` → acknowledge.
//! - [`live`] — Server-Sent Events fed by the hub (`inbox::live`).
//! - [`metrics`] — Prometheus metrics at `/metrics`.
//! - [`platform`] — the API for other software (API keys): the gateway-compatible endpoints,
//!   the per-device forms, `/api/v1` with its OpenAPI document and docs page.
//!
//! The backend itself (storage, ingest, replies, the outbox worker, the live hub, channels)
//! is the `inbox` crate; this crate wires it to HTTP and to the process.

pub mod bootstrap;
pub mod config;
pub mod csrf;
pub mod embedded_pg;
pub mod health;
pub mod live;
pub mod media;
pub mod metrics;
pub mod platform;
pub mod site;
pub mod startup;
pub mod telemetry;
pub mod uploads;
pub mod webhooks;

pub use inbox::MIGRATOR;
