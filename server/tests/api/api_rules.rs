//! More of the API over real HTTP: the per-device gateway forms (JSON, a base64 photo, the URL
//! form, status) and their switch; the rate limit per key; what a send does to the chat's mode.

use crate::gateway_api::{channel_id, key, post};
use crate::helpers::{test_config, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_per_device_forms_send_text_files_and_status_and_can_be_switched_off(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let sandbox = channel_id(&app, "sandbox").await;
    let shop = key(&app, "Toko", Some(sandbox)).await;
    let base = app.url(&format!(
        "/api/services/whatsapp/chat/{sandbox}/{}",
        shop.key
    ));
    let client = reqwest::Client::new();

    let res = client.get(&base).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let status: Value = res.json().await.unwrap();
    assert!(status.get("isConnected").is_some(), "{status}");

    let res = client
        .post(&base)
        .json(&json!({ "phone": "081298765432", "message": "Pesanan dikirim" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let answer: Value = res.json().await.unwrap();
    assert_eq!(
        (answer["success"].clone(), answer["to"].clone()),
        (json!(true), json!("6281298765432"))
    );

    // A photo as base64, with its caption.
    let photo = crate::media_store::photo(900, 600, 7);
    let b64 = base64_encode(&photo);
    let res = client
        .post(&base)
        .json(&json!({ "phone": "6281298765432", "image": b64, "caption": "Resi pengiriman" }))
        .send()
        .await
        .unwrap();
    let answer: Value = res.json().await.unwrap();
    assert_eq!(answer["success"], true, "{answer}");
    let (kind, mime, body): (String, String, Option<String>) = sqlx::query_as(
        "select m.kind, a.mime_type, m.body from message m join attachment a using (message_id)
          where m.message_id = $1",
    )
    .bind(
        answer["messageId"]
            .as_str()
            .unwrap()
            .parse::<i64>()
            .unwrap(),
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (kind.as_str(), mime.as_str(), body.as_deref()),
        ("image", "image/jpeg", Some("Resi pengiriman"))
    );

    // The URL form, for tools that can only call a URL.
    let res = client
        .post(format!("{base}/081298765432/Terima%20kasih"))
        .send()
        .await
        .unwrap();
    let answer: Value = res.json().await.unwrap();
    assert_eq!(answer["message"], "Terima kasih", "{answer}");
    // A wrong key in the path is refused like any other.
    let res = client
        .post(app.url(&format!("/api/services/whatsapp/chat/{sandbox}/ik_wrong")))
        .json(&json!({ "phone": "6281298765432", "message": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    let mut config = test_config();
    config.api_key_in_path = false;
    let off = TestApp::spawn_with(pool, config).await;
    let res = client
        .get(off.url(&format!(
            "/api/services/whatsapp/chat/{sandbox}/{}",
            shop.key
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "switched off by INBOX_API_KEY_IN_PATH=false"
    );
}

pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn over_its_rate_a_key_gets_429_with_retry_after(pool: PgPool) {
    let mut config = test_config();
    config.api_rate_per_minute = 3;
    let app = TestApp::spawn_with(pool, config).await;
    let shop = key(&app, "Toko", None).await;
    let status = |key: String| {
        let url = app.url("/status");
        async move {
            reqwest::Client::new()
                .get(url)
                .header("X-API-KEY", key)
                .send()
                .await
                .unwrap()
        }
    };
    let sandbox = channel_id(&app, "sandbox").await;
    let _ = sandbox;
    for _ in 0..3 {
        assert_ne!(
            status(shop.key.clone()).await.status(),
            StatusCode::TOO_MANY_REQUESTS
        );
    }
    let res = status(shop.key.clone()).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&wait), "{wait}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "RATE_LIMITED");
    // Another key has its own rate.
    let other = key(&app, "Other", None).await;
    assert_ne!(
        status(other.key).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_send_takes_a_bot_chat_over_unless_it_says_keep(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let sandbox = channel_id(&app, "sandbox").await;
    let shop = key(&app, "Toko", Some(sandbox)).await;
    let mode = |phone: &'static str| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "select c.mode from chat c join contact ct using (contact_id) where ct.phone = $1",
            )
            .bind(phone)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    // A new number: with "keep" the bot will handle the answer; without, the agents will.
    let (status, _) = post(
        &app,
        "/send-message",
        &shop.key,
        json!({ "to": "6281200000001", "message": "Pesanan dikirim", "mode": "keep" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mode("6281200000001").await, "bot");
    post(
        &app,
        "/send-message",
        &shop.key,
        json!({ "to": "6281200000001", "message": "Resi: JNE123", "mode": "keep" }),
    )
    .await;
    assert_eq!(
        mode("6281200000001").await,
        "bot",
        "keep leaves a BOT chat alone"
    );
    post(
        &app,
        "/send-message",
        &shop.key,
        json!({ "to": "6281200000001", "message": "Ada yang bisa dibantu?" }),
    )
    .await;
    assert_eq!(
        mode("6281200000001").await,
        "agent",
        "a send takes a BOT chat over"
    );
    let (status, _) = post(
        &app,
        "/send-message",
        &shop.key,
        json!({ "to": "6281200000002", "message": "Halo" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mode("6281200000002").await, "agent");
    let assigned: Option<i64> = sqlx::query_scalar(
        "select c.assigned_user_id from chat c join contact ct using (contact_id) where ct.phone = '6281200000002'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(assigned, None, "in the agents' queue");
    let started: String = sqlx::query_scalar(
        "select body from message where kind = 'system' and raw->>'event' = 'started' order by message_id limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(started, "Conversation started via API key 'Toko'");
    let (status, answer) = post(
        &app,
        "/send-message",
        &shop.key,
        json!({ "to": "6281200000002", "message": "x", "mode": "sometimes" }),
    )
    .await;
    assert_eq!(
        (status, &answer["error"]),
        (StatusCode::BAD_REQUEST, &json!("INVALID_MODE"))
    );
}
