//! "Test connection" against mock servers answering in Meta's and Whapi's wire formats
//! (meta-cloud.md §15, whapi.md §3): each failure has its own kind.

use std::time::Duration;

use serde_json::json;
use whatsapp::{CheckFailure, MetaConfig, MetaProvider, Provider, WhapiConfig, WhapiProvider};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn meta_at(base: &str) -> MetaProvider {
    MetaProvider::new(
        MetaConfig {
            graph_url: base.into(),
            access_token: "meta-token".into(),
            phone_number_id: "106540352242922".into(),
            ..MetaConfig::default()
        },
        reqwest::Client::new(),
    )
}

fn whapi_at(base: &str) -> WhapiProvider {
    WhapiProvider::new(
        WhapiConfig {
            base_url: base.into(),
            token: "whapi-token".into(),
            ..WhapiConfig::default()
        },
        reqwest::Client::new(),
    )
}

async fn meta_answering(
    status: u16,
    body: serde_json::Value,
) -> Result<whatsapp::ConnectionInfo, CheckFailure> {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/106540352242922"))
        .and(query_param(
            "fields",
            "display_phone_number,verified_name,quality_rating,code_verification_status,status",
        ))
        .and(header("authorization", "Bearer meta-token"))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .expect(1)
        .mount(&server)
        .await;
    meta_at(&server.uri())
        .check(Duration::from_millis(500))
        .await
}

#[tokio::test]
async fn meta_connected_number() {
    let info = meta_answering(
        200,
        json!({ "display_phone_number": "+62 812-3450-0000", "verified_name": "Toko Sinar",
                "quality_rating": "GREEN", "code_verification_status": "VERIFIED",
                "status": "CONNECTED", "id": "106540352242922" }),
    )
    .await
    .unwrap();
    assert_eq!(info.display_phone.as_deref(), Some("+62 812-3450-0000"));
    assert_eq!(info.name.as_deref(), Some("Toko Sinar"));
    assert_eq!(info.quality.as_deref(), Some("GREEN"));
}

#[tokio::test]
async fn meta_wrong_token() {
    let err = meta_answering(
        400,
        json!({ "error": { "message": "Invalid OAuth access token - Cannot parse access token",
                           "type": "OAuthException", "code": 190, "fbtrace_id": "A9x" } }),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "wrong_token");
    assert!(err.detail().contains("Invalid OAuth access token"));
    // Observed with 401 too.
    let err = meta_answering(401, json!({ "error": { "message": "x", "code": 190 } }))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "wrong_token");
}

#[tokio::test]
async fn meta_wrong_number_id() {
    let err = meta_answering(
        400,
        json!({ "error": { "message": "Unsupported get request. Object with ID '106540352299999' does not exist",
                           "type": "GraphMethodException", "code": 100, "error_subcode": 33 } }),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "wrong_number");
}

#[tokio::test]
async fn meta_missing_permission_and_rate_limit() {
    let err = meta_answering(
        403,
        json!({ "error": { "message": "(#200) Permissions error", "code": 200 } }),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "missing_permission");
    let err = meta_answering(
        400,
        json!({ "error": { "message": "(#4) Application request limit reached", "code": 4 } }),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "rate_limited");
}

#[tokio::test]
async fn meta_number_not_connected() {
    let err = meta_answering(
        200,
        json!({ "display_phone_number": "15555555555", "verified_name": "Toko", "status": "PENDING" }),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err,
        CheckFailure::NotConnected {
            status: "PENDING".into()
        }
    );
}

#[tokio::test]
async fn meta_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let err = meta_at(&server.uri())
        .check(Duration::from_millis(500))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "timeout");
}

#[tokio::test]
async fn unreachable_host() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = meta_at(&format!("http://127.0.0.1:{port}"))
        .check(Duration::from_millis(500))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "unreachable");
    let err = whapi_at(&format!("http://127.0.0.1:{port}"))
        .check(Duration::from_millis(500))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "unreachable");
}

async fn whapi_answering(
    status: u16,
    body: serde_json::Value,
) -> Result<whatsapp::ConnectionInfo, CheckFailure> {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/health"))
        .and(header("authorization", "Bearer whapi-token"))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .expect(1)
        .mount(&server)
        .await;
    whapi_at(&server.uri())
        .check(Duration::from_millis(500))
        .await
}

#[tokio::test]
async fn whapi_authorised_channel() {
    let info = whapi_answering(
        200,
        json!({ "start_at": 1759990000, "uptime": 10000, "version": "1.8", "device_id": 11,
                "status": { "code": 4, "text": "AUTH" },
                "user": { "id": "6281234500000", "name": "Toko Sinar" } }),
    )
    .await
    .unwrap();
    assert_eq!(info.display_phone.as_deref(), Some("6281234500000"));
    assert_eq!(info.name.as_deref(), Some("Toko Sinar"));
    assert_eq!(info.status.as_deref(), Some("AUTH"));
}

#[tokio::test]
async fn whapi_waiting_for_qr_and_wrong_token() {
    let err = whapi_answering(200, json!({ "status": { "code": 3, "text": "QR" } }))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        CheckFailure::NotConnected {
            status: "QR".into()
        }
    );
    let err = whapi_answering(
        401,
        json!({ "error": { "code": 401, "message": "Unauthorized", "details": "Invalid token" } }),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "wrong_token");
    assert_eq!(err.detail(), "Unauthorized");
}

#[tokio::test]
async fn whapi_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let err = whapi_at(&server.uri())
        .check(Duration::from_millis(500))
        .await
        .unwrap_err();
    assert_eq!(err, CheckFailure::Timeout { seconds: 1 });
}
