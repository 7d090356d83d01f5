//! Channels set up on the Channels page: added through the admin server functions against mock
//! providers speaking the real wire formats, tested ("Test connection"), reached by their own
//! webhook URLs, and answered through their own provider. Agents cannot touch any of it.

use crate::helpers::{test_config, TestApp, META};
use model::{ChannelHealth, ChannelView, Role};
use reqwest::{Client, StatusCode};
use serde_json::json;
use sqlx::PgPool;
use std::time::Duration;
use test_support::bodies::MetaFixture;
use test_support::signature::meta_signature;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub(crate) const TOKEN_A: &str = "EAAG-secret-token-of-number-A";
const TOKEN_B: &str = "EAAG-secret-token-of-number-B";
const APP_SECRET: &str = "app-secret-of-the-admins-app";
const WHAPI_TOKEN: &str = "whapi-secret-token-0123456789";
pub(crate) const NUMBER_A: &str = "111111111111111";
const NUMBER_B: &str = "222222222222222";

/// A Graph mock that knows one number (its token, its display data) and takes its sends.
pub(crate) async fn mount_meta_number(mock: &MockServer, number: &str, token: &str, name: &str) {
    Mock::given(method("GET"))
        .and(path(format!("/{number}")))
        .and(header("authorization", format!("Bearer {token}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "display_phone_number": "+62 812-3450-0000", "verified_name": name,
            "quality_rating": "GREEN", "code_verification_status": "VERIFIED",
            "status": "CONNECTED", "id": number })))
        .mount(mock)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/{number}/messages")))
        .and(header("authorization", format!("Bearer {token}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messaging_product": "whatsapp",
            "contacts": [{ "input": "+6281298765432", "wa_id": "6281298765432" }],
            "messages": [{ "id": format!("wamid.from-{number}") }] })))
        .mount(mock)
        .await;
}

/// The Graph answer to a token it does not know (meta-cloud.md §15.2).
pub(crate) async fn mount_meta_errors(mock: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/333333333333333"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({ "error": {
            "message": "Unsupported get request. Object with ID '333333333333333' does not exist",
            "type": "GraphMethodException", "code": 100, "error_subcode": 33 } })))
        .mount(mock)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({ "error": {
            "message": "Invalid OAuth access token - Cannot parse access token",
            "type": "OAuthException", "code": 190 } })))
        .mount(mock)
        .await;
}

pub(crate) async fn add_meta(
    app: &TestApp,
    admin: &Client,
    graph: &str,
    name: &str,
    number: &str,
    token: &str,
) -> reqwest::Response {
    app.call(
        admin,
        "admin/channels/save",
        &[
            ("kind", "meta"),
            ("name", name),
            ("phone_number_id", number),
            ("business_account_id", "102290129340398"),
            ("graph_url", graph),
            ("access_token", token),
            ("app_secret", APP_SECRET),
        ],
    )
    .await
}

async fn saved(res: reqwest::Response) -> ChannelView {
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    for secret in [TOKEN_A, TOKEN_B, APP_SECRET, WHAPI_TOKEN] {
        assert!(
            !text.contains(secret),
            "a secret went to the browser: {text}"
        );
    }
    serde_json::from_str(&text).unwrap()
}

fn failure(view: &ChannelView) -> &str {
    match &view.health {
        ChannelHealth::Failed { failure, .. } => failure,
        other => panic!("expected a failed test, got {other:?}"),
    }
}

/// A signed Meta webhook posted to a channel's own URL.
pub(crate) async fn post_to(app: &TestApp, webhook_path: &str, body: Vec<u8>) -> StatusCode {
    Client::new()
        .post(app.url(webhook_path))
        .header("content-type", "application/json")
        .header("x-hub-signature-256", meta_signature(APP_SECRET, &body))
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_admin_adds_channels_and_tests_them(pool: PgPool) {
    let mock = MockServer::start().await;
    mount_meta_number(&mock, NUMBER_A, TOKEN_A, "Toko Sinar").await;
    Mock::given(method("GET"))
        .and(path("/health"))
        .and(header(
            "authorization",
            format!("Bearer {WHAPI_TOKEN}").as_str(),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": { "code": 4, "text": "AUTH" },
            "user": { "id": "6281234500000", "name": "Toko Whapi" } })))
        .mount(&mock)
        .await;
    mount_meta_errors(&mock).await;
    let app = TestApp::spawn_with(pool, test_config()).await;
    let (admin, _) = app.signed_in("admin", Role::Admin).await;

    let meta =
        saved(add_meta(&app, &admin, &mock.uri(), "CS Jakarta", NUMBER_A, TOKEN_A).await).await;
    match &meta.health {
        ChannelHealth::Connected { summary, .. } => {
            assert_eq!(summary, "Toko Sinar, +62 812-3450-0000, GREEN")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(meta.display_phone.as_deref(), Some("+62 812-3450-0000"));
    assert!(!meta.from_env && meta.enabled);
    let hint = meta
        .secrets
        .iter()
        .find(|s| s.field == "access_token")
        .unwrap();
    assert_eq!(
        hint.last4.as_deref(),
        Some("er-A"),
        "only the last four characters"
    );
    let path = meta.webhook_path.clone().unwrap();
    assert!(path.starts_with("/webhooks/") && path.len() > "/webhooks/".len() + 40);

    let whapi = saved(
        app.call(
            &admin,
            "admin/channels/save",
            &[
                ("kind", "whapi"),
                ("name", "CS Bandung"),
                ("base_url", &mock.uri()),
                ("token", WHAPI_TOKEN),
            ],
        )
        .await,
    )
    .await;
    assert!(
        matches!(whapi.health, ChannelHealth::Connected { .. }),
        "{:?}",
        whapi.health
    );

    // Each failure has its own message.
    let wrong_token = saved(
        add_meta(
            &app,
            &admin,
            &mock.uri(),
            "Wrong token",
            "444444444444444",
            "nope",
        )
        .await,
    )
    .await;
    assert_eq!(failure(&wrong_token), "wrong_token");
    let wrong_number = saved(
        add_meta(
            &app,
            &admin,
            &mock.uri(),
            "Wrong id",
            "333333333333333",
            TOKEN_A,
        )
        .await,
    )
    .await;
    assert_eq!(failure(&wrong_number), "wrong_number");
    let slow = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&slow)
        .await;
    let timeout = saved(
        add_meta(
            &app,
            &admin,
            &slow.uri(),
            "Slow",
            "555555555555555",
            TOKEN_A,
        )
        .await,
    )
    .await;
    assert_eq!(failure(&timeout), "timeout");
    let unreachable = saved(
        add_meta(
            &app,
            &admin,
            "http://127.0.0.1:9",
            "Gone",
            "666666666666666",
            TOKEN_A,
        )
        .await,
    )
    .await;
    assert_eq!(failure(&unreachable), "unreachable");

    // Editing with the secrets left empty keeps them (and tests again).
    let edited = saved(
        app.call(
            &admin,
            "admin/channels/save",
            &[
                ("channel_id", &meta.channel_id.to_string()),
                ("kind", "meta"),
                ("name", "CS Jakarta Pusat"),
                ("phone_number_id", NUMBER_A),
                ("graph_url", &mock.uri()),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(edited.name, "CS Jakarta Pusat");
    assert!(
        matches!(edited.health, ChannelHealth::Connected { .. }),
        "{:?}",
        edited.health
    );

    let res = app.call(&admin, "admin/channels/list", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    assert!(!text.contains(TOKEN_A) && !text.contains(APP_SECRET) && !text.contains(WHAPI_TOKEN));
    let page: model::ChannelsPage = serde_json::from_str(&text).unwrap();
    assert_eq!(page.channels.len(), 7, "the sandbox and six added");
    assert_eq!(
        page.base_url, app.base,
        "webhook URLs start where the page was asked for"
    );

    // Agents can neither see nor change any of it.
    let (agent, _) = app.signed_in("agent", Role::Agent).await;
    for (endpoint, form) in [
        ("admin/channels/list", vec![]),
        (
            "admin/channels/save",
            vec![("kind", "whapi"), ("name", "x"), ("token", "t")],
        ),
        ("admin/channels/test", vec![("channel_id", "1")]),
        ("admin/channels/delete", vec![("channel_id", "1")]),
    ] {
        let res = app.call(&agent, endpoint, &form).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{endpoint}");
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn two_meta_channels_keep_their_chats_and_reply_through_their_own_number(pool: PgPool) {
    let mock = MockServer::start().await;
    mount_meta_number(&mock, NUMBER_A, TOKEN_A, "Toko A").await;
    mount_meta_number(&mock, NUMBER_B, TOKEN_B, "Toko B").await;
    let app = TestApp::spawn_with(pool, test_config()).await;
    let (admin, _) = app.signed_in("admin", Role::Admin).await;
    let a = saved(add_meta(&app, &admin, &mock.uri(), "Nomor A", NUMBER_A, TOKEN_A).await).await;
    let b = saved(add_meta(&app, &admin, &mock.uri(), "Nomor B", NUMBER_B, TOKEN_B).await).await;
    let on = |number: &'static str| MetaFixture {
        phone_number_id: number,
        ..META
    };

    // The same customer writes to both numbers.
    let a_path = a.webhook_path.clone().unwrap();
    let b_path = b.webhook_path.clone().unwrap();
    assert_eq!(
        post_to(
            &app,
            &a_path,
            on(NUMBER_A).text("6281298765432", "wamid.to-a", "halo A")
        )
        .await,
        StatusCode::OK
    );
    assert_eq!(
        post_to(
            &app,
            &b_path,
            on(NUMBER_B).text("6281298765432", "wamid.to-b", "halo B")
        )
        .await,
        StatusCode::OK
    );
    let chats: Vec<(i64, i64, String)> = sqlx::query_as(
        "select c.chat_id, c.channel_id, m.body from chat c join message m using (chat_id) order by m.message_id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(chats.len(), 2);
    assert_eq!(
        (chats[0].1, chats[0].2.as_str()),
        (a.channel_id.0, "halo A")
    );
    assert_eq!(
        (chats[1].1, chats[1].2.as_str()),
        (b.channel_id.0, "halo B")
    );
    assert_ne!(chats[0].0, chats[1].0, "one chat per channel");

    // Replies leave through their chat's number.
    for (chat, _, _) in &chats {
        assert_eq!(
            app.reply(&admin, *chat, "baik").await.status(),
            StatusCode::OK
        );
    }
    app.drain_outbox().await;
    let sent: Vec<String> = mock
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST")
        .map(|r| {
            format!(
                "{} {}",
                r.url.path(),
                r.headers["authorization"].to_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        sent,
        [
            format!("/{NUMBER_A}/messages Bearer {TOKEN_A}"),
            format!("/{NUMBER_B}/messages Bearer {TOKEN_B}")
        ]
    );

    // A body for B posted to A's URL is not A's: it lands in B's channel, not A's.
    assert_eq!(
        post_to(
            &app,
            &a_path,
            on(NUMBER_B).text("6281298765439", "wamid.b-via-a", "lewat A")
        )
        .await,
        StatusCode::OK
    );
    let channel: i64 = sqlx::query_scalar("select channel_id from message where body = 'lewat A'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(channel, b.channel_id.0);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn forged_and_unkeyed_webhooks_are_refused(pool: PgPool) {
    let mock = MockServer::start().await;
    mount_meta_number(&mock, NUMBER_A, TOKEN_A, "Toko A").await;
    Mock::given(method("GET"))
        .and(path("/health"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "status": { "text": "AUTH" } })),
        )
        .mount(&mock)
        .await;
    let app = TestApp::spawn_with(pool, test_config()).await;
    let (admin, _) = app.signed_in("admin", Role::Admin).await;
    let meta = saved(add_meta(&app, &admin, &mock.uri(), "Nomor A", NUMBER_A, TOKEN_A).await).await;
    let whapi = saved(
        app.call(
            &admin,
            "admin/channels/save",
            &[
                ("kind", "whapi"),
                ("name", "CS Whapi"),
                ("base_url", &mock.uri()),
                ("token", WHAPI_TOKEN),
            ],
        )
        .await,
    )
    .await;
    let body = MetaFixture {
        phone_number_id: NUMBER_A,
        ..META
    }
    .text("6281298765432", "wamid.forged", "transfer ke rekening lain");
    let client = Client::new();
    let meta_path = meta.webhook_path.unwrap();
    // No signature, a wrong one: refused.
    let unsigned = client
        .post(app.url(&meta_path))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    let forged = client
        .post(app.url(&meta_path))
        .header(
            "x-hub-signature-256",
            meta_signature("not-the-secret", &body),
        )
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    // A key that no channel has: refused, whatever the body.
    let guessed = client
        .post(app.url("/webhooks/0123456789abcdef"))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(guessed.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.count("select count(*) from message").await, 0);

    // Whapi: the URL's key is the secret.
    let whapi_path = whapi.webhook_path.unwrap();
    let fixture = crate::helpers::fixture("whapi_text.json");
    let res = client
        .post(app.url(&whapi_path))
        .body(fixture.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let chopped = &whapi_path[..whapi_path.len() - 1];
    let res = client
        .post(app.url(chopped))
        .body(fixture)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let channel: i64 = sqlx::query_scalar("select channel_id from message")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(channel, whapi.channel_id.0);

    // Meta's handshake on the channel's URL takes the channel's verify token.
    let Some(model::ChannelConfig::Meta { verify_token, .. }) = meta.config else {
        panic!("a Meta config");
    };
    let res = client
        .get(app.url(&format!(
            "{meta_path}?hub.mode=subscribe&hub.verify_token={verify_token}&hub.challenge=42"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.unwrap(), "42");
    let res = client
        .get(app.url(&format!(
            "{meta_path}?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=42"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_disabled_channel_stores_webhooks_but_does_not_send_and_one_with_chats_is_not_deleted(
    pool: PgPool,
) {
    let mock = MockServer::start().await;
    mount_meta_number(&mock, NUMBER_A, TOKEN_A, "Toko A").await;
    let app = TestApp::spawn_with(pool, test_config()).await;
    let (admin, _) = app.signed_in("admin", Role::Admin).await;
    let meta = saved(add_meta(&app, &admin, &mock.uri(), "Nomor A", NUMBER_A, TOKEN_A).await).await;
    let id = meta.channel_id.to_string();
    let off = saved(
        app.call(
            &admin,
            "admin/channels/enable",
            &[("channel_id", &id), ("enabled", "false")],
        )
        .await,
    )
    .await;
    assert!(!off.enabled);
    let body = MetaFixture {
        phone_number_id: NUMBER_A,
        ..META
    }
    .text("6281298765432", "wamid.while-off", "halo");
    assert_eq!(
        post_to(&app, &meta.webhook_path.unwrap(), body).await,
        StatusCode::OK
    );
    let chat: i64 = sqlx::query_scalar("select chat_id from chat")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        app.reply(&admin, chat, "dibalas").await.status(),
        StatusCode::OK
    );
    app.drain_outbox().await;
    let reason: String = sqlx::query_scalar(
        "select error_reason from message where body = 'dibalas' and status = 'failed'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(reason.contains("disabled"), "{reason}");
    let posts = mock
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "POST")
        .count();
    assert_eq!(posts, 0, "nothing sent through a disabled channel");

    let res = app
        .call(&admin, "admin/channels/delete", &[("channel_id", &id)])
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let text = res.text().await.unwrap();
    assert!(text.contains("channel_has_chats"), "{text}");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_bot_answers_on_one_channel_and_is_silent_on_another_whose_switch_is_off(pool: PgPool) {
    let mock = MockServer::start().await;
    mount_meta_number(&mock, NUMBER_A, TOKEN_A, "Toko A").await;
    mount_meta_number(&mock, NUMBER_B, TOKEN_B, "Toko B").await;
    let app = TestApp::spawn_with(pool, test_config()).await;
    let (admin, _) = app.signed_in("admin", Role::Admin).await;
    let res = app
        .call(
            &admin,
            "admin/bot/save_rule",
            &[
                ("keyword", "ongkir"),
                ("match_type", "contains"),
                ("reply", "Ongkir mulai 9rb"),
                ("enabled", "on"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let a = saved(add_meta(&app, &admin, &mock.uri(), "Nomor A", NUMBER_A, TOKEN_A).await).await;
    let b = saved(add_meta(&app, &admin, &mock.uri(), "Nomor B", NUMBER_B, TOKEN_B).await).await;
    let quiet = saved(
        app.call(
            &admin,
            "admin/channels/settings",
            &[
                ("channel_id", &b.channel_id.to_string()),
                ("read_receipts", "true"),
                ("typing", "true"),
                ("bot", "false"),
                ("reply_delay_secs", "0"),
            ],
        )
        .await,
    )
    .await;
    assert!(!quiet.settings.bot);
    let res = app
        .call(
            &admin,
            "admin/channels/settings",
            &[
                ("channel_id", &b.channel_id.to_string()),
                ("read_receipts", "true"),
                ("typing", "true"),
                ("bot", "true"),
                ("reply_delay_secs", "11"),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a delay over 10 s"
    );

    for (view, number, wamid) in [(&a, NUMBER_A, "wamid.bot-a"), (&b, NUMBER_B, "wamid.bot-b")] {
        let body = MetaFixture {
            phone_number_id: number,
            ..META
        }
        .text("6281298765432", wamid, "berapa ongkir?");
        assert_eq!(
            post_to(&app, view.webhook_path.as_deref().unwrap(), body).await,
            StatusCode::OK
        );
    }
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "select c.channel_id, c.mode, (select count(*) from message m where m.chat_id = c.chat_id and m.sender_kind = 'bot')
           from chat c order by c.channel_id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        rows,
        [
            (a.channel_id.0, "bot".to_string(), 1),
            (b.channel_id.0, "agent".to_string(), 0)
        ],
        "A's bot answers; B's chat waits for a human"
    );
}
