//! Test support shared by the API tests (`server/tests/api`), the fault drills
//! (`server/tests/drills`) and the benchmark (`bench`):
//!
//! - [`bodies`] — webhook bodies in Meta's and Whapi's wire formats;
//! - [`signature`] — Meta's `X-Hub-Signature-256` over a body, and webhook requests signed (or
//!   authenticated) the way each provider does it;
//! - [`receiver`] — a webhook receiver recording every request's headers and raw body, failing
//!   the calls a rule names;
//! - [`process`] — the server binary as a child process: started with its environment, waited
//!   for until ready, stopped with SIGTERM or SIGKILL, its log and memory read.
//!
//! It knows the server only from outside (its binary, its environment variables, its HTTP
//! routes), so it depends on none of the workspace's application crates.

pub mod bodies;
pub mod process;
pub mod receiver;
pub mod signature;
