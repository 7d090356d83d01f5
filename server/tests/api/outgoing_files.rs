//! Agents' files and quoted replies, against a mock of Meta's API (the real wire format:
//! `POST /{phone-number-id}/media`, then `POST /{phone-number-id}/messages` by id, with
//! `context` for a quote): each file uploaded once even when 30 % of the calls fail, refused
//! before upload when WhatsApp would refuse it, shown in its bubble; quotes in both directions.

use crate::helpers::{TestApp, META, META_PHONE_ID};
use crate::outbox::{meta_ok, setup};
use inbox::outbox::Outcome;
use model::{MediaState, MessageId, MessageView};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub(crate) const JPEG: &[u8] = b"\xff\xd8\xff\xe0\x00\x10JFIF the agent's photo of the replacement";
pub(crate) const PDF: &[u8] = b"%PDF-1.4\n% an invoice\n%%EOF\n";

/// Every call whose number (from 0, per endpoint) is 0, 3 or 6 modulo 10 fails with a 503:
/// 30 % of the calls, the first one included.
fn fails(n: usize) -> bool {
    matches!(n % 10, 0 | 3 | 6)
}

struct FlakyUpload(Arc<AtomicUsize>);

impl Respond for FlakyUpload {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::SeqCst);
        if fails(n) {
            ResponseTemplate::new(503).set_body_json(json!({
                "error": { "message": "Service temporarily unavailable", "type": "OAuthException",
                           "code": 2, "fbtrace_id": "Axyz" }
            }))
        } else {
            ResponseTemplate::new(200).set_body_json(json!({ "id": format!("media-{n}") }))
        }
    }
}

struct FlakySend(Arc<AtomicUsize>);

impl Respond for FlakySend {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::SeqCst);
        if fails(n) {
            crate::outbox::meta_error(503, 2, "Service temporarily unavailable")
        } else {
            meta_ok(n)
        }
    }
}

/// Meta's media and messages endpoints, each failing 30 % of its calls.
async fn flaky_meta() -> MockServer {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/{META_PHONE_ID}/media")))
        .respond_with(FlakyUpload(Arc::default()))
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/{META_PHONE_ID}/messages")))
        .respond_with(FlakySend(Arc::default()))
        .mount(&mock)
        .await;
    mock
}

/// The agent's upload, as the composer sends it.
pub(crate) async fn send_file(
    app: &TestApp,
    agent: &reqwest::Client,
    chat: i64,
    (name, mime, bytes): (&str, &str, &[u8]),
    fields: &[(&str, String)],
) -> reqwest::Response {
    let mut form = Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.clone());
    }
    let mut part = Part::bytes(bytes.to_vec()).file_name(name.to_string());
    if !mime.is_empty() {
        part = part.mime_str(mime).unwrap();
    }
    agent
        .post(app.url(&format!("/chats/{chat}/files")))
        .multipart(form.part("file", part))
        .send()
        .await
        .unwrap()
}

/// The requests to `endpoint` the mock answered with success, in order.
async fn succeeded(mock: &MockServer, endpoint: &str) -> Vec<Request> {
    mock.received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == format!("/{META_PHONE_ID}/{endpoint}"))
        .enumerate()
        .filter(|(n, _)| !fails(*n))
        .map(|(_, r)| r)
        .collect()
}

async fn message_id_of(app: &TestApp, wamid: &str) -> i64 {
    sqlx::query_scalar("select message_id from message where provider_message_id = $1")
        .bind(wamid)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

pub(crate) async fn view(app: &TestApp, id: i64) -> MessageView {
    let mut conn = app.pool.acquire().await.unwrap();
    inbox::db::messages::view(&mut conn, MessageId(id))
        .await
        .unwrap()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_agents_photo_and_document_are_uploaded_once_and_sent_by_id_with_30_percent_failing(
    pool: PgPool,
) {
    let mock = flaky_meta().await;
    let (app, agent, chat) = setup(pool, &mock).await;
    let hello = message_id_of(&app, "wamid.hello").await;
    let res = send_file(
        &app,
        &agent,
        chat,
        ("replacement.jpg", "image/jpeg", JPEG),
        &[("caption", "Ini penggantinya, kak".into())],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let photo: Vec<MessageView> = res.json().await.unwrap();
    assert_eq!(photo.len(), 1);
    assert_eq!(photo[0].kind, model::MessageKind::Image);
    assert_eq!(photo[0].body.as_deref(), Some("Ini penggantinya, kak"));
    assert_eq!(photo[0].media.as_ref().unwrap().state, MediaState::Ready);
    let res = send_file(
        &app,
        &agent,
        chat,
        ("Invoice Mei.pdf", "application/pdf", PDF),
        &[("reply_to", hello.to_string())],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let document: Vec<MessageView> = res.json().await.unwrap();

    let outcomes = app.drain_outbox().await;
    assert_eq!(outcomes.iter().filter(|o| **o == Outcome::Sent).count(), 2);
    assert!(!outcomes.contains(&Outcome::Failed), "{outcomes:?}");
    // Each file reached Meta once; each message once, by the id its upload got.
    let uploads = succeeded(&mock, "media").await;
    assert_eq!(uploads.len(), 2, "one successful upload per file");
    let upload_body = String::from_utf8_lossy(&uploads[0].body).to_string();
    assert!(upload_body.contains("name=\"messaging_product\""));
    assert!(upload_body.contains("the agent's photo of the replacement"));
    let sends = succeeded(&mock, "messages").await;
    assert_eq!(sends.len(), 2, "one successful send per message");
    let image: Value = sends[0].body_json().unwrap();
    assert_eq!(image["type"], "image");
    assert_eq!(image["image"]["caption"], "Ini penggantinya, kak");
    let doc: Value = sends[1].body_json().unwrap();
    assert_eq!(doc["type"], "document");
    assert_eq!(doc["document"]["filename"], "Invoice Mei.pdf");
    assert_eq!(doc["context"]["message_id"], "wamid.hello");
    let ids: Vec<String> = sqlx::query_scalar(
        "select upload_id from attachment a join message m using (message_id)
          where m.direction = 'out' order by message_id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(image["image"]["id"], ids[0].as_str());
    assert_eq!(doc["document"]["id"], ids[1].as_str());
    assert_eq!(app.reply_statuses().await, vec!["sent", "sent"]);

    // The bubble shows the document with its quote, and the file is served to the agent.
    let shown = view(&app, document[0].message_id.0).await;
    let quoted = shown.quoted.expect("the quote above the document");
    assert_eq!(quoted.message_id, Some(MessageId(hello)));
    assert_eq!(quoted.body.as_deref(), Some("halo kak"));
    assert!(quoted.from_customer);
    let res = agent
        .get(app.url(&model::MediaView::url(document[0].message_id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_file_whatsapp_would_refuse_is_refused_before_anything_is_uploaded(pool: PgPool) {
    let mock = flaky_meta().await;
    // Its own store: a refused upload's bytes are removed, and the other tests' must not be.
    let dir = std::env::temp_dir().join(format!("inbox-refused-{}", uuid::Uuid::new_v4()));
    let mut config = crate::helpers::provider_config(&mock.uri());
    config.data_dir = dir.clone();
    let app = TestApp::spawn_with(pool, config).await;
    app.post_meta(&META.text("6281298765432", "wamid.hello", "halo kak"))
        .await;
    let chat: i64 = sqlx::query_scalar("select chat_id from chat")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (agent, _) = app.signed_in("rina", model::Role::Agent).await;
    let big = vec![0xffu8; 5 * 1024 * 1024 + 1];
    let cases: [(&str, &str, &[u8], &str); 4] = [
        ("big.jpg", "image/jpeg", &big, "file_too_large"),
        ("setup.exe", "application/x-msdownload", b"MZ", "file_type"),
        ("empty.pdf", "application/pdf", b"", "file_empty"),
        ("no-type", "", b"abc", "file_type"),
    ];
    for (name, mime, bytes, reason) in cases {
        let res = send_file(&app, &agent, chat, (name, mime, bytes), &[]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["Invalid"]["reason"], reason, "{name}");
    }
    let res = send_file(
        &app,
        &agent,
        chat,
        ("a.jpg", "image/jpeg", JPEG),
        &[("caption", "x".repeat(1025))],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.count("select count(*) from message where direction = 'out'")
            .await,
        0
    );
    assert_eq!(app.count("select count(*) from outbox").await, 0);
    assert!(
        mock.received_requests().await.unwrap().is_empty(),
        "nothing reached the provider"
    );
    let store = inbox::media::MediaStore::open(dir.join("media")).unwrap();
    assert!(
        !store
            .path(&inbox::media::MediaStore::name_of(&big))
            .exists(),
        "a refused file is not kept"
    );
    assert!(
        !store
            .path(&inbox::media::MediaStore::name_of(JPEG))
            .exists(),
        "nor one refused after it arrived (its caption too long)"
    );
    // Signed out: refused before the file is read.
    let res = send_file(
        &app,
        &app.client(),
        chat,
        ("a.jpg", "image/jpeg", JPEG),
        &[],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn quoted_replies_carry_the_right_message_ids_both_ways(pool: PgPool) {
    let mock = flaky_meta().await;
    let (app, agent, chat) = setup(pool, &mock).await;
    let hello = message_id_of(&app, "wamid.hello").await;
    let res = app
        .call(
            &agent,
            "chats/reply",
            &[
                ("chat_id", &chat.to_string()),
                ("text", "Baik kak"),
                ("reply_to", &hello.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let reply: Vec<MessageView> = res.json().await.unwrap();
    assert_eq!(
        reply[0].quoted.as_ref().and_then(|q| q.message_id),
        Some(MessageId(hello))
    );
    app.drain_outbox().await;
    let sends = succeeded(&mock, "messages").await;
    let body: Value = sends[0].body_json().unwrap();
    assert_eq!(body["context"]["message_id"], "wamid.hello");
    let our_wamid: String =
        sqlx::query_scalar("select provider_message_id from message where message_id = $1")
            .bind(reply[0].message_id)
            .fetch_one(&app.pool)
            .await
            .unwrap();

    // The customer answers quoting our reply: the bubble shows our text above theirs.
    let body = serde_json::to_vec(&json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": META.business_account_id, "changes": [{ "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": { "display_phone_number": META.display_phone_number,
                          "phone_number_id": META_PHONE_ID },
            "contacts": [{ "profile": { "name": "Rina" }, "wa_id": "6281298765432" }],
            "messages": [{ "from": "6281298765432", "id": "wamid.thanks",
                           "timestamp": chrono::Utc::now().timestamp().to_string(),
                           "context": { "from": META.display_phone_number, "id": our_wamid },
                           "type": "text", "text": { "body": "Makasih" } }]
        }}]}]
    }))
    .unwrap();
    assert_eq!(app.post_meta(&body).await.status(), StatusCode::OK);
    let thanks = view(&app, message_id_of(&app, "wamid.thanks").await).await;
    let quoted = thanks.quoted.expect("the quote");
    assert_eq!(quoted.message_id, Some(reply[0].message_id));
    assert_eq!(quoted.body.as_deref(), Some("Baik kak"));
    assert!(!quoted.from_customer);

    // A message of another chat cannot be quoted.
    app.post_meta(&META.text("6281300000001", "wamid.other", "halo"))
        .await;
    let other = message_id_of(&app, "wamid.other").await;
    let res = app
        .call(
            &agent,
            "chats/reply",
            &[
                ("chat_id", &chat.to_string()),
                ("text", "x"),
                ("reply_to", &other.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["Invalid"]["reason"], "quote_not_found");
}
