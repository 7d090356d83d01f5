//! The server side of the app's server functions (feature `ssr`): the request's state and
//! session, the role guards, and the conversion of backend errors at this edge; for pages, the
//! Content-Security-Policy and the lazy chunks' preload hints. Everything that touches
//! PostgreSQL is in the `inbox` crate.

pub mod auth;
pub mod chunk_hints;
pub mod csp;
pub mod error;
pub mod state;

pub use error::respond;
pub use state::{AppState, Settings};
