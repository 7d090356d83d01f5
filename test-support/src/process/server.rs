//! The running server process: its address, readiness, the bootstrap admin signed in, its log
//! and its memory (from /proc); stopped with SIGTERM (cleanly, or falling back to SIGKILL) or
//! with SIGKILL, and killed when dropped while still running.

use std::path::PathBuf;
use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

/// The server binary running as a child process; see [`super::ServerBuilder`].
pub struct ServerProcess {
    pub(super) child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    pub port: u16,
    /// The file its stderr goes to, when the builder was given one.
    pub log: Option<PathBuf>,
    pub(super) admin: Option<(String, String)>,
    pub(super) ready_path: String,
    pub(super) poll_every: Duration,
    pub(super) stop_within: Duration,
}

/// Why the server did not start, or did not become ready.
pub enum StartError {
    Io {
        what: String,
        error: std::io::Error,
    },
    Exited {
        status: ExitStatus,
        log: Option<PathBuf>,
    },
    NotReady {
        within: Duration,
        log: Option<PathBuf>,
    },
}

impl StartError {
    pub(super) fn io(what: String, error: std::io::Error) -> StartError {
        StartError::Io { what, error }
    }
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let see = |log: &Option<PathBuf>| match log {
            Some(log) => format!("; see {}", log.display()),
            None => String::new(),
        };
        match self {
            StartError::Io { what, error } => write!(f, "{what}: {error}"),
            StartError::Exited { status, log } => {
                write!(f, "the server exited: {status}{}", see(log))
            }
            StartError::NotReady { within, log } => {
                write!(f, "the server was not ready within {within:?}{}", see(log))
            }
        }
    }
}

/// As `Display`, so that `unwrap` and `expect` say what happened.
impl std::fmt::Debug for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for StartError {}

impl ServerProcess {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The readiness probe: `Some(true)` on 2xx, `Some(false)` on any other status (503 while
    /// the database is unreachable), `None` when nothing answers within 5 s.
    pub async fn ready(&self) -> Option<bool> {
        let res = reqwest::Client::new()
            .get(self.url(&self.ready_path))
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .ok()?;
        Some(res.status().is_success())
    }

    /// Waits until the readiness probe answers 2xx; fails when the process exits first or
    /// `within` passes.
    pub async fn wait_ready(&mut self, within: Duration) -> Result<(), StartError> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.exited()? {
                let log = self.log.clone();
                return Err(StartError::Exited { status, log });
            }
            if self.ready().await == Some(true) {
                return Ok(());
            }
            if Instant::now() > deadline {
                let log = self.log.clone();
                return Err(StartError::NotReady { within, log });
            }
            tokio::time::sleep(self.poll_every).await;
        }
    }

    /// The exit status, once the process has exited.
    pub fn exited(&mut self) -> Result<Option<ExitStatus>, StartError> {
        self.child
            .try_wait()
            .map_err(|e| StartError::io("wait for the server".into(), e))
    }

    /// A client (keeping cookies) signed in as the bootstrap admin given to the builder.
    /// Sessions live in the database, and cookies ignore ports, so it is signed in on every
    /// server process of the same database.
    pub async fn admin(&self) -> Result<reqwest::Client, String> {
        let (user, password) = self
            .admin
            .as_ref()
            .ok_or("no admin account was configured")?;
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .map_err(|e| e.to_string())?;
        let res = client
            .post(self.url("/api/login"))
            .form(&[("username", user), ("password", password)])
            .send()
            .await
            .map_err(|e| format!("admin login: {e}"))?;
        if !res.status().is_success() {
            return Err(format!("admin login: {}", res.status()));
        }
        Ok(client)
    }

    /// What the server wrote to its log file so far (empty without one).
    pub fn log_text(&self) -> String {
        self.log
            .as_ref()
            .and_then(|log| std::fs::read_to_string(log).ok())
            .unwrap_or_default()
    }

    /// (current resident memory, peak resident memory) in MiB, from `/proc/<pid>/status`.
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

    /// SIGTERM, then waits up to `within` for the process to exit; `None` if it has not.
    pub fn terminate(&mut self, within: Duration) -> Option<ExitStatus> {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.child.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        );
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// SIGTERM and a clean exit: panics unless the process exits with success within the
    /// builder's `stop_within`.
    pub fn stop(mut self) {
        match self.terminate(self.stop_within) {
            Some(status) => assert!(status.success(), "server exit status: {status}"),
            None => panic!("server did not stop on SIGTERM"),
        }
    }

    /// SIGTERM, and SIGKILL if the process has not exited within `within`; never panics.
    pub fn stop_or_kill(mut self, within: Duration) {
        if self.terminate(within).is_none() {
            self.kill();
        }
    }

    /// SIGKILL: no shutdown, no flushing, as when the machine loses power.
    pub fn kill9(mut self) {
        self.kill();
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.kill();
        }
    }
}
