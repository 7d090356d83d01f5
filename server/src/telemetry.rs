//! Structured logs with `tracing`. `RUST_LOG` filters them (default: info for our crates, warn
//! for noisy dependencies); `INBOX_LOG_FORMAT=json` prints one JSON object per line. Logs go to
//! stderr (stdout is for what the operator must read once: demo accounts, a generated secret).

use tracing_subscriber::{fmt, EnvFilter};

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new("info,sqlx=warn,tower_sessions=warn,tower_sessions_core=warn")
    });
    let json = std::env::var("INBOX_LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = fmt()
        .with_env_filter(filter)
        .with_target(true)
        .with_writer(std::io::stderr);
    let result = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    // A second init (tests) keeps the first subscriber.
    let _ = result;
}
