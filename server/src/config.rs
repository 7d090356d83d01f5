//! Configuration from the environment (and `.env` in development). Every variable is listed in
//! the README and in `.env.example`. Secrets are redacted from `Debug`.

use anyhow::{bail, Context};
use inbox::channels::{MetaEnv, WhapiEnv};
use inbox::outbox::OutboxSettings;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub struct Config {
    /// `DATABASE_URL`; when unset the server runs its own private PostgreSQL.
    pub database_url: Option<String>,
    /// `INBOX_DATA_DIR` (default `./data`): the private database, the generated secret key.
    pub data_dir: PathBuf,
    /// `INBOX_SECRET_KEY`: 32 bytes as 64 hex characters; encrypts stored credentials.
    pub secret_key_hex: Option<String>,
    /// `INBOX_SECRET_KEY_PREVIOUS`: the key before a rotation; credentials it opens are
    /// encrypted again under `INBOX_SECRET_KEY` at start-up.
    pub secret_key_previous_hex: Option<String>,
    /// `INBOX_CHECK_TIMEOUT_SECS` (default 10): how long "Test connection" waits for the
    /// provider.
    pub check_timeout: Duration,
    /// `INBOX_DEMO`: creates the demo accounts and prints them on the console.
    pub demo: bool,
    /// Sample bot rules and chats (with `INBOX_DEMO`, unless `INBOX_DEMO_DATA=false`).
    pub demo_data: bool,
    /// `INBOX_ADMIN_USER` / `INBOX_ADMIN_PASSWORD`: the first admin, created non-interactively.
    pub bootstrap_admin: Option<(String, String)>,
    /// `INBOX_PUBLIC_URL`: the address users open; `https://` makes the session cookie Secure.
    pub public_url: Option<String>,
    /// `INBOX_SESSION_IDLE_MINUTES` (default 720): a session unused this long expires.
    pub session_idle_minutes: i64,
    /// `INBOX_PG_BIN`: the PostgreSQL binaries for the private database (default: newest
    /// `/usr/lib/postgresql/*/bin`).
    pub pg_bin: Option<PathBuf>,
    /// Meta WhatsApp Cloud API channel (`WHATSAPP_*`), when `WHATSAPP_PHONE_NUMBER_ID` is set.
    pub meta: Option<MetaEnv>,
    /// Whapi.cloud channel (`WHAPI_*`), when `WHAPI_TOKEN` is set.
    pub whapi: Option<WhapiEnv>,
    /// `INBOX_REOPEN_MODE` (`bot` or `agent`, default `bot`): the mode a closed chat reopens into
    /// when the customer writes again.
    pub reopen_mode: model::Mode,
    pub outbox: OutboxSettings,
    /// `INBOX_MEDIA_*`: media downloads and the store's size.
    pub media: inbox::media::MediaSettings,
    /// `INBOX_EVENT_RETENTION_HOURS` (default 72): live events older than this are deleted
    /// (they keep copies of customer text; a browser asking for pruned ones reloads).
    pub event_retention: std::time::Duration,
    /// `INBOX_TRUSTED_PROXIES` (default none): reverse proxies (CIDRs or addresses, comma
    /// separated) whose `X-Forwarded-For` names the client, for login throttling.
    pub trusted_proxies: inbox::accounts::address::TrustedProxies,
    /// `INBOX_METRICS_ADDR` (default unset: `/metrics` on the main port): a separate address
    /// for Prometheus metrics, e.g. `127.0.0.1:9100`.
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// `INBOX_API_RATE_PER_MIN` (default 600): requests per minute per API key.
    pub api_rate_per_minute: u32,
    /// `INBOX_API_KEY_IN_PATH` (default true): the per-device gateway forms that carry the key
    /// in the URL's path (`/api/services/whatsapp/chat/{channel}/{api_key}`) are served.
    pub api_key_in_path: bool,
    /// `INBOX_WEBHOOK_*`: delivery of outbound webhooks.
    pub hooks: inbox::hooks::HookSettings,
    /// `INBOX_CHANNEL_CHECK_MINUTES` (default 5; 0: never): every enabled channel's connection
    /// is tested this often.
    pub channel_check_every: Option<Duration>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &self.database_url.as_ref().map(|_| "<set>"))
            .field("data_dir", &self.data_dir)
            .field(
                "secret_key_hex",
                &self.secret_key_hex.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "secret_key_previous_hex",
                &self.secret_key_previous_hex.as_ref().map(|_| "<redacted>"),
            )
            .field("demo", &self.demo)
            .field(
                "bootstrap_admin",
                &self.bootstrap_admin.as_ref().map(|(u, _)| u),
            )
            .field("public_url", &self.public_url)
            .field("session_idle_minutes", &self.session_idle_minutes)
            .field("pg_bin", &self.pg_bin)
            .field("meta", &self.meta.as_ref().map(|m| &m.phone_number_id))
            .field("whapi", &self.whapi.as_ref().map(|w| &w.base_url))
            .field("reopen_mode", &self.reopen_mode)
            .field("outbox", &self.outbox)
            .field("media", &self.media)
            .field("event_retention", &self.event_retention)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("metrics_addr", &self.metrics_addr)
            .field("api_rate_per_minute", &self.api_rate_per_minute)
            .field("api_key_in_path", &self.api_key_in_path)
            .field("hooks", &self.hooks)
            .field("channel_check_every", &self.channel_check_every)
            .finish()
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn flag(name: &str) -> anyhow::Result<bool> {
    match var(name).as_deref() {
        None | Some("0" | "false" | "no" | "off") => Ok(false),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some(other) => bail!("{name}={other:?}: expected true or false"),
    }
}

/// `INBOX_MEDIA_S3_URL` and its credentials, all or none.
fn s3_from_env() -> anyhow::Result<Option<inbox::media::S3Config>> {
    let Some(url) = var("INBOX_MEDIA_S3_URL") else {
        return Ok(None);
    };
    let (Some(access_key_id), Some(secret_access_key)) = (
        var("INBOX_MEDIA_S3_ACCESS_KEY_ID"),
        var("INBOX_MEDIA_S3_SECRET_ACCESS_KEY"),
    ) else {
        bail!("INBOX_MEDIA_S3_URL needs INBOX_MEDIA_S3_ACCESS_KEY_ID and INBOX_MEDIA_S3_SECRET_ACCESS_KEY");
    };
    Ok(Some(inbox::media::S3Config {
        url,
        access_key_id,
        secret_access_key,
        region: var("INBOX_MEDIA_S3_REGION").unwrap_or_else(|| "us-east-1".into()),
    }))
}

impl Config {
    pub fn from_env() -> anyhow::Result<Config> {
        let bootstrap_admin = match (var("INBOX_ADMIN_USER"), var("INBOX_ADMIN_PASSWORD")) {
            (Some(u), Some(p)) => Some((u, p)),
            (None, None) => None,
            _ => bail!("INBOX_ADMIN_USER and INBOX_ADMIN_PASSWORD go together"),
        };
        let session_idle_minutes = match var("INBOX_SESSION_IDLE_MINUTES") {
            Some(v) => v
                .parse()
                .context("INBOX_SESSION_IDLE_MINUTES: expected a number of minutes")?,
            None => 720,
        };
        let config = Config {
            database_url: var("DATABASE_URL"),
            data_dir: var("INBOX_DATA_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("./data")),
            secret_key_hex: var("INBOX_SECRET_KEY"),
            secret_key_previous_hex: var("INBOX_SECRET_KEY_PREVIOUS"),
            check_timeout: Duration::from_secs(number("INBOX_CHECK_TIMEOUT_SECS", 10u64)?.max(1)),
            demo: flag("INBOX_DEMO")?,
            demo_data: flag("INBOX_DEMO")? && var("INBOX_DEMO_DATA").is_none_or(|v| v != "false"),
            bootstrap_admin,
            public_url: var("INBOX_PUBLIC_URL"),
            session_idle_minutes,
            pg_bin: var("INBOX_PG_BIN").map(PathBuf::from),
            meta: meta_from_env()?,
            whapi: var("WHAPI_TOKEN").map(|token| WhapiEnv {
                base_url: var("WHAPI_BASE_URL")
                    .unwrap_or_else(|| whatsapp::WhapiConfig::DEFAULT_BASE_URL.to_string()),
                token,
                webhook_secret: var("WHAPI_WEBHOOK_SECRET"),
                channel_id: var("WHAPI_CHANNEL_ID"),
            }),
            reopen_mode: match var("INBOX_REOPEN_MODE").as_deref() {
                None | Some("bot") => model::Mode::Bot,
                Some("agent") => model::Mode::Agent,
                Some(other) => bail!("INBOX_REOPEN_MODE={other:?}: expected bot or agent"),
            },
            outbox: OutboxSettings {
                workers: number("INBOX_OUTBOX_WORKERS", 4)?.max(1),
                max_attempts: number("INBOX_OUTBOX_MAX_ATTEMPTS", 10)?.max(1),
                retry_base: std::time::Duration::from_millis(number(
                    "INBOX_OUTBOX_RETRY_BASE_MS",
                    1000,
                )?),
                retry_max: std::time::Duration::from_secs(number(
                    "INBOX_OUTBOX_RETRY_MAX_SECS",
                    300,
                )?),
                lease: std::time::Duration::from_secs(number("INBOX_OUTBOX_LEASE_SECS", 60)?),
            },
            media: inbox::media::MediaSettings {
                workers: number("INBOX_MEDIA_WORKERS", 2usize)?.max(1),
                max_bytes: (number("INBOX_MEDIA_MAX_GB", 10.0f64)?.max(0.0)
                    * 1024.0
                    * 1024.0
                    * 1024.0) as u64,
                s3: s3_from_env()?,
                ..Default::default()
            },
            event_retention: std::time::Duration::from_secs(
                3600 * number::<u64>("INBOX_EVENT_RETENTION_HOURS", 72)?.max(1),
            ),
            trusted_proxies: match var("INBOX_TRUSTED_PROXIES") {
                Some(v) => v
                    .parse()
                    .map_err(|e| anyhow::anyhow!("INBOX_TRUSTED_PROXIES: {e}"))?,
                None => Default::default(),
            },
            metrics_addr: match var("INBOX_METRICS_ADDR") {
                Some(v) => Some(v.parse().with_context(|| {
                    format!("INBOX_METRICS_ADDR={v:?}: expected an address such as 127.0.0.1:9100")
                })?),
                None => None,
            },
            api_rate_per_minute: number(
                "INBOX_API_RATE_PER_MIN",
                inbox::api_keys::DEFAULT_RATE_PER_MINUTE,
            )?
            .max(1),
            api_key_in_path: var("INBOX_API_KEY_IN_PATH").is_none()
                || flag("INBOX_API_KEY_IN_PATH")?,
            hooks: inbox::hooks::HookSettings {
                workers: number("INBOX_WEBHOOK_WORKERS", 4usize)?.max(1),
                retry_base: Duration::from_millis(number("INBOX_WEBHOOK_RETRY_BASE_MS", 1000)?),
                retry_max: Duration::from_secs(number("INBOX_WEBHOOK_RETRY_MAX_SECS", 3600)?),
                pause_after: Duration::from_secs(
                    60 * number::<u64>("INBOX_WEBHOOK_PAUSE_AFTER_MINUTES", 60)?.max(1),
                ),
                allow_private: flag("INBOX_WEBHOOK_ALLOW_PRIVATE")?,
                ..Default::default()
            },
            channel_check_every: match number::<u64>("INBOX_CHANNEL_CHECK_MINUTES", 5)? {
                0 => None,
                minutes => Some(Duration::from_secs(60 * minutes)),
            },
        };
        config
            .outbox
            .check(whatsapp::SEND_TIMEOUT)
            .map_err(anyhow::Error::msg)?;
        Ok(config)
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }

    /// The 32-byte key for credentials at rest: `INBOX_SECRET_KEY`, or a key generated once into
    /// `$INBOX_DATA_DIR/secret.key` (with a warning: back that file up with the database).
    /// The current key and, after a rotation, the previous one.
    pub fn secret_keys(&self) -> anyhow::Result<inbox::channels::Keys> {
        let current = self.secret_key()?;
        let previous = match &self.secret_key_previous_hex {
            Some(hex_key) => Some(parse_key(hex_key).context("INBOX_SECRET_KEY_PREVIOUS")?),
            None => None,
        };
        Ok(inbox::channels::Keys::new(&current, previous.as_ref()))
    }

    /// What API keys are hashed under (derived from the secret key, and the previous one) and
    /// their rate.
    pub fn api_keys(&self) -> anyhow::Result<inbox::api_keys::ApiKeys> {
        let previous = match &self.secret_key_previous_hex {
            Some(hex_key) => Some(parse_key(hex_key).context("INBOX_SECRET_KEY_PREVIOUS")?),
            None => None,
        };
        Ok(inbox::api_keys::ApiKeys::new(
            &self.secret_key()?,
            previous.as_ref(),
            self.api_rate_per_minute,
        ))
    }

    pub fn secret_key(&self) -> anyhow::Result<[u8; 32]> {
        if let Some(hex_key) = &self.secret_key_hex {
            return parse_key(hex_key).context("INBOX_SECRET_KEY");
        }
        let path = self.data_dir.join("secret.key");
        if let Ok(existing) = std::fs::read_to_string(&path) {
            return parse_key(existing.trim()).with_context(|| format!("{}", path.display()));
        }
        let key: [u8; 32] = rand::random();
        write_private(&path, &hex::encode(key))?;
        tracing::warn!(
            path = %path.display(),
            "INBOX_SECRET_KEY is unset: generated a key into the data directory. Set INBOX_SECRET_KEY in production \
             and keep it safe: stored provider credentials cannot be read without it"
        );
        Ok(key)
    }
}

fn number<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T> {
    match var(name) {
        Some(v) => v
            .parse()
            .map_err(|_| anyhow::anyhow!("{name}={v:?}: expected a number")),
        None => Ok(default),
    }
}

fn meta_from_env() -> anyhow::Result<Option<MetaEnv>> {
    let Some(phone_number_id) = var("WHATSAPP_PHONE_NUMBER_ID") else {
        return Ok(None);
    };
    let required = |name: &str| {
        var(name).with_context(|| format!("{name} is required with WHATSAPP_PHONE_NUMBER_ID"))
    };
    Ok(Some(MetaEnv {
        graph_url: var("WHATSAPP_GRAPH_URL")
            .unwrap_or_else(|| whatsapp::MetaConfig::DEFAULT_GRAPH_URL.to_string()),
        access_token: required("WHATSAPP_ACCESS_TOKEN")?,
        phone_number_id,
        business_account_id: var("WHATSAPP_BUSINESS_ACCOUNT_ID").unwrap_or_default(),
        app_secret: required("WHATSAPP_APP_SECRET")?,
        verify_token: required("WHATSAPP_VERIFY_TOKEN")?,
    }))
}

fn parse_key(s: &str) -> anyhow::Result<[u8; 32]> {
    let bytes = hex::decode(s).context("expected 64 hex characters")?;
    bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("expected 64 hex characters (32 bytes)"))
}

fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("create {}", path.display()))?;
    f.write_all(contents.as_bytes())?;
    Ok(())
}
