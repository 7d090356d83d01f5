//! Replies through the outbox to a local mock of the provider's API (the real wire format):
//! delivered once, still once when half the calls fail, failed with the provider's reason on a
//! permanent error, re-sent by Retry, delayed but not lost by an outage; plus the 24-hour rule,
//! Whapi, and the worker waking on commit.

use crate::helpers::{fixture, provider_config, TestApp, META, META_PHONE_ID};
use inbox::outbox::Outcome;
use model::{MessageView, Role};
use reqwest::StatusCode;
use sqlx::PgPool;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub(crate) fn meta_ok(n: usize) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({
        "messaging_product": "whatsapp",
        "contacts": [{ "input": "+6281298765432", "wa_id": "6281298765432" }],
        "messages": [{ "id": format!("wamid.mock{n}") }]
    }))
}

pub(crate) fn meta_error(status: u16, code: u32, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(serde_json::json!({
        "error": { "message": message, "type": "OAuthException", "code": code,
                   "error_data": { "messaging_product": "whatsapp", "details": message }, "fbtrace_id": "Axyz" }
    }))
}

/// Answers by call number: `fail(n)` decides whether call `n` (from 0) fails with a 5xx.
pub(crate) struct Flaky<F: Fn(usize) -> bool + Send + Sync> {
    pub(crate) calls: Arc<AtomicUsize>,
    pub(crate) fail: F,
}

impl<F: Fn(usize) -> bool + Send + Sync> Respond for Flaky<F> {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        if (self.fail)(n) {
            meta_error(503, 2, "Service temporarily unavailable")
        } else {
            meta_ok(n)
        }
    }
}

pub(crate) async fn meta_mock(responder: impl Respond + 'static) -> MockServer {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/{META_PHONE_ID}/messages")))
        .and(header("authorization", "Bearer meta-test-token"))
        .respond_with(responder)
        .mount(&mock)
        .await;
    mock
}

/// The app, a customer who just wrote on the Meta channel, and a signed-in agent.
pub(crate) async fn setup(pool: PgPool, mock: &MockServer) -> (TestApp, reqwest::Client, i64) {
    let app = TestApp::spawn_with(pool, provider_config(&mock.uri())).await;
    assert_eq!(
        app.post_meta(&META.text("6281298765432", "wamid.hello", "halo kak"))
            .await
            .status(),
        StatusCode::OK
    );
    let chat: i64 = sqlx::query_scalar("select chat_id from chat")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (agent, _) = app.signed_in("rina", Role::Agent).await;
    (app, agent, chat)
}

/// The `biz_opaque_callback_data` of every request that the mock answered with success.
async fn delivered_keys(mock: &MockServer, succeeded: impl Fn(usize) -> bool) -> Vec<String> {
    let requests = mock.received_requests().await.unwrap();
    requests
        .iter()
        .enumerate()
        .filter(|(i, _)| succeeded(*i))
        .map(|(_, r)| {
            r.body_json::<serde_json::Value>().unwrap()["biz_opaque_callback_data"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_reply_is_delivered_once(pool: PgPool) {
    let mock = meta_mock(Flaky {
        calls: Arc::default(),
        fail: |_| false,
    })
    .await;
    let (app, agent, chat) = setup(pool, &mock).await;
    let res = app.reply(&agent, chat, "Baik kak, kami cek dulu ya").await;
    assert_eq!(res.status(), StatusCode::OK);
    let queued: Vec<MessageView> = res.json().await.unwrap();
    assert_eq!(
        queued[0].status,
        model::DeliveryState::Queued,
        "it shows at once, as queued"
    );

    assert_eq!(app.drain_outbox().await, vec![Outcome::Sent]);
    assert_eq!(app.drain_outbox().await, vec![], "nothing is sent twice");
    let requests = mock.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let body: serde_json::Value = requests[0].body_json().unwrap();
    assert_eq!(body["to"], "+6281298765432");
    assert_eq!(body["type"], "text");
    assert_eq!(body["text"]["body"], "Baik kak, kami cek dulu ya");
    assert_eq!(
        body["biz_opaque_callback_data"],
        format!("msg-{}", queued[0].message_id)
    );
    let (status, wamid): (String, String) =
        sqlx::query_as("select status, provider_message_id from message where direction = 'out'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((status.as_str(), wamid.as_str()), ("sent", "wamid.mock0"));

    // The provider's later statuses move it on.
    app.post_meta(&META.status("wamid.mock0", "delivered"))
        .await;
    assert_eq!(app.reply_statuses().await, vec!["delivered"]);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn with_half_of_the_calls_failing_every_reply_is_still_delivered_once(pool: PgPool) {
    let mock = meta_mock(Flaky {
        calls: Arc::default(),
        fail: |n| n % 2 == 0,
    })
    .await;
    let (app, agent, chat) = setup(pool, &mock).await;
    for i in 0..20 {
        assert_eq!(
            app.reply(&agent, chat, &format!("reply {i}"))
                .await
                .status(),
            StatusCode::OK
        );
    }
    let outcomes = app.drain_outbox().await;
    assert_eq!(outcomes.iter().filter(|o| **o == Outcome::Sent).count(), 20);
    assert!(outcomes.iter().all(|o| *o != Outcome::Failed));
    let mut keys = delivered_keys(&mock, |i| i % 2 == 1).await;
    assert_eq!(keys.len(), 20);
    keys.sort();
    keys.dedup();
    assert_eq!(
        keys.len(),
        20,
        "each reply reached the provider exactly once"
    );
    assert!(app.reply_statuses().await.iter().all(|s| s == "sent"));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_permanent_error_fails_at_once_with_the_reason_and_retry_sends_again(pool: PgPool) {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(meta_error(400, 131026, "Message undeliverable"))
        .up_to_n_times(1)
        .mount(&mock)
        .await;
    let (app, agent, chat) = setup(pool, &mock).await;
    app.reply(&agent, chat, "halo").await;
    assert_eq!(app.drain_outbox().await, vec![Outcome::Failed]);
    let (status, code, reason): (String, Option<String>, Option<String>) = sqlx::query_as(
        "select status, error_code, error_reason from message where direction = 'out'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (status.as_str(), code.as_deref()),
        ("failed", Some("131026"))
    );
    assert!(reason.unwrap().contains("Message undeliverable"));
    assert_eq!(
        mock.received_requests().await.unwrap().len(),
        1,
        "not retried"
    );

    // Retry really sends it again.
    Mock::given(method("POST"))
        .respond_with(meta_ok(7))
        .mount(&mock)
        .await;
    let id: i64 = sqlx::query_scalar("select message_id from message where direction = 'out'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let res = app
        .call(&agent, "chats/retry", &[("message_id", &id.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<MessageView>().await.unwrap().status,
        model::DeliveryState::Queued
    );
    assert_eq!(app.drain_outbox().await, vec![Outcome::Sent]);
    assert_eq!(mock.received_requests().await.unwrap().len(), 2);
    assert_eq!(app.reply_statuses().await, vec!["sent"]);
    // A message that did not fail cannot be "retried" into a second copy.
    let res = app
        .call(&agent, "chats/retry", &[("message_id", &id.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_outage_of_the_provider_delays_but_loses_nothing(pool: PgPool) {
    let calls = Arc::new(AtomicUsize::new(0));
    let mock = meta_mock(Flaky {
        calls: calls.clone(),
        fail: |n| n < 6,
    })
    .await;
    let (app, agent, chat) = setup(pool, &mock).await;
    app.reply(&agent, chat, "still there?").await;
    let outcomes = app.drain_outbox().await;
    assert_eq!(
        outcomes.iter().filter(|o| **o == Outcome::Retrying).count(),
        6
    );
    assert_eq!(outcomes.last(), Some(&Outcome::Sent));
    assert_eq!(calls.load(Ordering::SeqCst), 7);
    assert_eq!(app.reply_statuses().await, vec!["sent"]);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn after_the_retry_budget_the_reply_fails_with_the_last_reason(pool: PgPool) {
    let mock = meta_mock(Flaky {
        calls: Arc::default(),
        fail: |_| true,
    })
    .await;
    let (app, agent, chat) = setup(pool, &mock).await;
    app.reply(&agent, chat, "halo").await;
    let outcomes = app.drain_outbox().await;
    assert_eq!(outcomes.len(), 10);
    assert_eq!(outcomes.last(), Some(&Outcome::Failed));
    let reason: String =
        sqlx::query_scalar("select error_reason from message where direction = 'out'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(reason.contains("temporarily unavailable"), "{reason}");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn free_text_outside_the_24_hour_window_is_refused_before_sending(pool: PgPool) {
    let mock = meta_mock(Flaky {
        calls: Arc::default(),
        fail: |_| false,
    })
    .await;
    let app = TestApp::spawn_with(pool, provider_config(&mock.uri())).await;
    // The fixture's message is from October 2025.
    app.post_meta(&fixture("meta_text.json")).await;
    let chat: i64 = sqlx::query_scalar("select chat_id from chat")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (agent, _) = app.signed_in("rina", Role::Agent).await;
    let res = app.reply(&agent, chat, "halo").await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("outside_24h_window"));
    assert_eq!(
        app.count("select count(*) from message where direction = 'out'")
            .await,
        0
    );
    assert_eq!(app.count("select count(*) from outbox").await, 0);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn replies_to_whapi_chats_go_through_the_whapi_api(pool: PgPool) {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/messages/text"))
        .and(header("authorization", "Bearer whapi-test-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "sent": true,
            "message": { "id": "whapi-out-1", "from_me": true, "type": "text", "chat_id": "6281298765432@s.whatsapp.net", "timestamp": 1760000100, "text": { "body": "ok" } }
        })))
        .mount(&mock)
        .await;
    let app = TestApp::spawn_with(pool, provider_config(&mock.uri())).await;
    app.post_whapi(&fixture("whapi_text.json")).await;
    let chat: i64 = sqlx::query_scalar("select chat_id from chat")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (agent, _) = app.signed_in("rina", Role::Agent).await;
    assert_eq!(
        app.reply(&agent, chat, "Siap kak").await.status(),
        StatusCode::OK
    );
    assert_eq!(app.drain_outbox().await, vec![Outcome::Sent]);
    let requests = mock.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let body: serde_json::Value = requests[0].body_json().unwrap();
    assert_eq!(
        (body["to"].as_str(), body["body"].as_str()),
        (Some("6281298765432"), Some("Siap kak"))
    );
    let wamid: String =
        sqlx::query_scalar("select provider_message_id from message where direction = 'out'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(wamid, "whapi-out-1");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_running_worker_sends_a_reply_as_soon_as_it_is_committed(pool: PgPool) {
    let mock = meta_mock(Flaky {
        calls: Arc::default(),
        fail: |_| false,
    })
    .await;
    let (app, agent, chat) = setup(pool, &mock).await;
    let worker = tokio::spawn(app.outbox.clone().run_until_stopped(std::future::pending()));
    // Let the worker go idle (and listen) first.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    app.reply(&agent, chat, "fast").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while app.reply_statuses().await != vec!["sent"] {
        assert!(
            std::time::Instant::now() < deadline,
            "the worker did not pick up the reply"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    worker.abort();
    assert_eq!(mock.received_requests().await.unwrap().len(), 1);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn idle_workers_sleep_until_the_next_row_is_due(pool: PgPool) {
    use inbox::db::outbox::next_due_in;
    use std::time::Duration;
    let mock = meta_mock(meta_ok(0)).await;
    let (app, agent, chat) = setup(pool, &mock).await;
    // Nothing queued: no due time at all (not "due now", which kept idle workers polling).
    assert_eq!(next_due_in(&app.pool).await.unwrap(), None);
    assert_eq!(
        app.reply(&agent, chat, "nanti").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        next_due_in(&app.pool).await.unwrap(),
        Some(Duration::ZERO),
        "a fresh reply is due now"
    );
    sqlx::query("update outbox set next_attempt_at = now() + interval '1 hour'")
        .execute(&app.pool)
        .await
        .unwrap();
    let due = next_due_in(&app.pool).await.unwrap().unwrap();
    assert!(
        due > Duration::from_secs(3500) && due <= Duration::from_secs(3600),
        "{due:?}"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_provider_answering_an_id_it_gave_before_does_not_stall_the_outbox(pool: PgPool) {
    // A provider that hands out the same message id twice (seen from gateways after a
    // restart): the second reply was sent all the same and must say so, not make the worker
    // fail its bookkeeping, pause, and send it again when the lease runs out.
    let mock = meta_mock(ResponseTemplate::new(200).set_body_json(serde_json::json!({
        "messaging_product": "whatsapp",
        "messages": [{ "id": "wamid.same" }]
    })))
    .await;
    let (app, agent, chat) = setup(pool, &mock).await;
    app.reply(&agent, chat, "satu").await;
    app.reply(&agent, chat, "dua").await;
    assert_eq!(app.drain_outbox().await, vec![Outcome::Sent, Outcome::Sent]);
    assert_eq!(mock.received_requests().await.unwrap().len(), 2);
    assert_eq!(app.reply_statuses().await, vec!["sent", "sent"]);
    assert_eq!(
        app.count("select count(*) from message where provider_message_id = 'wamid.same'")
            .await,
        1,
        "the id stays with the message that had it first"
    );
}
