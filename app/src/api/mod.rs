//! Server functions, by feature. Each is thin: check who is asking, call one `ssr` function,
//! map errors. URLs are fixed (`endpoint = ...`) so scripts and tests can call them.

pub mod alerts;
pub mod api_keys;
pub mod auth;
pub mod bot;
pub mod channels;
pub mod chats;
pub mod hooks;
pub mod playground;
pub mod sandbox;
pub mod templates;
pub mod users;
