//! Channels an admin adds, across processes: the credentials stay encrypted (not in a
//! `pg_dump`, not in a debug log), survive a rotation of `INBOX_SECRET_KEY` (with the old key
//! as `INBOX_SECRET_KEY_PREVIOUS`, and then without it), and a channel added on one server is
//! served by another within a second.

use crate::support::*;
use serde_json::json;
use sqlx::PgPool;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use test_support::bodies::MetaFixture;
use test_support::process::ServerProcess;
use test_support::signature::meta_signature;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const NUMBER: &str = "100000000000088";
const TOKEN: &str = "EAAG-drill-token-of-the-admins-number";
const APP_SECRET: &str = "drill-secret-of-the-admins-app";
const KEY_A: &str = "aa";
const KEY_B: &str = "bb";

async fn graph() -> MockServer {
    let mock = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/{NUMBER}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "display_phone_number": "+62 811-0000-0088", "verified_name": "Toko Drill",
            "quality_rating": "GREEN", "status": "CONNECTED", "id": NUMBER })))
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/{NUMBER}/messages")))
        .respond_with(UniqueIds(AtomicUsize::new(0)))
        .mount(&mock)
        .await;
    mock
}

/// A send answered with a new message id each time, as Meta does.
struct UniqueIds(AtomicUsize);

impl Respond for UniqueIds {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::SeqCst);
        ResponseTemplate::new(200).set_body_json(json!({
            "messaging_product": "whatsapp", "messages": [{ "id": format!("wamid.drill{n}") }] }))
    }
}

async fn server(url: &str, graph: &str, env: &[(&str, &str)]) -> ServerProcess {
    let mut all = vec![("RUST_LOG", "debug")];
    all.extend_from_slice(env);
    start_server(url, free_port(), graph, &all).await
}

fn key(k: &str) -> String {
    k.repeat(32)
}

/// Adds the admin's Meta channel; returns its webhook path.
async fn add_channel(server: &ServerProcess, admin: &reqwest::Client, graph: &str) -> String {
    let res = admin
        .post(server.url("/api/admin/channels/save"))
        .form(&[
            ("kind", "meta"),
            ("name", "CS Drill"),
            ("phone_number_id", NUMBER),
            ("graph_url", graph),
            ("access_token", TOKEN),
            ("app_secret", APP_SECRET),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let view: model::ChannelView = res.json().await.unwrap();
    assert!(
        matches!(view.health, model::ChannelHealth::Connected { .. }),
        "{:?}",
        view.health
    );
    view.webhook_path.unwrap()
}

async fn post_signed(server: &ServerProcess, webhook_path: &str, body: Vec<u8>) -> u16 {
    reqwest::Client::new()
        .post(server.url(webhook_path))
        .header("x-hub-signature-256", meta_signature(APP_SECRET, &body))
        .body(body)
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

/// The mock's sends so far.
async fn sends(mock: &MockServer) -> usize {
    let requests = mock.received_requests().await.unwrap();
    requests
        .iter()
        .filter(|r| r.method.as_str() == "POST")
        .count()
}

async fn reply_reaches_the_provider(
    server: &ServerProcess,
    chat: i64,
    mock: &MockServer,
    text: &str,
) {
    let admin = server.admin().await.unwrap();
    let before = sends(mock).await;
    assert!(
        reply(server, &admin, chat, text.to_string()).await,
        "reply accepted"
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    while sends(mock).await == before {
        assert!(
            Instant::now() < deadline,
            "{text:?} never reached the provider"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn assert_secret_free(what: &str, text: &str) {
    for secret in [TOKEN, APP_SECRET] {
        assert!(!text.contains(secret), "{what} contains a channel secret");
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn credentials_are_encrypted_out_of_logs_and_survive_a_key_rotation(pool: PgPool) {
    let url = database_url(&pool);
    let mock = graph().await;
    let a = server(&url, &mock.uri(), &[("INBOX_SECRET_KEY", &key(KEY_A))]).await;
    let admin = a.admin().await.unwrap();
    let webhook = add_channel(&a, &admin, &mock.uri()).await;
    let body = MetaFixture {
        phone_number_id: NUMBER,
        ..META
    }
    .text("6281200000088", "wamid.rotation", "halo");
    assert_eq!(post_signed(&a, &webhook, body).await, 200);
    let chat: i64 = sqlx::query_scalar(
        "select chat_id from chat c join channel ch using (channel_id) where ch.channel_key = $1",
    )
    .bind(NUMBER)
    .fetch_one(&pool)
    .await
    .unwrap();
    reply_reaches_the_provider(&a, chat, &mock, "under key A").await;

    // Not in the database in plain text.
    let dump = std::process::Command::new("pg_dump")
        .arg("--data-only")
        .arg(&url)
        .output()
        .expect("pg_dump (from PostgreSQL's client tools)");
    assert!(
        dump.status.success(),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    let dump = String::from_utf8_lossy(&dump.stdout);
    assert!(dump.contains("CS Drill"), "the dump holds the channel");
    assert_secret_free("pg_dump", &dump);
    let log_a = a.log_text();
    a.stop();

    // Rotation: B is the key, A the previous one.
    let b = server(
        &url,
        &mock.uri(),
        &[
            ("INBOX_SECRET_KEY", &key(KEY_B)),
            ("INBOX_SECRET_KEY_PREVIOUS", &key(KEY_A)),
        ],
    )
    .await;
    reply_reaches_the_provider(&b, chat, &mock, "after the rotation").await;
    let log_b = b.log_text();
    assert!(
        log_b.contains("re-encrypted channel credentials"),
        "the rotation is logged"
    );
    b.stop();

    // The old key is gone for good.
    let c = server(&url, &mock.uri(), &[("INBOX_SECRET_KEY", &key(KEY_B))]).await;
    reply_reaches_the_provider(&c, chat, &mock, "with only key B").await;
    let log_c = c.log_text();
    c.stop();

    // A key that opens nothing: the server starts, the channel says so.
    let d = server(&url, &mock.uri(), &[("INBOX_SECRET_KEY", &key("cc"))]).await;
    let admin = d.admin().await.unwrap();
    let page: model::ChannelsPage = admin
        .post(d.url("/api/admin/channels/list"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ours = page.channels.iter().find(|c| c.name == "CS Drill").unwrap();
    assert_eq!(ours.health, model::ChannelHealth::Unreadable);
    let log_d = d.log_text();
    assert!(
        log_d.contains("credentials open with neither"),
        "reported by channel"
    );
    d.stop();

    for (name, log) in [
        ("log A", log_a),
        ("log B", log_b),
        ("log C", log_c),
        ("log D", log_d),
    ] {
        assert!(log.contains("DEBUG"), "{name} was written at debug level");
        assert_secret_free(name, &log);
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_channel_added_on_one_server_is_served_by_the_other_within_a_second(pool: PgPool) {
    let url = database_url(&pool);
    let mock = graph().await;
    let a = start_server(&url, free_port(), &mock.uri(), &[]).await;
    let b = start_server(&url, free_port(), &mock.uri(), &[]).await;
    let admin = a.admin().await.unwrap();
    let webhook = add_channel(&a, &admin, &mock.uri()).await;
    let added = Instant::now();
    let body = MetaFixture {
        phone_number_id: NUMBER,
        ..META
    }
    .text("6281200000089", "wamid.on-b", "halo B");
    // B learns of the channel from A's announcement (NOTIFY), not from a restart.
    loop {
        let status = post_signed(&b, &webhook, body.clone()).await;
        if status == 200 {
            break;
        }
        assert_eq!(status, 404, "before B knows the channel");
        assert!(
            added.elapsed() < Duration::from_secs(1),
            "B did not learn of the channel within a second"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let stored: i64 = sqlx::query_scalar("select count(*) from message where body = 'halo B'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, 1);
    a.stop();
    b.stop();
}
