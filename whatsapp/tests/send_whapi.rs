//! Whapi `send_text` against a local mock HTTP server, and the providers
//! whose sending is not implemented; read receipts and typing (whapi.md §8.3–8.4).

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use whatsapp::{
    Capabilities, GatewayProvider, Provider, QontakProvider, Recipient, SendErrorKind,
    WahaProvider, WhapiConfig, WhapiProvider,
};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

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
async fn whapi_success() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/messages/text"))
        .and(header("authorization", "Bearer whapi-token"))
        .and(body_json(json!({ "to": "6281298765432", "body": "Baik Kak Rina, kami cek dulu ya." })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "sent": true,
            "message": { "id": "yqJRppZk7BI-wNoTwl0rVw", "from_me": true, "type": "text",
                         "chat_id": "6281298765432@s.whatsapp.net", "timestamp": 1760000060,
                         "source": "api", "status": "pending",
                         "text": { "body": "Baik Kak Rina, kami cek dulu ya." }, "from": "6281234500000" }
        })))
        .expect(1)
        .mount(&server)
        .await;
    let r = whapi_at(&server.uri())
        .send_text(
            &Recipient::phone("+6281298765432"),
            "Baik Kak Rina, kami cek dulu ya.",
            "ignored",
        )
        .await
        .unwrap();
    assert_eq!(r.provider_message_id, "yqJRppZk7BI-wNoTwl0rVw");
}

async fn whapi_error(status: u16, body: serde_json::Value) -> whatsapp::SendError {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/messages/text"))
        .respond_with(
            ResponseTemplate::new(status)
                .set_body_json(body)
                .insert_header("Retry-After", "7"),
        )
        .expect(1)
        .mount(&server)
        .await;
    whapi_at(&server.uri())
        .send_text(&Recipient::phone("6281298765432"), "Halo", "k")
        .await
        .unwrap_err()
}

#[tokio::test]
async fn whapi_4xx_is_permanent() {
    let e = whapi_error(
        401,
        json!({ "error": { "code": 401, "message": "Unauthorized",
        "details": "Channel is not authorized. Scan the QR code to log in." } }),
    )
    .await;
    assert_eq!(e.kind, SendErrorKind::Permanent);
    assert_eq!(e.code.as_deref(), Some("401"));
    assert_eq!(e.reason, "Unauthorized");
    assert_eq!(
        e.detail.as_deref(),
        Some("Channel is not authorized. Scan the QR code to log in.")
    );
    assert_eq!(e.retry_after, None);

    for status in [400, 402, 403, 413] {
        let e = whapi_error(
            status,
            json!({ "error": { "code": status, "message": "nope" } }),
        )
        .await;
        assert_eq!(e.kind, SendErrorKind::Permanent, "{status}");
    }
}

#[tokio::test]
async fn whapi_429_and_5xx_are_retryable() {
    let e = whapi_error(
        429,
        json!({ "error": { "code": 429, "message": "Too many requests" } }),
    )
    .await;
    assert_eq!(e.kind, SendErrorKind::Retryable);
    assert_eq!(e.retry_after, Some(Duration::from_secs(7)));
    assert!(!e.maybe_sent);

    let e = whapi_error(
        500,
        json!({ "error": { "code": 500, "message": "Server error" } }),
    )
    .await;
    assert_eq!(e.kind, SendErrorKind::Retryable);
    assert_eq!(e.reason, "Server error");
    assert!(e.maybe_sent);
}

#[tokio::test]
async fn unsupported_providers_refuse_to_send() {
    let ps: Vec<Arc<dyn Provider>> = vec![
        Arc::new(QontakProvider::default()),
        Arc::new(WahaProvider::default()),
        Arc::new(GatewayProvider::default()),
    ];
    for p in ps {
        let e = p
            .send_text(&Recipient::phone("6281298765432"), "Halo", "k")
            .await
            .unwrap_err();
        assert_eq!(e.kind, SendErrorKind::Permanent);
        assert!(e.reason.contains("not supported yet"), "{}", e.reason);
    }
}

// Read receipts and typing (whapi.md §8.3–8.4).

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

/// Taking a reaction back (unconfirmed in whapi.md): `DELETE /messages/{id}/reaction`, and
/// where Whapi does not know that route, the documented PUT with an empty emoji.
#[tokio::test]
async fn whapi_takes_a_reaction_back_by_delete_or_an_empty_put() {
    let take_back = || whatsapp::Outgoing {
        content: whatsapp::Content::Reaction {
            message_id: "in-1".into(),
            emoji: String::new(),
        },
        reply_to: None,
    };
    let to = Recipient::phone("6281298765432");
    // The DELETE is known: nothing else is sent.
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/messages/in-1/reaction"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "success": true })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "success": true })))
        .expect(0)
        .mount(&server)
        .await;
    whapi_at(&server.uri())
        .send(&to, &take_back(), "k1")
        .await
        .unwrap();
    drop(server);
    // The DELETE is not a route there: the empty PUT instead.
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({ "error": { "code": 404, "message": "Not found" } })),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/messages/in-1/reaction"))
        .and(body_json(json!({ "emoji": "" })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "success": true })))
        .expect(1)
        .mount(&server)
        .await;
    whapi_at(&server.uri())
        .send(&to, &take_back(), "k2")
        .await
        .unwrap();
}
