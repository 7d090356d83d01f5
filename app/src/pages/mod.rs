//! One file per page.

pub mod api_keys;
pub mod bot;
pub mod channels;
pub mod conversation;
pub mod home;
pub mod inbox;
pub mod login;
pub mod not_found;
pub mod playground;
pub mod sandbox;
pub mod setup;
pub mod users;
pub mod webhooks;
