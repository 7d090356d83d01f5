//! Outbound webhooks when the receiver fails: retries carry one `X-Webhook-Id`, the log shows
//! each delivery, redeliver and the test event; an endpoint failing too long is paused and
//! resumes when enabled; private targets, unknown events, short secrets and agents are refused.

use crate::helpers::{test_config, TestApp};
use crate::hooks::add_endpoint;
use model::{CreatedWebhook, DeliveryView, Role};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use test_support::receiver::Receiver;

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_failing_receiver_gets_retries_with_one_id_and_is_paused_then_resumed(pool: PgPool) {
    let mut config = test_config();
    config.hooks.pause_after = std::time::Duration::from_millis(300);
    let app = TestApp::spawn_with(pool, config).await;
    // The first two calls fail; later ones fail only while the receiver is down (`up` false).
    let up = Arc::new(AtomicBool::new(true));
    let flag = up.clone();
    let receiver = Receiver::start(move |n| n < 2 || !flag.load(Ordering::SeqCst)).await;
    let (admin, _) = app.signed_in("boss", Role::Admin).await;
    let hook = add_endpoint(&app, &admin, &receiver.url, "message.in").await;
    let writes = |text: &'static str| {
        inbox::channels::sandbox::customer_writes(
            &app.pool,
            "6281299990000",
            "Sari",
            text,
            model::Mode::Bot,
        )
    };
    writes("halo").await.unwrap();
    app.drain_hooks().await;
    let received = receiver.received();
    assert_eq!(received.len(), 3, "two failures, then the 2xx");
    assert!(
        received.iter().all(|r| r.id == received[0].id),
        "one X-Webhook-Id for every retry"
    );
    assert_eq!(received.iter().filter(|r| r.acked).count(), 1);
    let res = app
        .call(
            &admin,
            "admin/webhooks/log",
            &[("id", &hook.id.to_string())],
        )
        .await;
    let log: Vec<DeliveryView> = res.json().await.unwrap();
    assert_eq!(
        (log[0].state.as_str(), log[0].attempts, log[0].http_status),
        ("delivered", 3, Some(200))
    );
    assert_eq!(log[0].response.as_deref(), Some("ok"));

    // Redeliver: the same event again, with its id; and the test event.
    let res = app
        .call(
            &admin,
            "admin/webhooks/redeliver",
            &[("delivery_id", &log[0].id.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .call(
            &admin,
            "admin/webhooks/test",
            &[("id", &hook.id.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    app.drain_hooks().await;
    let received = receiver.received();
    assert_eq!(
        received[3].id, received[0].id,
        "redelivered with the same id"
    );
    assert_eq!(received[4].event, "webhook.test");

    // From now on it fails: past the pause limit the endpoint is paused, and nothing is tried.
    up.store(false, Ordering::SeqCst);
    writes("masih ada?").await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        app.hooks.dispatch_next().await.unwrap();
        app.hooks.deliver_next().await.unwrap();
        if app
            .count("select count(*) from webhook_endpoint where paused_at is not null")
            .await
            == 1
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the endpoint is paused"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let res = app.call(&admin, "admin/webhooks/list", &[]).await;
    let hooks: Vec<model::WebhookView> = res.json().await.unwrap();
    assert!(hooks[0].paused_at.is_some() && hooks[0].pause_reason.as_deref() == Some("HTTP 500"));
    let tried = receiver.calls();
    assert_eq!(
        app.hooks.deliver_next().await.unwrap(),
        inbox::hooks::Delivered::Idle,
        "paused: nothing is tried"
    );
    assert_eq!(receiver.calls(), tried);
    // The receiver is fixed; an admin enables the endpoint: the waiting event goes.
    up.store(true, Ordering::SeqCst);
    let res = app
        .call(
            &admin,
            "admin/webhooks/enable",
            &[("id", &hook.id.to_string()), ("enabled", "true")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    app.drain_hooks().await;
    let last = receiver.received().pop().unwrap();
    assert!(last.acked);
    assert_eq!(last.json()["data"]["text"], "masih ada?");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn private_targets_unknown_events_and_agents_are_refused(pool: PgPool) {
    let mut config = test_config();
    config.hooks.allow_private = false;
    let app = TestApp::spawn_with(pool, config).await;
    let (admin, _) = app.signed_in("boss", Role::Admin).await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://localhost:8080/hook",
        "http://10.0.0.7/x",
        "http://[::1]/x",
    ] {
        let res = app
            .call(&admin, "admin/webhooks/create", &[("url", url)])
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        assert_eq!(
            res.json::<Value>().await.unwrap()["Invalid"]["reason"],
            "webhook_url_private",
            "{url}"
        );
    }
    let res = app
        .call(
            &admin,
            "admin/webhooks/create",
            &[("url", "ftp://files.example.com/")],
        )
        .await;
    assert_eq!(
        res.json::<Value>().await.unwrap()["Invalid"]["reason"],
        "url_invalid"
    );
    let mut allowed = test_config();
    allowed.hooks.allow_private = true;
    let app = TestApp::spawn_with(app.pool.clone(), allowed).await;
    let (admin, _) = app.signed_in("boss2", Role::Admin).await;
    let res = app
        .call(
            &admin,
            "admin/webhooks/create",
            &[
                ("url", "http://127.0.0.1:9/hook"),
                ("events", "message.in,order.paid"),
            ],
        )
        .await;
    assert_eq!(
        res.json::<Value>().await.unwrap()["Invalid"]["reason"],
        "webhook_event_unknown"
    );
    let res = app
        .call(
            &admin,
            "admin/webhooks/create",
            &[("url", "http://127.0.0.1:9/hook"), ("secret", "short")],
        )
        .await;
    assert_eq!(
        res.json::<Value>().await.unwrap()["Invalid"]["reason"],
        "webhook_secret_length"
    );
    let res = app
        .call(
            &admin,
            "admin/webhooks/create",
            &[("url", "http://127.0.0.1:9/hook")],
        )
        .await;
    let made: CreatedWebhook = res.json().await.unwrap();
    assert!(
        made.secret.starts_with("whsec_") && made.secret.len() > 40,
        "a secret is generated"
    );
    let sealed: Vec<u8> = sqlx::query_scalar("select secret from webhook_endpoint")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&sealed).contains(&made.secret),
        "sealed at rest"
    );
    let (agent, _) = app.signed_in("rina", Role::Agent).await;
    for endpoint in ["admin/webhooks/list", "admin/webhooks/create"] {
        let res = app
            .call(&agent, endpoint, &[("url", "http://127.0.0.1:9/")])
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{endpoint}");
    }
}
