//! The server binary as a child process, and the database it runs on.

use sqlx::PgPool;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ADMIN: (&str, &str) = ("drill-admin", "drill-admin-password");

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The URL of the database `#[sqlx::test]` made for this test (same server as `DATABASE_URL`).
pub fn database_url(pool: &PgPool) -> String {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let (server, _) = base
        .rsplit_once('/')
        .expect("DATABASE_URL ends with /<database>");
    let db = pool
        .connect_options()
        .get_database()
        .expect("test database name")
        .to_string();
    format!("{server}/{db}")
}

/// The release-shaped server binary (`target/<profile>/server`), run as a separate process.
pub struct ServerProcess {
    child: Child,
    pub base: String,
    pub log: PathBuf,
}

impl ServerProcess {
    /// Starts the server on `port` against `database_url`, its Meta channel pointed at
    /// `provider_url`, and waits until it is ready.
    pub async fn start(
        database_url: &str,
        port: u16,
        provider_url: &str,
        extra_env: &[(&str, &str)],
    ) -> ServerProcess {
        let log = std::env::temp_dir().join(format!("inbox-drill-server-{port}.log"));
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("server log file");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_server"));
        cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("DATABASE_URL", database_url)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_OUTPUT_NAME", "inbox")
            .env("INBOX_DATA_DIR", std::env::temp_dir().join("inbox-drills"))
            .env("INBOX_SECRET_KEY", "33".repeat(32))
            .env("INBOX_ADMIN_USER", ADMIN.0)
            .env("INBOX_ADMIN_PASSWORD", ADMIN.1)
            .env("WHATSAPP_PHONE_NUMBER_ID", super::META_PHONE_ID)
            .env("WHATSAPP_ACCESS_TOKEN", "drill-token")
            .env("WHATSAPP_APP_SECRET", super::META_SECRET)
            .env("WHATSAPP_VERIFY_TOKEN", "drill-verify")
            .env("WHATSAPP_GRAPH_URL", provider_url)
            .env("RUST_LOG", "warn")
            .env_remove("INBOX_DEMO")
            .env_remove("WHAPI_TOKEN")
            .stdout(Stdio::null())
            .stderr(stderr);
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let mut server = ServerProcess {
            child: cmd.spawn().expect("start the server binary"),
            base: format!("http://127.0.0.1:{port}"),
            log,
        };
        server.wait_ready(Duration::from_secs(60)).await;
        server
    }

    pub async fn wait_ready(&mut self, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("server exited: {status}; see {}", self.log.display());
            }
            if self.ready().await == Some(true) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "server not ready in time; see {}",
                self.log.display()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// `/readyz`: `Some(true)` on 200, `Some(false)` on 503, `None` when nothing answers.
    pub async fn ready(&self) -> Option<bool> {
        let res = reqwest::Client::new()
            .get(format!("{}/readyz", self.base))
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .ok()?;
        Some(res.status().is_success())
    }

    /// SIGKILL: no shutdown, no flushing, as when the machine loses power.
    pub fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM and wait for a clean exit.
    pub fn stop(mut self) {
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.child.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        )
        .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "server exit status: {status}");
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("server did not stop on SIGTERM");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A client signed in as the bootstrap admin. Sessions live in the database, and cookies
    /// ignore ports, so it is signed in on every server process of this database.
    pub async fn admin(&self) -> reqwest::Client {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let res = client
            .post(self.url("/api/login"))
            .form(&[("username", ADMIN.0), ("password", ADMIN.1)])
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "admin login: {}", res.status());
        client
    }

    /// An agent reply through the server function the inbox uses; true when accepted.
    pub async fn reply(&self, admin: &reqwest::Client, chat_id: i64, text: String) -> bool {
        admin
            .post(self.url("/api/chats/reply"))
            .form(&[("chat_id", chat_id.to_string()), ("text", text)])
            .send()
            .await
            .map(|r| r.status().is_success())
            .unwrap_or(false)
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
