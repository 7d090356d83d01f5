//! The server under test: the release binary, started from the workspace root against the
//! benchmark database, with its providers pointed at the benchmark's mock (the process harness
//! is `test_support::process`, which also reads its memory from /proc).

use std::path::Path;
use test_support::process::{MetaChannel, ServerBuilder, ServerProcess};

pub const WHAPI_SECRET: &str = "bench-whapi-webhook-secret";
pub const META_SECRET: &str = "bench-app-secret";
pub const META_PHONE_ID: &str = "100000000000001";
pub const ADMIN: (&str, &str) = ("bench-admin", "bench-admin-password");

/// Starts the server and waits (up to 60 s) until `/readyz` answers.
pub async fn start(
    binary: &Path,
    database_url: &str,
    mock_url: &str,
) -> anyhow::Result<ServerProcess> {
    let server = ServerBuilder::new(binary)
        .database_url(database_url)
        .admin(ADMIN.0, ADMIN.1)
        .secret_key(&"22".repeat(32))
        .data_dir("target/bench/data")
        .meta(MetaChannel {
            phone_number_id: META_PHONE_ID,
            access_token: "bench-token",
            app_secret: META_SECRET,
            verify_token: "bench-verify",
            graph_url: mock_url,
        })
        .whapi("bench-whapi-token", mock_url, WHAPI_SECRET)
        .envs(&[
            ("INBOX_OUTBOX_WORKERS", "16"),
            ("INBOX_OUTBOX_RETRY_BASE_MS", "20"),
            ("INBOX_OUTBOX_RETRY_MAX_SECS", "1"),
            ("INBOX_OUTBOX_MAX_ATTEMPTS", "30"),
            // The platform section: its own rate, and a webhook receiver on this machine.
            ("INBOX_API_RATE_PER_MIN", "1000000"),
            ("INBOX_WEBHOOK_ALLOW_PRIVATE", "true"),
        ])
        .rust_log("error")
        .env_remove("INBOX_DEMO")
        .start()
        .await?;
    Ok(server)
}
