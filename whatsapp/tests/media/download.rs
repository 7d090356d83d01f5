//! A customer's media downloaded: Meta by id (lookup, then the file with the token), Whapi by
//! link or id.

use super::*;

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
