//! Meta `send_text` against a local mock HTTP server (wiremock): request shape,
//! receipts, and the retryable/permanent error mapping; read receipts and typing
//! (meta-cloud.md §5.5).

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use whatsapp::{
    Capabilities, MetaConfig, MetaProvider, Provider, Recipient, SendErrorKind, WhapiConfig,
    WhapiProvider,
};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PNID: &str = "106540352242922";
const TOKEN: &str = "EAAG-test-token";
const WAMID: &str = "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA";

fn meta_at(base: &str) -> MetaProvider {
    MetaProvider::new(
        MetaConfig {
            graph_url: format!("{base}/v25.0/"),
            access_token: TOKEN.into(),
            phone_number_id: PNID.into(),
            business_account_id: "102290129340398".into(),
            app_secret: "s".into(),
            verify_token: "v".into(),
        },
        reqwest::Client::new(),
    )
}

fn graph_error(code: i64, message: &str, details: &str) -> serde_json::Value {
    // Shape per meta-cloud.md §6.1.
    json!({ "error": {
        "message": message, "type": "OAuthException", "code": code,
        "error_data": { "messaging_product": "whatsapp", "details": details },
        "fbtrace_id": "Az8or2yhqkZfEZ-_4Qn_Bam"
    }})
}

async fn meta_error(status: u16, body: Option<serde_json::Value>) -> whatsapp::SendError {
    let server = MockServer::start().await;
    let mut resp = ResponseTemplate::new(status);
    if let Some(b) = body {
        resp = resp.set_body_json(b);
    }
    Mock::given(method("POST"))
        .and(path(format!("/v25.0/{PNID}/messages")))
        .respond_with(resp)
        .expect(1)
        .mount(&server)
        .await;
    meta_at(&server.uri())
        .send_text(&Recipient::phone("6281298765432"), "Halo", "outbox-1")
        .await
        .unwrap_err()
}

#[tokio::test]
async fn meta_success_sends_the_documented_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v25.0/{PNID}/messages")))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "+6281298765432",
            "type": "text",
            "text": { "preview_url": false, "body": "Baik Kak Rina, kami cek dulu ya." },
            "biz_opaque_callback_data": "outbox-42"
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messaging_product": "whatsapp",
            "contacts": [{ "input": "+6281298765432", "wa_id": "6281298765432" }],
            "messages": [{ "id": WAMID }]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let p: Arc<dyn Provider> = Arc::new(meta_at(&server.uri()));
    let receipt = p
        .send_text(
            &Recipient::phone("6281298765432"),
            "Baik Kak Rina, kami cek dulu ya.",
            "outbox-42",
        )
        .await
        .unwrap();
    assert_eq!(receipt.provider_message_id, WAMID);
}

#[tokio::test]
async fn meta_bsuid_recipient_uses_recipient_field() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_json(json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "recipient": "ID.13491208655302741918",
            "type": "text",
            "text": { "preview_url": false, "body": "Bisa kak" }
        })))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"messages": [{"id": "wamid.B"}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let r = meta_at(&server.uri())
        .send_text(
            &Recipient::user_id("ID.13491208655302741918"),
            "Bisa kak",
            "",
        )
        .await
        .unwrap();
    assert_eq!(r.provider_message_id, "wamid.B");
}

#[tokio::test]
async fn meta_131047_is_permanent_with_provider_message() {
    let e = meta_error(400, Some(graph_error(131047, "(#131047) Re-engagement message",
        "Message failed to send because more than 24 hours have passed since the customer last replied to this number."))).await;
    assert_eq!(e.kind, SendErrorKind::Permanent);
    assert_eq!(e.code.as_deref(), Some("131047"));
    assert_eq!(e.reason, "(#131047) Re-engagement message");
    assert!(e.detail.as_deref().unwrap().contains("24 hours"));
    assert_eq!(e.http_status, Some(400));
    assert!(!e.maybe_sent);
    assert_eq!(e.retry_after, None);
}

#[tokio::test]
async fn meta_rate_limits_are_retryable() {
    let e = meta_error(
        400,
        Some(graph_error(
            130429,
            "(#130429) Rate limit hit",
            "Cloud API message throughput has been reached.",
        )),
    )
    .await;
    assert_eq!(e.kind, SendErrorKind::Retryable);
    assert_eq!(e.code.as_deref(), Some("130429"));
    assert_eq!(e.reason, "(#130429) Rate limit hit");

    let e = meta_error(
        400,
        Some(graph_error(
            131056,
            "(#131056) (Business Account, Consumer Account) pair rate limit hit",
            "",
        )),
    )
    .await;
    assert!(e.is_retryable());
    assert_eq!(e.retry_after, Some(Duration::from_secs(6)));

    let e = meta_error(500, Some(graph_error(131000, "Something went wrong", ""))).await;
    assert!(e.is_retryable());
}

#[tokio::test]
async fn meta_code_wins_over_http_status() {
    // A documented permanent code stays permanent even on a 5xx...
    let e = meta_error(
        503,
        Some(graph_error(131026, "(#131026) Message Undeliverable", "")),
    )
    .await;
    assert_eq!(e.kind, SendErrorKind::Permanent);
    // ...and invalid-parameter errors are permanent.
    for code in [100, 131008, 131009, 131021] {
        let e = meta_error(400, Some(graph_error(code, "(#100) Invalid parameter", ""))).await;
        assert_eq!(e.kind, SendErrorKind::Permanent, "code {code}");
        assert_eq!(e.code, Some(code.to_string()));
    }
}

#[tokio::test]
async fn meta_http_500_is_retryable() {
    let e = meta_error(500, None).await;
    assert_eq!(e.kind, SendErrorKind::Retryable);
    assert_eq!(e.code.as_deref(), Some("500"));
    assert!(e.maybe_sent, "a 5xx may still have been processed");
}

#[tokio::test]
async fn meta_auth_errors_are_permanent() {
    let e = meta_error(
        401,
        Some(graph_error(
            190,
            "Error validating access token: Session has expired",
            "",
        )),
    )
    .await;
    assert_eq!(e.kind, SendErrorKind::Permanent);
    assert_eq!(e.code.as_deref(), Some("190"));
    assert!(e.reason.contains("access token"));

    let e = meta_error(401, None).await;
    assert_eq!(e.kind, SendErrorKind::Permanent);
    assert_eq!(e.code.as_deref(), Some("401"));
    let e = meta_error(403, None).await;
    assert_eq!(e.kind, SendErrorKind::Permanent);
}

#[tokio::test]
async fn meta_429_without_code_honours_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "12"))
        .mount(&server)
        .await;
    let e = meta_at(&server.uri())
        .send_text(&Recipient::phone("6281298765432"), "Halo", "k")
        .await
        .unwrap_err();
    assert!(e.is_retryable());
    assert_eq!(e.retry_after, Some(Duration::from_secs(12)));
}

#[tokio::test]
async fn connection_refused_is_retryable_and_not_sent() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let base = format!("http://127.0.0.1:{port}");
    let e = meta_at(&base)
        .send_text(&Recipient::phone("6281298765432"), "Halo", "k")
        .await
        .unwrap_err();
    assert_eq!(e.kind, SendErrorKind::Retryable, "{e}");
    assert!(!e.maybe_sent);
    assert_eq!(e.code, None);

    let whapi = WhapiProvider::new(
        WhapiConfig {
            base_url: base,
            ..WhapiConfig::default()
        },
        reqwest::Client::new(),
    );
    let e = whapi
        .send_text(&Recipient::phone("6281298765432"), "Halo", "k")
        .await
        .unwrap_err();
    assert_eq!(e.kind, SendErrorKind::Retryable, "{e}");
}

#[tokio::test]
async fn timeout_is_retryable_and_maybe_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let p = meta_at(&server.uri()).with_timeout(Duration::from_millis(200));
    let e = p
        .send_text(&Recipient::phone("6281298765432"), "Halo", "k")
        .await
        .unwrap_err();
    assert_eq!(e.kind, SendErrorKind::Retryable, "{e}");
    assert!(e.maybe_sent);
    assert!(e.reason.contains("timed out"), "{}", e.reason);
}

#[tokio::test]
async fn invalid_input_never_reaches_the_provider() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let p = meta_at(&server.uri());
    let too_long = "a".repeat(whatsapp::MAX_TEXT_CHARS + 1);
    for (to, text) in [
        (Recipient::phone("6281298765432"), too_long.as_str()),
        (Recipient::phone("6281298765432"), "  "),
        (Recipient::default(), "Halo"),
        (Recipient::phone("0812-9876"), "Halo"),
    ] {
        let e = p.send_text(&to, text, "k").await.unwrap_err();
        assert_eq!(e.kind, SendErrorKind::Permanent, "{to:?}");
        assert!(!e.maybe_sent);
    }
}

#[tokio::test]
async fn meta_2xx_without_id_is_permanent_but_maybe_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&server)
        .await;
    let e = meta_at(&server.uri())
        .send_text(&Recipient::phone("6281298765432"), "Halo", "k")
        .await
        .unwrap_err();
    assert_eq!(e.kind, SendErrorKind::Permanent);
    assert!(e.maybe_sent);
}

// Read receipts and typing (meta-cloud.md §5.5).

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
            typing_stops: false,
            media: true,
            quotes: true,
            templates: true,
            interactive: true,
            reactions: true,
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
