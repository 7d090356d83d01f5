//! The gateway-compatible sends over real HTTP: the seed gateway's example bodies sent verbatim
//! get its answers (and reach a Meta mock in Meta's format, attributed to the key); a fourth
//! button is the seed's error body; numbers are normalised and bad ones refused; keys by
//! header, query and bearer, none, revoked, limited to another channel. The per-device forms,
//! the rate limit and the mode rules are in `api_rules.rs`.

use crate::helpers::{provider_config, TestApp, META};
use crate::outbox::{meta_mock, meta_ok};
use model::{CreatedApiKey, Role};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

pub(crate) async fn channel_id(app: &TestApp, kind: &str) -> i64 {
    sqlx::query_scalar("select channel_id from channel where kind = $1")
        .bind(kind)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// An admin's key named `name`, limited to `channels` (comma separated ids) when given.
pub(crate) async fn key(app: &TestApp, name: &str, channels: Option<i64>) -> CreatedApiKey {
    let (admin, _) = app
        .signed_in(
            &format!("admin-{name}").replace(' ', "-").to_lowercase(),
            Role::Admin,
        )
        .await;
    let channels = channels.map(|c| c.to_string()).unwrap_or_default();
    let res = app
        .call(
            &admin,
            "admin/api_keys/create",
            &[("name", name), ("channels", &channels)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

pub(crate) async fn post(app: &TestApp, path: &str, key: &str, body: Value) -> (StatusCode, Value) {
    let res = reqwest::Client::new()
        .post(app.url(path))
        .header("X-API-KEY", key)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn sent_bodies(mock: &wiremock::MockServer) -> Vec<Value> {
    mock.received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_seeds_example_bodies_sent_verbatim_get_the_seeds_answers(pool: PgPool) {
    let mock = meta_mock(meta_ok(1)).await;
    let app = TestApp::spawn_with(pool, provider_config(&mock.uri())).await;
    // The customer's message the seed's example quotes.
    let res = app
        .post_meta(&META.text(
            "6281298765432",
            "3EB0C127D7BACC83D6A1",
            "Halo, pesanan saya belum sampai",
        ))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let meta = channel_id(&app, "meta").await;
    let shop = key(&app, "Toko Online", Some(meta)).await;

    let (status, answer) = post(
        &app,
        "/send-message",
        &shop.key,
        json!({ "to": "6281298765432", "message": "Baik Kak Rina, kami cek dulu ya.", "reply_to_id": "3EB0C127D7BACC83D6A1" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["success"], true);
    assert_eq!(answer["to"], "6281298765432");
    assert_eq!(answer["message"], "Baik Kak Rina, kami cek dulu ya.");
    let id: i64 = answer["messageId"].as_str().unwrap().parse().unwrap();

    let (status, answer) = post(
        &app,
        "/send-interactive",
        &shop.key,
        json!({
            "to": "6281298765432",
            "text": "Pilih opsi:",
            "footer": "Toko Sinar",
            "interactiveButtons": [
                { "name": "quick_reply", "buttonParamsJson": "{\"display_text\":\"Sudah diterima\",\"id\":\"delivery_ok\"}" },
                { "name": "quick_reply", "buttonParamsJson": "{\"display_text\":\"Belum\",\"id\":\"delivery_no\"}" }
            ]
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["success"], true);
    assert_eq!(answer["type"], "button");
    assert!(answer["timestamp"].as_i64().unwrap() > 1_700_000_000_000);

    let (status, answer) = post(
        &app,
        "/send-interactive",
        &shop.key,
        json!({
            "to": "6281298765432", "type": "list", "text": "Menu hari ini", "buttonText": "Lihat menu",
            "sections": [{ "title": "Makanan", "rows": [
                { "id": "nasi", "title": "Nasi goreng", "description": "Rp 25.000" },
                { "id": "mie", "title": "Mie ayam", "description": "Rp 20.000" }
            ]}]
        }),
    )
    .await;
    assert_eq!(
        (status, &answer["type"]),
        (StatusCode::OK, &json!("list")),
        "{answer}"
    );

    // A fourth button: the seed's error body, nothing stored.
    let four: Vec<Value> = (1..=4)
        .map(|i| json!({ "name": "quick_reply", "buttonParamsJson": json!({ "display_text": format!("Opsi {i}"), "id": format!("o{i}") }).to_string() }))
        .collect();
    let (status, answer) = post(
        &app,
        "/send-interactive",
        &shop.key,
        json!({ "to": "6281298765432", "text": "Pilih", "interactiveButtons": four }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer,
        json!({ "success": false, "error": "BUTTON_LIMIT_EXCEEDED", "message": "Maximum 3 buttons allowed per message" })
    );
    let (status, answer) = post(
        &app,
        "/send-interactive",
        &shop.key,
        json!({ "to": "6281298765432", "text": "Pilih", "interactiveButtons": [{ "name": "quick_reply", "buttonParamsJson": "{broken" }] }),
    )
    .await;
    assert_eq!(
        (status, &answer["error"]),
        (StatusCode::BAD_REQUEST, &json!("INVALID_BUTTON_PARAMS"))
    );
    assert_eq!(
        app.count("select count(*) from message where direction = 'out'")
            .await,
        3
    );

    // Through the outbox to Meta, in Meta's format, the quote carried.
    app.drain_outbox().await;
    let bodies = sent_bodies(&mock).await;
    assert_eq!(bodies.len(), 3);
    assert_eq!(
        bodies[0]["text"]["body"],
        "Baik Kak Rina, kami cek dulu ya."
    );
    assert_eq!(bodies[0]["context"]["message_id"], "3EB0C127D7BACC83D6A1");
    assert_eq!(bodies[1]["interactive"]["type"], "button");
    assert_eq!(
        bodies[1]["interactive"]["action"]["buttons"][0]["reply"]["id"],
        "delivery_ok"
    );
    assert_eq!(bodies[2]["interactive"]["type"], "list");
    assert_eq!(
        bodies[2]["interactive"]["action"]["sections"][0]["rows"][1]["id"],
        "mie"
    );
    // The conversation says which key sent it; the reply took the BOT chat over.
    let view = crate::outgoing_files::view(&app, id).await;
    assert_eq!(view.via_api.as_deref(), Some("Toko Online"));
    assert_eq!(view.status, model::DeliveryState::Sent);
    let mode: String = sqlx::query_scalar("select mode from chat")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(mode, "agent");
    let audit: Option<i64> =
        sqlx::query_scalar("select actor_api_key_id from chat_audit where action = 'mode'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(audit, Some(shop.id));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn numbers_are_normalised_as_the_seed_does_and_impossible_ones_refused(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let sandbox = channel_id(&app, "sandbox").await;
    let shop = key(&app, "Toko", Some(sandbox)).await;
    for to in [
        "081298765432",
        "+62 812-9876-5432",
        "6281298765432",
        "62 812 9876 5432",
    ] {
        let (status, answer) = post(
            &app,
            "/send-message",
            &shop.key,
            json!({ "to": to, "message": "Halo" }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{to}: {answer}");
        assert_eq!(answer["to"], "6281298765432", "{to}");
    }
    assert_eq!(
        app.count("select count(*) from chat").await,
        1,
        "one customer, one chat"
    );
    assert_eq!(app.count("select count(*) from contact").await, 1);
    for to in ["12345", "hello", "+0812345678", "0812-34"] {
        let (status, answer) = post(
            &app,
            "/send-message",
            &shop.key,
            json!({ "to": to, "message": "Halo" }),
        )
        .await;
        assert_eq!(
            (status, &answer["error"]),
            (StatusCode::BAD_REQUEST, &json!("INVALID_PHONE")),
            "{to}"
        );
    }
    // A number as a JSON number, as some scripts send it.
    let (status, _) = post(
        &app,
        "/send-message",
        &shop.key,
        json!({ "to": 6281298765432u64, "message": "Halo" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_call_needs_a_live_key_for_its_channel(pool: PgPool) {
    let app = TestApp::spawn_with(pool, provider_config("http://127.0.0.1:9")).await;
    let (meta, whapi) = (
        channel_id(&app, "meta").await,
        channel_id(&app, "whapi").await,
    );
    // Whapi (no 24-hour window to open first).
    let body = json!({ "to": "6281298765432", "message": "Halo", "channel": whapi.to_string() });
    let send = |builder: reqwest::RequestBuilder| {
        let body = body.clone();
        async move {
            let res = builder.json(&body).send().await.unwrap();
            let status = res.status();
            (status, res.json::<Value>().await.unwrap())
        }
    };
    let url = app.url("/send-message");
    let client = reqwest::Client::new();
    let (status, answer) = send(client.post(&url)).await;
    assert_eq!(
        (status, &answer["error"]),
        (StatusCode::UNAUTHORIZED, &json!("UNAUTHORIZED"))
    );
    let all = key(&app, "Semua", None).await;
    assert_eq!(
        send(client.post(&url).header("X-API-KEY", &all.key))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        send(client.post(&url).bearer_auth(&all.key)).await.0,
        StatusCode::OK
    );
    let (status, answer) = send(client.post(format!("{url}?api_key={}", all.key))).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let bali = key(&app, "Bali", Some(meta)).await;
    let (status, answer) = send(client.post(&url).header("X-API-KEY", &bali.key)).await;
    assert_eq!(
        (status, &answer["error"]),
        (StatusCode::FORBIDDEN, &json!("FORBIDDEN"))
    );
    let (admin, _) = app.signed_in("boss", Role::Admin).await;
    let res = app
        .call(
            &admin,
            "admin/api_keys/revoke",
            &[("id", &all.id.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        send(client.post(&url).header("X-API-KEY", &all.key))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    // Several channels and no default: the call must name one; an admin's default is used.
    let any = key(&app, "Any", None).await;
    let (status, answer) = post(
        &app,
        "/send-message",
        &any.key,
        json!({ "to": "6281298765432", "message": "x" }),
    )
    .await;
    assert_eq!(
        (status, &answer["error"]),
        (StatusCode::BAD_REQUEST, &json!("CHANNEL_REQUIRED"))
    );
    let res = app
        .call(
            &admin,
            "admin/channels/api_default",
            &[("channel_id", &whapi.to_string()), ("on", "true")],
        )
        .await;
    // Meta takes free text only within 24 hours of the customer's last message; an unknown
    // channel is the seed's CHANNEL_NOT_FOUND.
    let (status, answer) = post(
        &app,
        "/send-message",
        &any.key,
        json!({ "to": "6281298765432", "message": "x", "channel": meta.to_string() }),
    )
    .await;
    assert_eq!(
        (status, &answer["error"]),
        (StatusCode::BAD_REQUEST, &json!("OUTSIDE_24H_WINDOW"))
    );
    let (status, answer) = post(
        &app,
        "/send-message",
        &any.key,
        json!({ "to": "6281298765432", "message": "x", "channel": "Surabaya" }),
    )
    .await;
    assert_eq!(
        (status, &answer["error"]),
        (StatusCode::NOT_FOUND, &json!("CHANNEL_NOT_FOUND"))
    );
    assert_eq!(res.status(), StatusCode::OK);
    let (status, answer) = post(
        &app,
        "/send-message",
        &any.key,
        json!({ "to": "6281298765432", "message": "x" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let chat_channel: i64 = sqlx::query_scalar("select channel_id from chat where chat_id = $1")
        .bind(answer["chatId"].as_i64().unwrap())
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(chat_channel, whapi);
}
