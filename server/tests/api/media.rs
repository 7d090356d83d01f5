//! Customers' files: fetched from a mock provider (Meta's and Whapi's wire formats) once, right
//! after the message is stored, kept once in the media store, served to signed-in users only
//! with the right headers; failures shown with their reason and "Try again"; the store's limit.

use crate::helpers::{provider_config, TestApp, META, META_PHONE_ID};
use inbox::media::Fetched;
use model::{MediaProblem, MediaState, MessageId, MessageView, Role};
use reqwest::header;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CUSTOMER: &str = "6281298765432";
const MEDIA_ID: &str = "1003383421387256";
pub(crate) const JPEG: &[u8] = b"\xff\xd8\xff\xe0\x00\x10JFIF a photo of a dented box";

fn meta_media_body(wamid: &str, kind: &str, object: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": META.business_account_id, "changes": [{ "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": { "display_phone_number": META.display_phone_number,
                          "phone_number_id": META_PHONE_ID },
            "contacts": [{ "profile": { "name": "Rina" }, "wa_id": CUSTOMER }],
            "messages": [{ "from": CUSTOMER, "id": wamid,
                           "timestamp": chrono::Utc::now().timestamp().to_string(),
                           "type": kind, kind: object }]
        }}]}]
    }))
    .unwrap()
}

pub(crate) fn meta_image(wamid: &str, media_id: &str) -> Vec<u8> {
    meta_media_body(
        wamid,
        "image",
        json!({ "caption": "Paketnya rusak seperti ini", "mime_type": "image/jpeg",
                "sha256": "", "id": media_id }),
    )
}

/// Meta's media lookup for `media_id` pointing at `/files/{media_id}` on the mock, which serves
/// `bytes`.
pub(crate) async fn meta_serves(mock: &MockServer, media_id: &str, bytes: &[u8], mime: &str) {
    Mock::given(method("GET"))
        .and(path(format!("/{media_id}")))
        .and(query_param("phone_number_id", META_PHONE_ID))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messaging_product": "whatsapp",
            "url": format!("{}/files/{media_id}", mock.uri()),
            "mime_type": mime, "file_size": bytes.len().to_string(), "id": media_id
        })))
        .mount(mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/files/{media_id}")))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", mime)
                .set_body_bytes(bytes.to_vec()),
        )
        .mount(mock)
        .await;
}

pub(crate) async fn downloads(mock: &MockServer, media_id: &str) -> usize {
    mock.received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == format!("/files/{media_id}"))
        .count()
}

pub(crate) async fn message_of(app: &TestApp, wamid: &str) -> MessageView {
    let id: i64 =
        sqlx::query_scalar("select message_id from message where provider_message_id = $1")
            .bind(wamid)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let mut conn = app.pool.acquire().await.unwrap();
    inbox::db::messages::view(&mut conn, MessageId(id))
        .await
        .unwrap()
}

async fn get(
    client: &Client,
    app: &TestApp,
    message: MessageId,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut req = client.get(app.url(&model::MediaView::url(message)));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_customers_photo_is_fetched_once_kept_once_and_shown_to_agents_only(pool: PgPool) {
    let mock = MockServer::start().await;
    meta_serves(&mock, MEDIA_ID, JPEG, "image/jpeg").await;
    let app = TestApp::spawn_with(pool, provider_config(&mock.uri())).await;
    // Meta delivers at least once: the same webhook twice.
    for _ in 0..2 {
        let res = app.post_meta(&meta_image("wamid.photo", MEDIA_ID)).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let pending = message_of(&app, "wamid.photo").await;
    let media = pending.media.expect("the bubble knows it has a file");
    assert_eq!(media.state, MediaState::Pending);
    assert_eq!(pending.body.as_deref(), Some("Paketnya rusak seperti ini"));

    assert_eq!(app.drain_media().await, vec![Fetched::Ready]);
    assert_eq!(downloads(&mock, MEDIA_ID).await, 1, "fetched once");
    let ready = message_of(&app, "wamid.photo").await;
    let media = ready.media.clone().unwrap();
    assert_eq!(media.state, MediaState::Ready);
    assert_eq!(media.size, Some(JPEG.len() as i64));
    assert_eq!(media.mime_type.as_deref(), Some("image/jpeg"));
    // Open conversations learn it is ready.
    let updated: Vec<Value> = sqlx::query_scalar(
        "select payload from event where kind = 'message.updated' order by event_id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(updated.len(), 1);
    assert_eq!(updated[0]["media"]["state"], "ready");

    // The same photo in another message (forwarded) is kept once.
    meta_serves(&mock, "2000000000000001", JPEG, "image/jpeg").await;
    app.post_meta(&meta_image("wamid.again", "2000000000000001"))
        .await;
    app.drain_media().await;
    assert_eq!(app.count("select count(*) from media_file").await, 1);

    let (agent, _) = app.signed_in("rina", Role::Agent).await;
    let res = get(&agent, &app, ready.message_id, &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(res.headers()[header::CONTENT_DISPOSITION], "inline");
    assert_eq!(res.headers()[header::CACHE_CONTROL], "private, no-cache");
    assert_eq!(res.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let etag = res.headers()[header::ETAG].to_str().unwrap().to_string();
    assert_eq!(res.bytes().await.unwrap(), JPEG);
    // Kept by the browser, asked for again each time.
    let res = get(&agent, &app, ready.message_id, &[("if-none-match", &etag)]).await;
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    // Range requests (audio and video seek with them).
    let res = get(&agent, &app, ready.message_id, &[("range", "bytes=0-3")]).await;
    assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(res.bytes().await.unwrap(), &JPEG[..4]);

    // Signed out (or never signed in): nothing, even with the exact URL.
    let res = get(&Client::new(), &app, ready.message_id, &[]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(!res
        .bytes()
        .await
        .unwrap()
        .windows(4)
        .any(|w| w == &JPEG[..4]));
    app.call(&agent, "logout", &[]).await;
    let res = get(&agent, &app, ready.message_id, &[("if-none-match", &etag)]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_expired_media_id_shows_why_and_try_again_fetches_it(pool: PgPool) {
    let mock = MockServer::start().await;
    let app = TestApp::spawn_with(pool, provider_config(&mock.uri())).await;
    let gone = Mock::given(method("GET"))
        .and(path(format!("/{MEDIA_ID}")))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({ "error": {
            "message": "Unsupported get request. Object with ID '1003383421387256' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
            "type": "GraphMethodException", "code": 100, "error_subcode": 33, "fbtrace_id": "A1" }})))
        .mount_as_scoped(&mock)
        .await;
    app.post_meta(&meta_image("wamid.old", MEDIA_ID)).await;
    assert_eq!(app.drain_media().await, vec![Fetched::Failed]);
    let failed = message_of(&app, "wamid.old").await;
    let media = failed.media.unwrap();
    assert_eq!(media.state, MediaState::Failed);
    assert_eq!(media.problem, Some(MediaProblem::Expired));
    assert!(media.detail.unwrap().contains("does not exist"));
    drop(gone);

    let (agent, _) = app.signed_in("rina", Role::Agent).await;
    assert_eq!(
        get(&agent, &app, failed.message_id, &[]).await.status(),
        StatusCode::NOT_FOUND
    );
    meta_serves(&mock, MEDIA_ID, JPEG, "image/jpeg").await;
    let id = failed.message_id.0.to_string();
    let res = app
        .call(&agent, "chats/retry_media", &[("message_id", &id)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // Only a failed file can be tried again.
    let again = app
        .call(&agent, "chats/retry_media", &[("message_id", &id)])
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(app.drain_media().await, vec![Fetched::Ready]);
    assert_eq!(
        get(&agent, &app, failed.message_id, &[])
            .await
            .bytes()
            .await
            .unwrap(),
        JPEG
    );
    let anonymous = app
        .call(&Client::new(), "chats/retry_media", &[("message_id", &id)])
        .await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_provider_outage_is_retried_and_a_file_over_the_limit_is_never_downloaded(pool: PgPool) {
    let mock = MockServer::start().await;
    let app = TestApp::spawn_with(pool, provider_config(&mock.uri())).await;
    let down = Mock::given(method("GET"))
        .and(path(format!("/{MEDIA_ID}")))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .mount_as_scoped(&mock)
        .await;
    meta_serves(&mock, MEDIA_ID, JPEG, "image/jpeg").await;
    app.post_meta(&meta_image("wamid.photo", MEDIA_ID)).await;
    assert_eq!(
        app.drain_media().await,
        vec![Fetched::Retrying, Fetched::Retrying, Fetched::Ready]
    );
    drop(down);

    // A 6 MB photo: over WhatsApp's 5 MB for images, refused from the lookup's size.
    Mock::given(method("GET"))
        .and(path("/3000000000000001"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "url": format!("{}/files/3000000000000001", mock.uri()),
            "mime_type": "image/jpeg", "file_size": 6_000_000, "id": "3000000000000001" })))
        .mount(&mock)
        .await;
    app.post_meta(&meta_image("wamid.big", "3000000000000001"))
        .await;
    assert_eq!(app.drain_media().await, vec![Fetched::Failed]);
    let media = message_of(&app, "wamid.big").await.media.unwrap();
    assert_eq!(media.problem, Some(MediaProblem::TooLarge));
    assert_eq!(downloads(&mock, "3000000000000001").await, 0);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_whapi_document_downloads_under_its_name_and_a_voice_note_plays_inline(pool: PgPool) {
    let mock = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/in-files/invoice.pdf"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/pdf")
                .set_body_bytes(b"%PDF-1.7 invoice".to_vec()),
        )
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path("/media/oga-5d2e"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(b"OggS voice".to_vec()))
        .mount(&mock)
        .await;
    let app = TestApp::spawn_with(pool, provider_config(&mock.uri())).await;
    let body = json!({
        "messages": [
            { "id": "whapi.doc", "from_me": false, "type": "document",
              "chat_id": format!("{CUSTOMER}@s.whatsapp.net"), "timestamp": chrono::Utc::now().timestamp(),
              "from": CUSTOMER, "from_name": "Rina",
              "document": { "id": "pdf-7a1b", "link": format!("{}/in-files/invoice.pdf", mock.uri()),
                            "mime_type": "application/pdf", "file_size": 16,
                            "filename": "Invoice Mei 2026.pdf" } },
            { "id": "whapi.voice", "from_me": false, "type": "voice",
              "chat_id": format!("{CUSTOMER}@s.whatsapp.net"), "timestamp": chrono::Utc::now().timestamp(),
              "from": CUSTOMER, "from_name": "Rina",
              "voice": { "id": "oga-5d2e", "mime_type": "audio/ogg; codecs=opus", "seconds": 3 } }
        ],
        "event": { "type": "messages", "event": "post" },
        "channel_id": "MANTIS-M72HC"
    });
    let res = app.post_whapi(&serde_json::to_vec(&body).unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.drain_media().await,
        vec![Fetched::Ready, Fetched::Ready]
    );
    let (agent, _) = app.signed_in("rina", Role::Agent).await;

    let doc = message_of(&app, "whapi.doc").await;
    assert_eq!(
        doc.media.as_ref().unwrap().filename.as_deref(),
        Some("Invoice Mei 2026.pdf")
    );
    let res = get(&agent, &app, doc.message_id, &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(
        res.headers()[header::CONTENT_DISPOSITION],
        "attachment; filename=\"Invoice Mei 2026.pdf\"; filename*=UTF-8''Invoice%20Mei%202026%2Epdf"
    );

    let voice = message_of(&app, "whapi.voice").await;
    assert!(voice.media.as_ref().unwrap().voice);
    let res = get(&agent, &app, voice.message_id, &[]).await;
    assert_eq!(
        res.headers()[header::CONTENT_TYPE],
        "audio/ogg; codecs=opus"
    );
    assert_eq!(res.headers()[header::CONTENT_DISPOSITION], "inline");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn past_the_stores_limit_the_file_used_longest_ago_is_removed(pool: PgPool) {
    let mock = MockServer::start().await;
    let mut config = provider_config(&mock.uri());
    config.media.max_bytes = (JPEG.len() * 3 / 2) as u64;
    // Its own store: removing a file must not touch the other tests' (they share theirs).
    config.data_dir = std::env::temp_dir().join(format!("inbox-media-{}", uuid::Uuid::new_v4()));
    let app = TestApp::spawn_with(pool, config).await;
    let other: Vec<u8> = JPEG.iter().rev().copied().collect();
    meta_serves(&mock, MEDIA_ID, JPEG, "image/jpeg").await;
    meta_serves(&mock, "2000000000000002", &other, "image/jpeg").await;
    app.post_meta(&meta_image("wamid.first", MEDIA_ID)).await;
    app.drain_media().await;
    app.post_meta(&meta_image("wamid.second", "2000000000000002"))
        .await;
    app.drain_media().await;

    let first = message_of(&app, "wamid.first").await;
    assert_eq!(first.media.as_ref().unwrap().state, MediaState::Evicted);
    assert_eq!(
        message_of(&app, "wamid.second").await.media.unwrap().state,
        MediaState::Ready
    );
    assert_eq!(app.count("select count(*) from media_file").await, 1);
    let (agent, _) = app.signed_in("rina", Role::Agent).await;
    assert_eq!(
        get(&agent, &app, first.message_id, &[]).await.status(),
        StatusCode::NOT_FOUND
    );
    // The bubble was told.
    let evicted = app
        .count("select count(*) from event where kind = 'message.updated' and payload->'media'->>'state' = 'evicted'")
        .await;
    assert_eq!(evicted, 1);
}

/// "Try again" starts the tries over but never the claim's token: a fetcher still holding the
/// claim from before (its lease long gone) cannot mark the new try failed.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn try_again_never_hands_a_stale_fetcher_the_new_claim(pool: PgPool) {
    use inbox::db::attachments;
    let mock = MockServer::start().await;
    let app = TestApp::spawn_with(pool, provider_config(&mock.uri())).await;
    app.post_meta(&meta_image("wamid.again", MEDIA_ID)).await;
    let lease = std::time::Duration::from_secs(60);
    let first = attachments::claim(&app.pool, lease).await.unwrap().unwrap();
    let mut conn = app.pool.acquire().await.unwrap();
    assert!(
        attachments::failed(&mut conn, &first, MediaProblem::Expired, "gone")
            .await
            .unwrap()
    );
    inbox::media::retry(&app.pool, first.message_id)
        .await
        .unwrap();
    let second = attachments::claim(&app.pool, lease).await.unwrap().unwrap();
    assert_ne!(
        second.attempts, first.attempts,
        "a new token for the new claim"
    );
    assert_eq!(
        second.attempts - second.tries_before,
        1,
        "the tries start over"
    );
    // The first claim's late answer does not touch the second claim's row.
    assert!(
        !attachments::failed(&mut conn, &first, MediaProblem::Unavailable, "late")
            .await
            .unwrap()
    );
    assert_eq!(
        message_of(&app, "wamid.again").await.media.unwrap().state,
        MediaState::Pending
    );
}
