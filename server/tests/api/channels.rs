//! Channels set up on the Channels page: added through the admin server functions against mock
//! providers speaking the real wire formats, tested ("Test connection"), reached by their own
//! webhook URLs (`channel_webhooks.rs`), and answered through their own provider. Agents cannot
//! touch any of it.

use crate::helpers::{test_config, TestApp};
use model::{ChannelHealth, ChannelView, Role};
use reqwest::{Client, StatusCode};
use serde_json::json;
use sqlx::PgPool;
use std::time::Duration;
use test_support::signature::meta_signature;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub(crate) const TOKEN_A: &str = "EAAG-secret-token-of-number-A";
pub(crate) const TOKEN_B: &str = "EAAG-secret-token-of-number-B";
const APP_SECRET: &str = "app-secret-of-the-admins-app";
pub(crate) const WHAPI_TOKEN: &str = "whapi-secret-token-0123456789";
pub(crate) const NUMBER_A: &str = "111111111111111";
pub(crate) const NUMBER_B: &str = "222222222222222";

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

pub(crate) async fn saved(res: reqwest::Response) -> ChannelView {
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
