//! Read receipts and typing indicators against local mock servers speaking each provider's
//! wire format (meta-cloud.md §5.5, whapi.md §8.3–8.4).

use serde_json::json;
use whatsapp::{
    Capabilities, MetaConfig, MetaProvider, Provider, Recipient, SendErrorKind, WhapiConfig,
    WhapiProvider,
};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PNID: &str = "106540352242922";
const WAMID: &str = "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA";

fn meta_at(base: &str) -> MetaProvider {
    MetaProvider::new(
        MetaConfig {
            graph_url: format!("{base}/v25.0/"),
            access_token: "EAAG-test-token".into(),
            phone_number_id: PNID.into(),
            business_account_id: "102290129340398".into(),
            app_secret: "s".into(),
            verify_token: "v".into(),
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

#[tokio::test]
async fn meta_marks_read_and_types_through_the_read_call() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v25.0/{PNID}/messages")))
        .and(header("authorization", "Bearer EAAG-test-token"))
        .and(body_json(json!({
            "messaging_product": "whatsapp", "status": "read", "message_id": WAMID
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "success": true })))
        .expect(1)
        .named("read")
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v25.0/{PNID}/messages")))
        .and(body_json(json!({
            "messaging_product": "whatsapp", "status": "read", "message_id": WAMID,
            "typing_indicator": { "type": "text" }
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "success": true })))
        .expect(1)
        .named("typing")
        .mount(&server)
        .await;
    let meta = meta_at(&server.uri());
    let to = Recipient::phone("6281298765432");
    assert_eq!(
        meta.capabilities(),
        Capabilities {
            read_receipts: true,
            typing: true,
            typing_stops: false
        }
    );
    meta.mark_read(&to, WAMID).await.unwrap();
    meta.typing(&to, WAMID, true).await.unwrap();
    // Meta's indicator cannot be taken away: nothing is sent.
    meta.typing(&to, WAMID, false).await.unwrap();
}

#[tokio::test]
async fn meta_read_errors_map_like_sends() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).set_body_string("upstream down"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({ "error": {
            "message": "Invalid parameter", "type": "OAuthException", "code": 100,
            "fbtrace_id": "x" } })))
        .mount(&server)
        .await;
    let meta = meta_at(&server.uri());
    let to = Recipient::phone("6281298765432");
    let e = meta.mark_read(&to, WAMID).await.unwrap_err();
    assert_eq!(e.kind, SendErrorKind::Retryable, "{e:?}");
    let e = meta.mark_read(&to, WAMID).await.unwrap_err();
    assert_eq!(e.kind, SendErrorKind::Permanent, "{e:?}");
    assert_eq!(e.code.as_deref(), Some("100"));
}

#[tokio::test]
async fn whapi_marks_read_and_sets_presence() {
    let server = MockServer::start().await;
    // The id goes into the path as one segment, percent-encoded.
    Mock::given(method("PUT"))
        .and(path("/messages/PsqXn5SAD5v7HRA-wHqB9tMeGQ%2Fab"))
        .and(header("authorization", "Bearer whapi-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "success": true })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/presences/6281298765432"))
        .and(body_json(json!({ "presence": "typing" })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "contacts": [] })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/presences/6281298765432"))
        .and(body_json(json!({ "presence": "pause" })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "contacts": [] })))
        .expect(1)
        .mount(&server)
        .await;
    let whapi = whapi_at(&server.uri());
    let to = Recipient::phone("6281298765432");
    assert!(whapi.capabilities().typing_stops);
    whapi
        .mark_read(&to, "PsqXn5SAD5v7HRA-wHqB9tMeGQ/ab")
        .await
        .unwrap();
    whapi.typing(&to, "ignored", true).await.unwrap();
    whapi.typing(&to, "ignored", false).await.unwrap();
}

#[tokio::test]
async fn whapi_read_of_a_gone_message_is_done_and_401_is_permanent() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/messages/gone"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({ "error": {
            "code": 404, "message": "Message not found" } })))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/messages/locked"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({ "error": {
            "code": 401, "message": "Unauthorized", "details": "Channel is not authorized" } })))
        .mount(&server)
        .await;
    let whapi = whapi_at(&server.uri());
    let to = Recipient::phone("6281298765432");
    whapi.mark_read(&to, "gone").await.unwrap();
    let e = whapi.mark_read(&to, "locked").await.unwrap_err();
    assert_eq!(e.kind, SendErrorKind::Permanent);
    assert_eq!(e.reason, "Unauthorized");
}

#[tokio::test]
async fn providers_without_receipts_say_so() {
    let qontak = whatsapp::QontakProvider::new(Default::default());
    assert_eq!(qontak.capabilities(), Capabilities::default());
    let e = qontak
        .mark_read(&Recipient::phone("6281298765432"), "x")
        .await
        .unwrap_err();
    assert_eq!(e.kind, SendErrorKind::Permanent);
}
