//! What the drills share: the real server binary as a child process, configured as the drills
//! run it (`server`), a provider that sends webhooks in Meta's wire format and a mock of its
//! Graph API that can be switched off and on (`provider`), and ways to watch the outcome
//! (`observe`). The harness, bodies and signature themselves are `test_support`'s.

mod observe;
mod provider;
mod server;

pub use observe::*;
pub use provider::*;
pub use server::*;
pub use test_support::bodies::Msg;
pub use test_support::process::{database_url, free_port};

pub const META_SECRET: &str = "drill-app-secret";
pub const META_PHONE_ID: &str = "100000000000077";
