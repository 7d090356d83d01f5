//! Everything that runs only on the server and touches PostgreSQL: state, auth, queries.
//! Compiled only with the `ssr` feature, so the wasm build never sees sqlx or argon2.

pub mod assignment;
pub mod auth;
pub mod bot;
pub mod bot_admin;
pub mod chat_state;
pub mod db;
pub mod error;
pub mod ingest;
pub mod replies;
pub mod state;

pub use error::respond;
pub use state::{AppState, Settings};
