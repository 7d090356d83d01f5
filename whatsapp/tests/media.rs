//! Downloading a customer's media against local mock servers speaking Meta's and Whapi's wire
//! formats (meta-cloud.md §11.3, whapi.md §8.6): the token where it belongs, checksums, sizes,
//! expired media.

use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha256};
use whatsapp::{
    MediaError, MediaRef, MetaConfig, MetaProvider, Provider, WhapiConfig, WhapiProvider,
};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const PNID: &str = "106540352242922";
const TOKEN: &str = "EAAG-test-token";
const MEDIA_ID: &str = "1003383421387256";
const JPEG: &[u8] = b"\xff\xd8\xff\xe0 pretend this is a photo of a dented box";

fn meta_at(base: &str) -> MetaProvider {
    MetaProvider::new(
        MetaConfig {
            graph_url: format!("{base}/v25.0"),
            access_token: TOKEN.into(),
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

fn sha_b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(bytes))
}

fn meta_image() -> MediaRef {
    MediaRef {
        id: Some(MEDIA_ID.into()),
        mime_type: Some("image/jpeg".into()),
        sha256: Some(sha_b64(JPEG)),
        ..MediaRef::default()
    }
}

/// Meta's lookup answer (fixture `meta_media_get.json`'s shape) pointing at the mock itself.
async fn meta_lookup(server: &MockServer, file_size: serde_json::Value, sha: &str) {
    Mock::given(method("GET"))
        .and(path(format!("/v25.0/{MEDIA_ID}")))
        .and(query_param("phone_number_id", PNID))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messaging_product": "whatsapp",
            "url": format!("{}/lookaside/attachments/?mid={MEDIA_ID}&ext=1760001200", server.uri()),
            "mime_type": "image/jpeg",
            "sha256": sha,
            "file_size": file_size,
            "id": MEDIA_ID,
        })))
        .mount(server)
        .await;
}

#[tokio::test]
async fn meta_resolves_the_id_then_downloads_with_the_token() {
    let server = MockServer::start().await;
    meta_lookup(&server, json!(JPEG.len().to_string()), &sha_b64(JPEG)).await;
    Mock::given(method("GET"))
        .and(path("/lookaside/attachments/"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "image/jpeg")
                .set_body_bytes(JPEG),
        )
        .expect(1)
        .mount(&server)
        .await;
    let got = meta_at(&server.uri())
        .download_media(&meta_image(), 5 * 1024 * 1024)
        .await
        .expect("downloaded");
    assert_eq!(got.bytes, JPEG);
    assert_eq!(got.mime_type.as_deref(), Some("image/jpeg"));
}

#[tokio::test]
async fn meta_file_size_as_a_number_over_the_limit_is_refused_before_downloading() {
    let server = MockServer::start().await;
    meta_lookup(&server, json!(6_000_000), &sha_b64(JPEG)).await;
    Mock::given(method("GET"))
        .and(path("/lookaside/attachments/"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(JPEG))
        .expect(0)
        .mount(&server)
        .await;
    let err = meta_at(&server.uri())
        .download_media(&meta_image(), 5 * 1024 * 1024)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        MediaError::TooLarge {
            size: 6_000_000,
            limit: 5 * 1024 * 1024
        }
    );
    assert!(!err.retryable());
}

#[tokio::test]
async fn without_a_size_in_the_lookup_the_download_itself_stops_at_the_limit() {
    let server = MockServer::start().await;
    // No file_size in the lookup: the limit holds while the body streams in.
    Mock::given(method("GET"))
        .and(path(format!("/v25.0/{MEDIA_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "url": format!("{}/big", server.uri()), "id": MEDIA_ID })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/big"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![7u8; 4096]))
        .mount(&server)
        .await;
    let err = meta_at(&server.uri())
        .download_media(
            &MediaRef {
                sha256: None,
                ..meta_image()
            },
            1000,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, MediaError::TooLarge { limit: 1000, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_checksum_mismatch_is_worth_another_try_and_hex_checksums_pass() {
    let server = MockServer::start().await;
    let hex = format!("{:x}", Sha256::digest(JPEG));
    meta_lookup(&server, json!(null), &hex).await;
    Mock::given(method("GET"))
        .and(path("/lookaside/attachments/"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(JPEG))
        .mount(&server)
        .await;
    let meta = meta_at(&server.uri());
    // The lookup's hex checksum wins over the webhook's (here: wrong) one, and matches.
    let media = MediaRef {
        sha256: Some(sha_b64(b"something else")),
        ..meta_image()
    };
    assert!(meta.download_media(&media, 1 << 20).await.is_ok());

    let server = MockServer::start().await;
    meta_lookup(&server, json!(null), &sha_b64(b"something else")).await;
    Mock::given(method("GET"))
        .and(path("/lookaside/attachments/"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(JPEG))
        .mount(&server)
        .await;
    let err = meta_at(&server.uri())
        .download_media(&meta_image(), 1 << 20)
        .await
        .unwrap_err();
    assert!(err.retryable(), "{err:?}");
    assert!(err.to_string().contains("checksum"), "{err}");
}

#[tokio::test]
async fn an_expired_meta_media_id_is_expired_and_a_5xx_is_temporary() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v25.0/{MEDIA_ID}")))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({ "error": {
            "message": "Unsupported get request. Object with ID '1003383421387256' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
            "type": "GraphMethodException", "code": 100, "error_subcode": 33,
            "fbtrace_id": "AbC" }})))
        .mount(&server)
        .await;
    let err = meta_at(&server.uri())
        .download_media(&meta_image(), 1 << 20)
        .await
        .unwrap_err();
    assert!(matches!(err, MediaError::Expired(_)), "{err:?}");

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v25.0/{MEDIA_ID}")))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let err = meta_at(&server.uri())
        .download_media(&meta_image(), 1 << 20)
        .await
        .unwrap_err();
    assert!(err.retryable(), "{err:?}");
}

#[tokio::test]
async fn whapi_tries_the_link_without_then_with_the_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/in-files/jpeg-4f1c.jpeg"))
        .and(header("authorization", "Bearer whapi-token"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(JPEG))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/in-files/jpeg-4f1c.jpeg"))
        .and(|r: &Request| !r.headers.contains_key("authorization"))
        .respond_with(ResponseTemplate::new(403))
        .expect(1)
        .mount(&server)
        .await;
    let media = MediaRef {
        id: Some("jpeg-4f1c".into()),
        url: Some(format!("{}/in-files/jpeg-4f1c.jpeg", server.uri())),
        sha256: Some(sha_b64(JPEG)),
        ..MediaRef::default()
    };
    let got = whapi_at(&server.uri())
        .download_media(&media, 1 << 20)
        .await
        .expect("downloaded");
    assert_eq!(got.bytes, JPEG);
}

/// A link elsewhere (an expired presigned storage URL answering 403) never gets the token: the
/// file is asked for by id at Whapi instead.
#[tokio::test]
async fn whapi_never_sends_its_token_to_a_link_on_another_host() {
    let whapi_server = MockServer::start().await;
    let storage = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/bucket/jpeg-4f1c.jpeg"))
        .respond_with(ResponseTemplate::new(403))
        .mount(&storage)
        .await;
    Mock::given(method("GET"))
        .and(path("/media/jpeg-4f1c"))
        .and(header("authorization", "Bearer whapi-token"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(JPEG))
        .expect(1)
        .mount(&whapi_server)
        .await;
    let media = MediaRef {
        id: Some("jpeg-4f1c".into()),
        url: Some(format!("{}/bucket/jpeg-4f1c.jpeg", storage.uri())),
        sha256: Some(sha_b64(JPEG)),
        ..MediaRef::default()
    };
    let got = whapi_at(&whapi_server.uri())
        .download_media(&media, 1 << 20)
        .await
        .expect("downloaded by id");
    assert_eq!(got.bytes, JPEG);
    let asked = storage.received_requests().await.unwrap();
    assert!(!asked.is_empty());
    assert!(
        asked
            .iter()
            .all(|r| !r.headers.contains_key("authorization")),
        "the token went to another host"
    );
}

#[tokio::test]
async fn whapi_without_a_link_asks_for_the_id_and_404_is_expired() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/media/jpeg-4f1c"))
        .and(header("authorization", "Bearer whapi-token"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(JPEG))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/media/jpeg-gone"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let whapi = whapi_at(&server.uri());
    let media = MediaRef {
        id: Some("jpeg-4f1c".into()),
        ..MediaRef::default()
    };
    assert_eq!(
        whapi.download_media(&media, 1 << 20).await.unwrap().bytes,
        JPEG
    );
    let gone = MediaRef {
        id: Some("jpeg-gone".into()),
        ..MediaRef::default()
    };
    let err = whapi.download_media(&gone, 1 << 20).await.unwrap_err();
    assert!(matches!(err, MediaError::Expired(_)), "{err:?}");
}

#[tokio::test]
async fn meta_uploads_a_file_then_sends_it_by_id_quoting_the_customer() {
    use whatsapp::{Content, MediaMessage, MessageKind, Outgoing, Recipient, Upload};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v25.0/{PNID}/media")))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(|r: &Request| {
            let body = String::from_utf8_lossy(&r.body);
            body.contains("name=\"messaging_product\"")
                && body.contains("filename=\"invoice.pdf\"")
                && body.contains("Content-Type: application/pdf")
                && body.contains("%PDF-1.7")
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "1037543291543636" })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v25.0/{PNID}/messages")))
        .and(wiremock::matchers::body_json(json!({
            "messaging_product": "whatsapp", "recipient_type": "individual",
            "to": "+6281298765432", "type": "document",
            "document": { "id": "1037543291543636", "filename": "invoice.pdf",
                          "caption": "Berikut invoice pesanan Kakak" },
            "context": { "message_id": "wamid.customer" },
            "biz_opaque_callback_data": "msg-7"
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messaging_product": "whatsapp", "messages": [{ "id": "wamid.out" }] })))
        .expect(1)
        .mount(&server)
        .await;
    let meta = meta_at(&server.uri());
    let id = meta
        .upload_media(&Upload {
            bytes: b"%PDF-1.7 invoice",
            mime_type: "application/pdf",
            filename: "invoice.pdf",
        })
        .await
        .unwrap();
    let sent = meta
        .send(
            &Recipient::phone("6281298765432"),
            &Outgoing {
                content: Content::Media(MediaMessage {
                    kind: MessageKind::Document,
                    media_id: id,
                    caption: Some("Berikut invoice pesanan Kakak".into()),
                    filename: Some("invoice.pdf".into()),
                }),
                reply_to: Some("wamid.customer".into()),
            },
            "msg-7",
        )
        .await
        .unwrap();
    assert_eq!(sent.provider_message_id, "wamid.out");
}

#[tokio::test]
async fn whapi_uploads_then_sends_an_image_by_id_quoting_the_customer() {
    use whatsapp::{Content, MediaMessage, MessageKind, Outgoing, Recipient, Upload};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/media"))
        .and(|r: &Request| String::from_utf8_lossy(&r.body).contains("filename=\"box.jpg\""))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "media": [{ "id": "jpeg-77aa" }] })),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/messages/image"))
        .and(wiremock::matchers::body_json(json!({
            "to": "6281298765432", "media": "jpeg-77aa", "caption": "Ini fotonya",
            "quoted": "Hs0vC1mQ2nL.xT7-gBgTwl0rVw" })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "sent": true, "message": { "id": "out-1", "type": "image", "from_me": true } })))
        .expect(1)
        .mount(&server)
        .await;
    let whapi = whapi_at(&server.uri());
    let id = whapi
        .upload_media(&Upload {
            bytes: JPEG,
            mime_type: "image/jpeg",
            filename: "box.jpg",
        })
        .await
        .unwrap();
    let sent = whapi
        .send(
            &Recipient::phone("6281298765432"),
            &Outgoing {
                content: Content::Media(MediaMessage {
                    kind: MessageKind::Image,
                    media_id: id,
                    caption: Some("Ini fotonya".into()),
                    filename: None,
                }),
                reply_to: Some("Hs0vC1mQ2nL.xT7-gBgTwl0rVw".into()),
            },
            "",
        )
        .await
        .unwrap();
    assert_eq!(sent.provider_message_id, "out-1");
}
