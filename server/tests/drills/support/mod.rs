//! What the drills share: the real server binary as a child process (`process`), a provider
//! that sends webhooks in Meta's wire format and a mock of its Graph API that can be switched off
//! and on (`provider`), and ways to watch the outcome (`observe`).

mod observe;
mod process;
mod provider;

pub use observe::*;
pub use process::*;
pub use provider::*;

pub const META_SECRET: &str = "drill-app-secret";
pub const META_PHONE_ID: &str = "100000000000077";
