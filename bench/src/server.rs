//! The server under test: the release binary, started from the workspace root against the
//! benchmark database, with its providers pointed at the benchmark's mock; stopped at the end
//! (also when the benchmark fails), and its memory read from /proc.

use anyhow::{bail, Context};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const META_SECRET: &str = "bench-app-secret";
pub const META_PHONE_ID: &str = "100000000000001";
pub const ADMIN: (&str, &str) = ("bench-admin", "bench-admin-password");

pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    pub async fn start(
        binary: &Path,
        database_url: &str,
        port: u16,
        mock_url: &str,
    ) -> anyhow::Result<Server> {
        let child = Command::new(binary)
            .env("DATABASE_URL", database_url)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("INBOX_ADMIN_USER", ADMIN.0)
            .env("INBOX_ADMIN_PASSWORD", ADMIN.1)
            .env("INBOX_SECRET_KEY", "22".repeat(32))
            .env("INBOX_DATA_DIR", "target/bench/data")
            .env("WHATSAPP_PHONE_NUMBER_ID", META_PHONE_ID)
            .env("WHATSAPP_ACCESS_TOKEN", "bench-token")
            .env("WHATSAPP_APP_SECRET", META_SECRET)
            .env("WHATSAPP_VERIFY_TOKEN", "bench-verify")
            .env("WHATSAPP_GRAPH_URL", mock_url)
            .env("WHAPI_TOKEN", "bench-whapi-token")
            .env("WHAPI_BASE_URL", mock_url)
            .env("INBOX_OUTBOX_WORKERS", "16")
            .env("INBOX_OUTBOX_RETRY_BASE_MS", "20")
            .env("INBOX_OUTBOX_RETRY_MAX_SECS", "1")
            .env("INBOX_OUTBOX_MAX_ATTEMPTS", "30")
            .env("RUST_LOG", "error")
            .env_remove("INBOX_DEMO")
            .stdout(Stdio::null())
            .spawn()
            .with_context(|| format!("start {}", binary.display()))?;
        let mut server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = server.child.try_wait()? {
                bail!("the server exited at start-up: {status}");
            }
            if let Ok(res) = reqwest::get(format!("{}/readyz", server.base)).await {
                if res.status().is_success() {
                    return Ok(server);
                }
            }
            if Instant::now() > deadline {
                bail!("the server did not become ready");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// (current resident memory, peak resident memory) in MiB.
    pub fn memory_mib(&self) -> (f64, f64) {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
                .map(|kb| kb / 1024.0)
                .unwrap_or(0.0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }

    /// Resets the peak-memory counter, so the next reading is the peak of what follows.
    pub fn reset_peak(&self) {
        let _ = std::fs::write(format!("/proc/{}/clear_refs", self.pid()), "5");
    }

    pub fn stop(mut self) {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.child.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
