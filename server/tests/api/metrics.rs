//! Prometheus metrics: what operators watch, in the text format, without customer data.

use crate::helpers::{provider_config, TestApp, META};
use model::Role;
use reqwest::StatusCode;
use sqlx::PgPool;

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn metrics_count_webhooks_sends_streams_and_logins_without_customer_data(pool: PgPool) {
    let app = TestApp::spawn_with(pool, provider_config("http://127.0.0.1:9")).await;
    let phone = "6281299990001";
    assert_eq!(
        app.post_meta(&META.text(phone, "wamid.metrics1", "rahasia pelanggan"))
            .await
            .status(),
        StatusCode::OK
    );
    let forged = app
        .client()
        .post(app.url("/api/webhooks/whatsapp"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    let (agent, _) = app.signed_in("rina", Role::Agent).await;
    assert_eq!(
        app.login(&app.client(), "rina", "wrong-password")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let chat: i64 = sqlx::query_scalar("select chat_id from chat")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        app.reply(&agent, chat, "baik kak").await.status(),
        StatusCode::OK
    );
    // The provider is unreachable: retried, then failed.
    app.drain_outbox().await;
    let _stream = agent.get(app.url("/api/events")).send().await.unwrap();

    let res = app.client().get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = res.text().await.unwrap();
    for line in [
        r#"inbox_webhooks_total{provider="meta",result="stored"}"#,
        r#"inbox_webhooks_total{provider="meta",result="unauthorized"}"#,
        "inbox_ingest_commit_seconds_bucket",
        "inbox_outbox_queue_depth",
        r#"inbox_sends_total{result="retrying"}"#,
        r#"inbox_sends_total{result="failed"}"#,
        "inbox_send_retries_total",
        "inbox_send_seconds_bucket",
        "inbox_sse_streams",
        "inbox_event_hub_backlog",
        r#"inbox_db_pool_connections{state="in_use"}"#,
        "inbox_login_failures_total",
    ] {
        assert!(text.contains(line), "no {line} in:\n{text}");
    }
    assert!(
        !text.contains(phone) && !text.contains("rahasia"),
        "customer data in metrics"
    );
}
