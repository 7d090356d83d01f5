//! The server binary as the drills run it (`test_support::process` is the harness): from the
//! `server` crate's directory, its Meta channel pointed at the drill's provider, its log in a
//! file per port; and an agent's reply through it.

use std::time::Duration;
use test_support::process::{MetaChannel, ServerBuilder, ServerProcess};

pub const ADMIN: (&str, &str) = ("drill-admin", "drill-admin-password");

/// Starts the server on `port` against `database_url`, its Meta channel pointed at
/// `provider_url`, `extra_env` last, and waits (up to 60 s) until it is ready. Its log is
/// `$TMPDIR/inbox-drill-server-<port>.log`; `stop` waits up to 30 s for a clean exit.
pub async fn start_server(
    database_url: &str,
    port: u16,
    provider_url: &str,
    extra_env: &[(&str, &str)],
) -> ServerProcess {
    let log = std::env::temp_dir().join(format!("inbox-drill-server-{port}.log"));
    ServerBuilder::new(env!("CARGO_BIN_EXE_server"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .port(port)
        .database_url(database_url)
        .env("LEPTOS_OUTPUT_NAME", "inbox")
        .data_dir(std::env::temp_dir().join("inbox-drills"))
        .secret_key(&"33".repeat(32))
        .admin(ADMIN.0, ADMIN.1)
        .meta(MetaChannel {
            phone_number_id: super::META_PHONE_ID,
            access_token: "drill-token",
            app_secret: super::META_SECRET,
            verify_token: "drill-verify",
            graph_url: provider_url,
        })
        .rust_log("warn")
        .env_remove("INBOX_DEMO")
        .env_remove("WHAPI_TOKEN")
        .envs(extra_env)
        .log_file(log)
        .ready_within(Duration::from_secs(60))
        .stop_within(Duration::from_secs(30))
        .start()
        .await
        .unwrap()
}

/// An agent reply through the server function the inbox uses; true when accepted.
pub async fn reply(
    server: &ServerProcess,
    admin: &reqwest::Client,
    chat_id: i64,
    text: String,
) -> bool {
    admin
        .post(server.url("/api/chats/reply"))
        .form(&[("chat_id", chat_id.to_string()), ("text", text)])
        .send()
        .await
        .map(|r| r.status().is_success())
        .unwrap_or(false)
}
