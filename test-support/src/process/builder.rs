//! How to start the server binary: which binary, where, on which port, with which environment
//! (database, admin account, provider channels, anything else), where its log goes, and how long
//! to wait for it. Only what is asked for is set; everything else is inherited.

use super::server::{ServerProcess, StartError};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The Meta channel's environment (`WHATSAPP_*`).
#[derive(Clone, Copy, Debug)]
pub struct MetaChannel<'a> {
    pub phone_number_id: &'a str,
    pub access_token: &'a str,
    pub app_secret: &'a str,
    pub verify_token: &'a str,
    /// Where the server sends replies (a mock of the Graph API).
    pub graph_url: &'a str,
}

/// Starts the server binary; see [`ServerBuilder::start`].
#[must_use]
pub struct ServerBuilder {
    binary: PathBuf,
    current_dir: Option<PathBuf>,
    port: Option<u16>,
    /// Applied in order (a later value wins); `None` removes the variable.
    env: Vec<(String, Option<String>)>,
    log: Option<PathBuf>,
    admin: Option<(String, String)>,
    ready_path: String,
    ready_within: Duration,
    poll_every: Duration,
    stop_within: Duration,
}

impl ServerBuilder {
    /// The binary at `binary`, on a free port, ready when `/readyz` answers 200 (waited for up to
    /// 60 s, every 100 ms), stopped within 30 s of SIGTERM; stdout discarded, stderr inherited.
    pub fn new(binary: impl Into<PathBuf>) -> ServerBuilder {
        ServerBuilder {
            binary: binary.into(),
            current_dir: None,
            port: None,
            env: Vec::new(),
            log: None,
            admin: None,
            ready_path: "/readyz".into(),
            ready_within: Duration::from_secs(60),
            poll_every: Duration::from_millis(100),
            stop_within: Duration::from_secs(30),
        }
    }

    /// The working directory of the server (where it looks for `target/site`, relative paths).
    pub fn current_dir(mut self, dir: impl Into<PathBuf>) -> ServerBuilder {
        self.current_dir = Some(dir.into());
        self
    }

    /// Listens on `127.0.0.1:<port>` (`LEPTOS_SITE_ADDR`).
    pub fn port(mut self, port: u16) -> ServerBuilder {
        self.port = Some(port);
        self
    }

    pub fn env(mut self, key: &str, value: impl Into<String>) -> ServerBuilder {
        self.env.push((key.into(), Some(value.into())));
        self
    }

    pub fn envs(self, vars: &[(&str, &str)]) -> ServerBuilder {
        vars.iter().fold(self, |b, (k, v)| b.env(k, *v))
    }

    pub fn env_remove(mut self, key: &str) -> ServerBuilder {
        self.env.push((key.into(), None));
        self
    }

    pub fn database_url(self, url: &str) -> ServerBuilder {
        self.env("DATABASE_URL", url)
    }

    /// No `DATABASE_URL`: the server runs its own PostgreSQL under its data directory.
    pub fn without_database_url(self) -> ServerBuilder {
        self.env_remove("DATABASE_URL")
    }

    /// `INBOX_DATA_DIR`.
    pub fn data_dir(self, dir: impl Into<PathBuf>) -> ServerBuilder {
        let dir = dir.into().to_string_lossy().into_owned();
        self.env("INBOX_DATA_DIR", dir)
    }

    /// `INBOX_SECRET_KEY` (64 hex digits).
    pub fn secret_key(self, hex: &str) -> ServerBuilder {
        self.env("INBOX_SECRET_KEY", hex)
    }

    /// The bootstrap admin (`INBOX_ADMIN_USER`, `INBOX_ADMIN_PASSWORD`), which
    /// [`ServerProcess::admin`] signs in as.
    pub fn admin(mut self, user: &str, password: &str) -> ServerBuilder {
        self.admin = Some((user.into(), password.into()));
        self.env("INBOX_ADMIN_USER", user)
            .env("INBOX_ADMIN_PASSWORD", password)
    }

    /// The Meta channel.
    pub fn meta(self, meta: MetaChannel<'_>) -> ServerBuilder {
        self.env("WHATSAPP_PHONE_NUMBER_ID", meta.phone_number_id)
            .env("WHATSAPP_ACCESS_TOKEN", meta.access_token)
            .env("WHATSAPP_APP_SECRET", meta.app_secret)
            .env("WHATSAPP_VERIFY_TOKEN", meta.verify_token)
            .env("WHATSAPP_GRAPH_URL", meta.graph_url)
    }

    /// The Whapi channel (`WHAPI_TOKEN`, `WHAPI_BASE_URL`: where replies go;
    /// `WHAPI_WEBHOOK_SECRET`: what its webhooks carry).
    pub fn whapi(self, token: &str, base_url: &str, webhook_secret: &str) -> ServerBuilder {
        self.env("WHAPI_TOKEN", token)
            .env("WHAPI_BASE_URL", base_url)
            .env("WHAPI_WEBHOOK_SECRET", webhook_secret)
    }

    /// `RUST_LOG`.
    pub fn rust_log(self, filter: &str) -> ServerBuilder {
        self.env("RUST_LOG", filter)
    }

    /// Appends the server's stderr (its log) to `path` rather than to this process's stderr.
    pub fn log_file(mut self, path: impl Into<PathBuf>) -> ServerBuilder {
        self.log = Some(path.into());
        self
    }

    /// The readiness probe: a path answering 2xx once the server is ready (`/readyz`, or
    /// `/healthz` for "the process is up").
    pub fn ready_path(mut self, path: &str) -> ServerBuilder {
        self.ready_path = path.into();
        self
    }

    /// How long [`ServerBuilder::start`] waits for readiness.
    pub fn ready_within(mut self, within: Duration) -> ServerBuilder {
        self.ready_within = within;
        self
    }

    /// How often readiness is probed.
    pub fn poll_every(mut self, every: Duration) -> ServerBuilder {
        self.poll_every = every;
        self
    }

    /// How long [`ServerProcess::stop`] waits after SIGTERM.
    pub fn stop_within(mut self, within: Duration) -> ServerBuilder {
        self.stop_within = within;
        self
    }

    /// Starts the process and returns at once.
    pub fn spawn(self) -> Result<ServerProcess, StartError> {
        let port = self.port.unwrap_or_else(super::free_port);
        let mut cmd = Command::new(&self.binary);
        if let Some(dir) = &self.current_dir {
            cmd.current_dir(dir);
        }
        cmd.env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"));
        for (key, value) in &self.env {
            match value {
                Some(value) => cmd.env(key, value),
                None => cmd.env_remove(key),
            };
        }
        cmd.stdout(Stdio::null());
        if let Some(log) = &self.log {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(log)
                .map_err(|e| StartError::io(format!("open {}", log.display()), e))?;
            cmd.stderr(file);
        }
        let child = cmd
            .spawn()
            .map_err(|e| StartError::io(format!("start {}", self.binary.display()), e))?;
        Ok(ServerProcess {
            child,
            base: format!("http://127.0.0.1:{port}"),
            port,
            log: self.log,
            admin: self.admin,
            ready_path: self.ready_path,
            poll_every: self.poll_every,
            stop_within: self.stop_within,
        })
    }

    /// Starts the process and waits until it is ready; the process is killed if it is not.
    pub async fn start(self) -> Result<ServerProcess, StartError> {
        let within = self.ready_within;
        let mut server = self.spawn()?;
        server.wait_ready(within).await?;
        Ok(server)
    }
}
