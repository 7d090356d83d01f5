//! Read receipts and typing indicators through the outbox, against mocks of Meta and Whapi
//! speaking their wire formats: once per customer message however often the chat is opened,
//! "typing…" at most once per 20 s per chat, stale typing dropped, the channel's switches
//! obeyed, the bot's reply delay shown as typing. A 30 s outage: `receipts_outage.rs`.

use crate::helpers::{provider_config, TestApp, META, META_PHONE_ID};
use crate::outbox::meta_ok;
use inbox::outbox::Outcome;
use model::Role;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Answers sends with a message id and read/typing calls with `{"success": true}`.
pub(crate) struct MetaAll(pub(crate) Arc<AtomicUsize>);

impl Respond for MetaAll {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::SeqCst);
        let body: Value = req.body_json().unwrap_or_default();
        if body["status"] == "read" {
            ResponseTemplate::new(200).set_body_json(json!({ "success": true }))
        } else {
            meta_ok(n)
        }
    }
}

pub(crate) async fn meta_mock() -> MockServer {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/{META_PHONE_ID}/messages")))
        .respond_with(MetaAll(Arc::default()))
        .mount(&mock)
        .await;
    mock
}

/// The bodies of the read calls the mock received (with or without the typing indicator).
pub(crate) async fn read_calls(mock: &MockServer) -> Vec<Value> {
    mock.received_requests()
        .await
        .unwrap()
        .iter()
        .filter_map(|r| r.body_json::<Value>().ok())
        .filter(|b| b["status"] == "read")
        .collect()
}

pub(crate) async fn customer_writes(app: &TestApp, wamid: &str, text: &str) {
    assert_eq!(
        app.post_meta(&META.text("6281298765432", wamid, text))
            .await
            .status(),
        StatusCode::OK
    );
}

pub(crate) async fn chat_id(app: &TestApp) -> i64 {
    sqlx::query_scalar("select chat_id from chat")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

pub(crate) async fn open(app: &TestApp, who: &Client, chat: i64) {
    let res = app
        .call(who, "chats/mark_read", &[("chat_id", &chat.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

pub(crate) async fn typing(app: &TestApp, who: &Client, chat: i64, on: bool) -> StatusCode {
    app.call(
        who,
        "chats/typing",
        &[("chat_id", &chat.to_string()), ("on", &on.to_string())],
    )
    .await
    .status()
}

async fn set_settings(app: &TestApp, admin: &Client, channel: i64, pairs: [(&str, &str); 4]) {
    let mut form = vec![("channel_id", channel.to_string())];
    form.extend(pairs.iter().map(|(k, v)| (*k, v.to_string())));
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app.call(admin, "admin/channels/settings", &form).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
}

async fn meta_channel(app: &TestApp) -> i64 {
    sqlx::query_scalar("select channel_id from channel where kind = 'meta'")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn opening_a_chat_marks_the_customers_latest_message_read_once(pool: PgPool) {
    let mock = meta_mock().await;
    let app = TestApp::spawn_with(pool, provider_config(&mock.uri())).await;
    customer_writes(&app, "wamid.first", "halo").await;
    customer_writes(&app, "wamid.second", "mau tanya ongkir").await;
    let chat = chat_id(&app).await;
    let (rina, _) = app.signed_in("rina", Role::Agent).await;
    let (budi, _) = app.signed_in("budi", Role::Agent).await;
    // Opened again and again, by two agents at once.
    let opens = (0..6).map(|i| {
        let who = if i % 2 == 0 { &rina } else { &budi };
        open(&app, who, chat)
    });
    futures::future::join_all(opens).await;
    assert_eq!(app.drain_outbox().await, vec![Outcome::Sent]);
    let calls = read_calls(&mock).await;
    assert_eq!(
        calls,
        vec![
            json!({ "messaging_product": "whatsapp", "status": "read", "message_id": "wamid.second" })
        ],
        "one receipt, for the latest message (it covers the earlier one)"
    );
    // Delivered: the receipt's message is marked read (the earlier one with it).
    let read: Vec<(String, bool)> = sqlx::query_as(
        "select provider_message_id, marked_read_at is not null from message
          where direction = 'in' order by message_id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        read,
        vec![("wamid.first".into(), false), ("wamid.second".into(), true)]
    );
    open(&app, &rina, chat).await;
    assert_eq!(app.drain_outbox().await, vec![]);

    // A new message: its own receipt when the chat is opened again.
    customer_writes(&app, "wamid.third", "halo?").await;
    open(&app, &budi, chat).await;
    let unread: bool = sqlx::query_scalar(
        "select marked_read_at is null from message where provider_message_id = 'wamid.third'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(unread, "queued, not yet delivered: not read");
    app.drain_outbox().await;
    let calls = read_calls(&mock).await;
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1]["message_id"], "wamid.third");

    // Switched off on the channel: nothing goes out.
    let (admin, _) = app.signed_in("boss", Role::Admin).await;
    set_settings(
        &app,
        &admin,
        meta_channel(&app).await,
        [
            ("read_receipts", "false"),
            ("typing", "true"),
            ("bot", "true"),
            ("reply_delay_secs", "0"),
        ],
    )
    .await;
    customer_writes(&app, "wamid.fourth", "halo??").await;
    open(&app, &rina, chat).await;
    assert_eq!(app.drain_outbox().await, vec![]);
    assert_eq!(read_calls(&mock).await.len(), 2);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn typing_shows_at_most_once_per_20_seconds_and_stale_typing_is_dropped(pool: PgPool) {
    let mock = meta_mock().await;
    let app = TestApp::spawn_with(pool, provider_config(&mock.uri())).await;
    customer_writes(&app, "wamid.q", "ada stok?").await;
    let chat = chat_id(&app).await;
    let (rina, _) = app.signed_in("rina", Role::Agent).await;
    for _ in 0..5 {
        assert_eq!(typing(&app, &rina, chat, true).await, StatusCode::OK);
    }
    assert_eq!(app.drain_outbox().await, vec![Outcome::Sent]);
    assert_eq!(
        read_calls(&mock).await,
        vec![
            json!({ "messaging_product": "whatsapp", "status": "read", "message_id": "wamid.q",
                     "typing_indicator": { "type": "text" } })
        ]
    );
    // Stopping cannot take Meta's indicator away (it ends by itself): nothing is sent.
    assert_eq!(typing(&app, &rina, chat, false).await, StatusCode::OK);
    app.drain_outbox().await;
    assert_eq!(read_calls(&mock).await.len(), 1);

    // 20 s later (moved back in the database rather than waited for) it may show again; a
    // row that did not reach the provider within 25 s is dropped, not shown late.
    sqlx::query("update chat set typing_at = now() - interval '21 seconds'")
        .execute(&app.pool)
        .await
        .unwrap();
    typing(&app, &rina, chat, true).await;
    sqlx::query("update outbox set expires_at = now() - interval '1 second'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(app.drain_outbox().await, vec![Outcome::Dropped]);
    assert_eq!(read_calls(&mock).await.len(), 1);

    // A reply ends "typing…" at the customer: the next keystroke shows it again at once.
    assert_eq!(
        app.reply(&rina, chat, "ada kak").await.status(),
        StatusCode::OK
    );
    typing(&app, &rina, chat, true).await;
    app.drain_outbox().await;
    assert_eq!(read_calls(&mock).await.len(), 2);

    // An agent who may not answer this chat (it is someone else's) does not signal.
    let (budi, _) = app.signed_in("budi", Role::Agent).await;
    assert_eq!(typing(&app, &budi, chat, true).await, StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn whapi_gets_mark_read_and_presence_on_and_off(pool: PgPool) {
    let mock = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "success": true })))
        .mount(&mock)
        .await;
    let app = TestApp::spawn_with(pool, provider_config(&mock.uri())).await;
    let body = crate::helpers::fixture("whapi_text.json");
    assert_eq!(app.post_whapi(&body).await.status(), StatusCode::OK);
    let (chat, wamid): (i64, String) =
        sqlx::query_as("select chat_id, provider_message_id from message where direction = 'in'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let phone: String = sqlx::query_scalar("select phone from contact")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (rina, _) = app.signed_in("rina", Role::Agent).await;
    open(&app, &rina, chat).await;
    typing(&app, &rina, chat, true).await;
    typing(&app, &rina, chat, true).await;
    typing(&app, &rina, chat, false).await;
    assert_eq!(
        app.drain_outbox().await,
        vec![Outcome::Sent, Outcome::Sent, Outcome::Sent]
    );
    let calls: Vec<(String, Option<Value>)> = mock
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| (r.url.path().to_string(), r.body_json::<Value>().ok()))
        .collect();
    let presence = format!("/presences/{phone}");
    assert!(
        calls.contains(&(format!("/messages/{wamid}"), None)),
        "{calls:?}"
    );
    assert_eq!(
        calls
            .iter()
            .filter(|c| c.0 == presence)
            .map(|c| c.1.clone().unwrap())
            .collect::<Vec<_>>(),
        vec![
            json!({ "presence": "typing" }),
            json!({ "presence": "pause" })
        ],
        "typing once, then off, in that order: {calls:?}"
    );
    assert_eq!(calls.len(), 3);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_bots_reply_delay_is_a_not_before_time_with_typing_shown(pool: PgPool) {
    let mock = meta_mock().await;
    let app = TestApp::spawn_with(pool, provider_config(&mock.uri())).await;
    let (admin, _) = app.signed_in("boss", Role::Admin).await;
    app.add_bot_rule(&admin, "ongkir", "Ongkir mulai 9rb").await;
    set_settings(
        &app,
        &admin,
        meta_channel(&app).await,
        [
            ("read_receipts", "true"),
            ("typing", "true"),
            ("bot", "true"),
            ("reply_delay_secs", "3"),
        ],
    )
    .await;
    customer_writes(&app, "wamid.ask", "berapa ongkir?").await;
    let waits: Vec<(String, f64)> = sqlx::query_as(
        "select kind, extract(epoch from next_attempt_at - created_at)::float8 from outbox order by outbox_id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(waits.len(), 2, "{waits:?}");
    assert_eq!(waits[0].0, "send");
    assert!(
        (2.9..3.1).contains(&waits[0].1),
        "the reply waits 3 s: {waits:?}"
    );
    assert_eq!(
        waits[1],
        ("typing".to_string(), 0.0),
        "typing shows meanwhile"
    );

    let started = Instant::now();
    assert_eq!(app.drain_outbox().await, vec![Outcome::Sent, Outcome::Sent]);
    assert!(started.elapsed() >= Duration::from_millis(2500));
    let bodies: Vec<Value> = mock
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.body_json().unwrap())
        .collect();
    assert_eq!(
        bodies[0]["typing_indicator"]["type"], "text",
        "typing first"
    );
    assert_eq!(
        bodies[1]["text"]["body"], "Ongkir mulai 9rb",
        "then the answer"
    );
}
