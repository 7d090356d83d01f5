//! `Idempotency-Key` over real HTTP: twenty concurrent identical sends make one message, one
//! provider call and one answer; a later retry gets the same answer; another body with the same
//! key is refused; refusals are answers too; the gateway's sends take the key as well.

use crate::gateway_api::{channel_id, key};
use crate::helpers::{provider_config, TestApp, META};
use crate::outbox::{meta_mock, meta_ok};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn twenty_concurrent_identical_sends_with_one_key_make_one_message_and_one_call(
    pool: PgPool,
) {
    let mock = meta_mock(meta_ok(1)).await;
    let app = TestApp::spawn_with(pool, provider_config(&mock.uri())).await;
    let res = app
        .post_meta(&META.text("6281298765432", "wamid.hi", "halo"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let meta = channel_id(&app, "meta").await;
    let shop = key(&app, "Toko", Some(meta)).await;
    let body = json!({ "to": "6281298765432", "text": "Pesanan #2231 sudah dikirim" });
    let send = |idem: &'static str, body: Value| {
        let (url, key) = (app.url("/api/v1/messages"), shop.key.clone());
        async move {
            let res = reqwest::Client::new()
                .post(url)
                .header("X-API-KEY", key)
                .header("Idempotency-Key", idem)
                .json(&body)
                .send()
                .await
                .unwrap();
            (res.status(), res.json::<Value>().await.unwrap())
        }
    };
    let answers =
        futures::future::join_all((0..20).map(|_| send("order-2231-shipped", body.clone()))).await;
    let first = &answers[0].1;
    for (status, answer) in &answers {
        assert_eq!(*status, StatusCode::OK, "{answer}");
        assert_eq!(answer, first, "every retry gets the first answer");
    }
    assert_eq!(
        app.count("select count(*) from message where direction = 'out'")
            .await,
        1
    );
    app.drain_outbox().await;
    let calls = mock.received_requests().await.unwrap().len();
    assert_eq!(calls, 1, "one provider call");
    // Again later: still the first answer, nothing sent.
    let (status, again) = send("order-2231-shipped", body.clone()).await;
    assert_eq!((status, &again), (StatusCode::OK, first));
    // The same key with another body is refused; another key sends.
    let (status, err) = send(
        "order-2231-shipped",
        json!({ "to": "6281298765432", "text": "lain" }),
    )
    .await;
    assert_eq!(
        (status, &err["error"]["code"]),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!("idempotency_key_reused")
        )
    );
    let (status, _) = send("order-2232-shipped", body.clone()).await;
    assert_eq!(status, StatusCode::OK);
    // A refusal is an answer too: given again, not re-evaluated.
    let bad = json!({ "to": "123", "text": "x" });
    let (status, refused) = send("order-bad", bad.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(send("order-bad", bad).await, (status, refused));
    assert_eq!(
        app.count("select count(*) from message where direction = 'out'")
            .await,
        2
    );
    // The gateway's sends take the key too.
    let gateway = |idem: &'static str| {
        let (url, key) = (app.url("/send-message"), shop.key.clone());
        async move {
            reqwest::Client::new()
                .post(url)
                .header("X-API-KEY", key)
                .header("Idempotency-Key", idem)
                .json(&json!({ "to": "6281298765432", "message": "sekali saja" }))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let (a, b) = tokio::join!(gateway("g-1"), gateway("g-1"));
    assert_eq!(a, b);
    assert_eq!(
        app.count("select count(*) from message where body = 'sekali saja'")
            .await,
        1
    );
}
