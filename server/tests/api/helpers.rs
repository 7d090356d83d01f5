//! `TestApp`: the application built exactly as `main` builds it, served on 127.0.0.1:0.

use app::model::{Role, UserInfo};
use reqwest::{Client, Response, StatusCode};
use server::config::Config;
use server::startup::Application;
use sqlx::PgPool;
use std::path::PathBuf;

pub struct TestApp {
    pub base: String,
    pub pool: PgPool,
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
        data_dir: PathBuf::from(std::env::temp_dir()).join("inbox-api-tests"),
        secret_key_hex: Some("11".repeat(32)),
        demo: false,
        bootstrap_admin: None,
        public_url: None,
        session_idle_minutes: 60,
        pg_bin: None,
    }
}

impl TestApp {
    pub async fn spawn(pool: PgPool) -> TestApp {
        if std::env::var("TEST_LOG").is_ok() {
            server::telemetry::init();
        }
        let app = Application::build(&test_config(), pool.clone()).await.expect("build the application");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("local addr"));
        let server = tokio::spawn(async move {
            app.serve(listener, std::future::pending()).await.expect("serve");
        });
        TestApp { base, pool, server }
    }

    /// A browser-like client: keeps cookies, does not follow redirects (so tests see them).
    pub fn client(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// Requests a page as a browser does (`Accept: text/html`, which is what makes guards answer
    /// with a 302 rather than a bare `Location`).
    pub async fn page(&self, client: &Client, path: &str) -> Response {
        client.get(self.url(path)).header("accept", "text/html").send().await.expect("request")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Calls a server function the way a form or script does (form-encoded POST).
    pub async fn call(&self, client: &Client, endpoint: &str, form: &[(&str, &str)]) -> Response {
        client.post(self.url(&format!("/api/{endpoint}"))).form(form).send().await.expect("request")
    }

    pub async fn login(&self, client: &Client, username: &str, password: &str) -> Response {
        self.call(client, "login", &[("username", username), ("password", password)]).await
    }

    pub async fn create_user(&self, username: &str, role: Role, password: &str) -> UserInfo {
        app::ssr::db::accounts::create_user(&self.pool, username, username, role, password.to_string())
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
}

pub fn session_cookie(res: &Response) -> Option<String> {
    res.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("inbox_session="))
        .map(str::to_string)
}
