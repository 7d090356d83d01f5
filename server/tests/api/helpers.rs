//! `TestApp`: the application built exactly as `main` builds it, served on 127.0.0.1:0.

use model::{Role, UserInfo};
use reqwest::{Client, Response, StatusCode};
use server::config::Config;
use server::startup::Application;
use sqlx::PgPool;
use test_support::bodies::MetaFixture;
use test_support::signature::{meta_request, whapi_request};

pub struct TestApp {
    pub base: String,
    pub pool: PgPool,
    /// The reply worker; tests drive it (`drain_outbox`), it never runs by itself here.
    pub outbox: inbox::outbox::Outbox,
    /// The media fetchers; tests drive them (`drain_media`).
    pub fetcher: inbox::media::Fetcher,
    /// Outbound webhooks; tests drive them (`drain_hooks`).
    pub hooks: inbox::hooks::Hooks,
    pub channels: std::sync::Arc<inbox::channels::Channels>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

pub fn test_config() -> Config {
    Config {
        database_url: None,
        data_dir: std::env::temp_dir().join("inbox-api-tests"),
        secret_key_hex: Some("11".repeat(32)),
        secret_key_previous_hex: None,
        check_timeout: std::time::Duration::from_secs(1),
        demo: false,
        demo_data: false,
        bootstrap_admin: None,
        public_url: None,
        session_idle_minutes: 60,
        pg_bin: None,
        meta: None,
        whapi: None,
        reopen_mode: model::Mode::Bot,
        outbox: inbox::outbox::OutboxSettings::default(),
        media: inbox::media::MediaSettings {
            retry_base: std::time::Duration::from_millis(1),
            retry_max: std::time::Duration::from_millis(5),
            ..Default::default()
        },
        event_retention: std::time::Duration::from_secs(72 * 3600),
        trusted_proxies: Default::default(),
        metrics_addr: None,
        api_rate_per_minute: inbox::api_keys::DEFAULT_RATE_PER_MINUTE,
        api_key_in_path: true,
        hooks: inbox::hooks::HookSettings {
            retry_base: std::time::Duration::from_millis(5),
            retry_max: std::time::Duration::from_millis(50),
            allow_private: true,
            ..Default::default()
        },
        channel_check_every: None,
    }
}

impl TestApp {
    pub async fn spawn(pool: PgPool) -> TestApp {
        Self::spawn_with(pool, test_config()).await
    }

    /// In demo mode: the demo accounts, the sandbox phone open to anyone.
    pub async fn spawn_demo(pool: PgPool) -> TestApp {
        let mut config = test_config();
        config.demo = true;
        Self::spawn_with(pool, config).await
    }

    pub async fn spawn_with(pool: PgPool, config: Config) -> TestApp {
        if std::env::var("TEST_LOG").is_ok() {
            server::telemetry::init();
        }
        let app = Application::build(&config, pool.clone())
            .await
            .expect("build the application");
        let outbox = app.outbox.clone();
        let fetcher = app.fetcher.clone();
        let hooks = app.hooks.clone();
        let channels = app.channels.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("local addr"));
        let server = tokio::spawn(async move {
            app.serve(listener, std::future::pending())
                .await
                .expect("serve");
        });
        TestApp {
            base,
            pool,
            outbox,
            fetcher,
            hooks,
            channels,
            server,
        }
    }

    /// Fans out every pending event and delivers every due webhook, until nothing is left
    /// that could go now (retries included, within the test's short backoff); the outcomes.
    pub async fn drain_hooks(&self) -> Vec<inbox::hooks::Delivered> {
        let mut outcomes = Vec::new();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            while !matches!(
                self.hooks.dispatch_next().await.expect("dispatch_next"),
                inbox::hooks::Dispatched::Idle
            ) {}
            match self.hooks.deliver_next().await.expect("deliver_next") {
                inbox::hooks::Delivered::Idle => {
                    let waiting = self
                        .count(
                            "select count(*) from webhook_delivery d join webhook_endpoint e using (webhook_endpoint_id)
                              where d.state = 'pending' and e.enabled and e.paused_at is null",
                        )
                        .await;
                    let pending = self.count("select count(*) from webhook_pending").await;
                    if waiting == 0 && pending == 0 {
                        return outcomes;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                }
                outcome => outcomes.push(outcome),
            }
            assert!(
                std::time::Instant::now() < deadline,
                "webhooks did not drain"
            );
        }
    }

    /// Runs the outbox worker until nothing is left in the outbox (retries included).
    pub async fn drain_outbox(&self) -> Vec<inbox::outbox::Outcome> {
        let mut outcomes = Vec::new();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let outcome = self.outbox.deliver_next().await.expect("deliver_next");
            if outcome == inbox::outbox::Outcome::Idle {
                if inbox::db::outbox::pending_count(&self.pool).await.unwrap() == 0 {
                    return outcomes;
                }
                // A retry is scheduled a few milliseconds ahead.
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            } else {
                outcomes.push(outcome);
            }
            assert!(std::time::Instant::now() < deadline, "outbox did not drain");
        }
    }

    /// Runs the media fetchers until no download is queued (retries included).
    pub async fn drain_media(&self) -> Vec<inbox::media::Fetched> {
        let mut outcomes = Vec::new();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let outcome = self.fetcher.fetch_next().await.expect("fetch_next");
            if outcome == inbox::media::Fetched::Idle {
                if self
                    .count("select count(*) from attachment where state = 'pending'")
                    .await
                    == 0
                {
                    return outcomes;
                }
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            } else {
                outcomes.push(outcome);
            }
            assert!(std::time::Instant::now() < deadline, "media did not drain");
        }
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.pool)
            .await
            .expect("count query")
    }

    /// A browser-like client: keeps cookies, does not follow redirects (so tests see them). An
    /// answer that stops coming for a minute fails the test (with the request that hung) rather
    /// than stalling the suite.
    pub fn client(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .read_timeout(std::time::Duration::from_secs(60))
            .build()
            .expect("client")
    }

    /// Requests a page as a browser does (`Accept: text/html`, which is what makes guards answer
    /// with a 302 rather than a bare `Location`).
    pub async fn page(&self, client: &Client, path: &str) -> Response {
        client
            .get(self.url(path))
            .header("accept", "text/html")
            .send()
            .await
            .expect("request")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Calls a server function the way a form or script does (form-encoded POST).
    pub async fn call(&self, client: &Client, endpoint: &str, form: &[(&str, &str)]) -> Response {
        client
            .post(self.url(&format!("/api/{endpoint}")))
            .form(form)
            .send()
            .await
            .expect("request")
    }

    /// An agent's reply through the server function the conversation uses.
    /// An admin adds an enabled "contains" rule to the bot.
    pub async fn add_bot_rule(&self, admin: &Client, keyword: &str, reply: &str) {
        let res = self
            .call(
                admin,
                "admin/bot/save_rule",
                &[
                    ("keyword", keyword),
                    ("match_type", "contains"),
                    ("reply", reply),
                    ("enabled", "on"),
                ],
            )
            .await;
        assert_eq!(res.status(), reqwest::StatusCode::OK, "saving the rule");
    }

    pub async fn reply(&self, client: &Client, chat: i64, text: &str) -> Response {
        self.call(
            client,
            "chats/reply",
            &[("chat_id", &chat.to_string()), ("text", text)],
        )
        .await
    }

    /// The delivery status of every reply, oldest first.
    pub async fn reply_statuses(&self) -> Vec<String> {
        sqlx::query_scalar("select status from message where direction = 'out' order by message_id")
            .fetch_all(&self.pool)
            .await
            .unwrap()
    }

    pub async fn login(&self, client: &Client, username: &str, password: &str) -> Response {
        self.call(
            client,
            "login",
            &[("username", username), ("password", password)],
        )
        .await
    }

    pub async fn create_user(&self, username: &str, role: Role, password: &str) -> UserInfo {
        inbox::accounts::create_user(&self.pool, username, username, role, password.to_string())
            .await
            .expect("create user")
    }

    /// A client signed in as a new user with that role.
    pub async fn signed_in(&self, username: &str, role: Role) -> (Client, UserInfo) {
        let user = self.create_user(username, role, "password-123").await;
        let client = self.client();
        let res = self.login(&client, username, "password-123").await;
        assert_eq!(res.status(), StatusCode::OK, "login of {username}");
        (client, user)
    }

    /// `admin` deactivates `user` (through the admin's server function), which must succeed.
    pub async fn deactivate(&self, admin: &Client, user: &UserInfo) {
        let res = self
            .call(
                admin,
                "admin/set_user_active",
                &[("user_id", &user.user_id.to_string()), ("active", "false")],
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "deactivating {}",
            user.username
        );
    }
}

pub fn session_cookie(res: &Response) -> Option<String> {
    res.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("inbox_session="))
        .map(str::to_string)
}

pub const META_SECRET: &str = "fixture-app-secret";
pub const META_PHONE_ID: &str = "106540352242922";
pub const WHAPI_SECRET: &str = "whapi-hook-secret";

/// What the tests put in their Meta webhooks besides the messages (`META.text(from, wamid,
/// text)`, `META.texts(..)`, `META.status(wamid, status)`; sent now).
pub const META: MetaFixture = MetaFixture {
    business_account_id: "102290129340398",
    display_phone_number: "6281234500000",
    phone_number_id: META_PHONE_ID,
    contact_name: "Customer",
    status_recipient: "6281298765432",
};

/// A configuration with the Meta and Whapi channels pointing at `provider_url` (a mock), and
/// outbox retries in milliseconds.
pub fn provider_config(provider_url: &str) -> Config {
    let mut config = test_config();
    config.meta = Some(inbox::channels::MetaEnv {
        graph_url: provider_url.to_string(),
        access_token: "meta-test-token".into(),
        phone_number_id: META_PHONE_ID.into(),
        business_account_id: "102290129340398".into(),
        app_secret: META_SECRET.into(),
        verify_token: "verify-me".into(),
    });
    config.whapi = Some(inbox::channels::WhapiEnv {
        base_url: provider_url.to_string(),
        token: "whapi-test-token".into(),
        webhook_secret: Some(WHAPI_SECRET.into()),
        channel_id: None,
    });
    config.outbox = inbox::outbox::OutboxSettings {
        workers: 2,
        max_attempts: 10,
        retry_base: std::time::Duration::from_millis(1),
        retry_max: std::time::Duration::from_millis(5),
        lease: std::time::Duration::from_secs(30),
    };
    config
}

pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../whatsapp/testdata/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

impl TestApp {
    /// Posts a Meta webhook body, signed as Meta signs it.
    pub async fn post_meta(&self, body: &[u8]) -> Response {
        meta_request(&Client::new(), &self.base, META_SECRET, body.to_vec())
            .send()
            .await
            .expect("request")
    }

    pub async fn post_whapi(&self, body: &[u8]) -> Response {
        whapi_request(
            &Client::new(),
            &self.base,
            Some(WHAPI_SECRET),
            body.to_vec(),
        )
        .send()
        .await
        .expect("request")
    }
}
