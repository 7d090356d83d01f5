//! The inbox server: configuration, the private PostgreSQL, the axum router around the Leptos
//! app, and start-up tasks. `main.rs` only wires these together, so tests can build the same
//! application.
//!
//! - [`config`]: environment variables.
//! - [`telemetry`]: logging.
//! - [`embedded_pg`]: the private PostgreSQL used when `DATABASE_URL` is unset.
//! - [`startup`]: database connection, migrations, the router, serving.
//! - [`bootstrap`]: first admin and demo accounts.
//! - [`health`]: `/healthz` and `/readyz`.

pub mod bootstrap;
pub mod config;
pub mod embedded_pg;
pub mod health;
pub mod startup;
pub mod telemetry;

/// The migrations in `migrations/`, embedded at compile time; used at start-up and by tests.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");
