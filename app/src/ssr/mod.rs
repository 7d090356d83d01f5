//! The server side of the app's server functions (feature `ssr`): the request's state and
//! session, the role guards, and the conversion of backend errors at this edge. Everything
//! that touches PostgreSQL is in the `inbox` crate.

pub mod auth;
pub mod csp;
pub mod error;
pub mod state;

pub use error::respond;
pub use state::{AppState, Settings};
