//! Pieces shared by the pages.

pub mod alerts;
pub mod attachment;
pub mod chat;
pub mod error_text;
pub mod guard;
pub mod lang;
pub mod message;
pub mod nav;
pub mod upload;
