//! A template whose header is a photo or document the agent attaches (instead of a public link):
//! the file is kept like an agent's photo (the bubble shows it), uploaded to Meta once by the
//! outbox even with Meta failing, and the template goes out with the upload's id in its header;
//! a file of the wrong kind, or for a template without a media header, is refused.

use crate::helpers::{fixture, provider_config, TestApp, META, META_PHONE_ID};
use inbox::outbox::Outcome;
use model::{MediaState, MessageKind, MessageView, Role};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const JPEG: &[u8] = b"\xff\xd8\xff\xe0\x00\x10JFIF the promo banner";

/// Meta's media upload, failing its first call with a 503.
struct FirstFails(Arc<AtomicUsize>);

impl Respond for FirstFails {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        if self.0.fetch_add(1, Ordering::SeqCst) == 0 {
            ResponseTemplate::new(503).set_body_json(json!({ "error": {
                "message": "Service temporarily unavailable", "type": "OAuthException",
                "code": 2, "fbtrace_id": "A1" } }))
        } else {
            ResponseTemplate::new(200).set_body_json(json!({ "id": "4490709327384033" }))
        }
    }
}

async fn send(
    app: &TestApp,
    agent: &reqwest::Client,
    chat: i64,
    name: &str,
    values: &[&str],
    (file, mime, bytes): (&str, &str, &[u8]),
) -> reqwest::Response {
    let form = Form::new()
        .text("name", name.to_owned())
        .text("language", "id")
        .text("values", serde_json::to_string(values).unwrap())
        .part(
            "file",
            Part::bytes(bytes.to_vec())
                .file_name(file.to_owned())
                .mime_str(mime)
                .unwrap(),
        );
    agent
        .post(app.url(&format!("/chats/{chat}/template-file")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_templates_photo_header_is_an_attached_file_uploaded_once(pool: PgPool) {
    let mock = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/102290129340398/message_templates"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("graph/meta_template_list.json"), "application/json"),
        )
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/{META_PHONE_ID}/media")))
        .respond_with(FirstFails(Arc::default()))
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/{META_PHONE_ID}/messages")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messaging_product": "whatsapp", "messages": [{ "id": "wamid.promo" }] })))
        .mount(&mock)
        .await;
    // Its own store: refused uploads' bytes are removed, and the other tests' must not be.
    let mut config = provider_config(&mock.uri());
    config.data_dir =
        std::env::temp_dir().join(format!("inbox-template-files-{}", uuid::Uuid::new_v4()));
    let store = inbox::media::MediaStore::open(config.data_dir.join("media")).unwrap();
    let app = TestApp::spawn_with(pool, config).await;
    // A customer who wrote 25 hours ago: only templates may go.
    let mut body: Value =
        serde_json::from_slice(&META.text("6281298765432", "wamid.old", "halo")).unwrap();
    body["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] =
        json!((chrono::Utc::now() - chrono::Duration::hours(25))
            .timestamp()
            .to_string());
    assert_eq!(
        app.post_meta(&serde_json::to_vec(&body).unwrap())
            .await
            .status(),
        StatusCode::OK
    );
    let (chat, channel): (i64, i64) = sqlx::query_as("select chat_id, channel_id from chat")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (admin, _) = app.signed_in("boss", Role::Admin).await;
    let res = app
        .call(
            &admin,
            "admin/channels/sync_templates",
            &[("channel_id", &channel.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let (agent, _) = app.signed_in("rina", Role::Agent).await;

    // The wrong kind of file, and a file for a template with a text header only: refused.
    let res = send(
        &app,
        &agent,
        chat,
        "promo_gajian_gambar",
        &["Budi"],
        ("a.pdf", "application/pdf", b"%PDF-1.4"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.json::<Value>().await.unwrap()["Invalid"]["reason"],
        "template_header_file"
    );
    let res = send(
        &app,
        &agent,
        chat,
        "konfirmasi_pesanan",
        &["Rina", "INV-1"],
        ("b.jpg", "image/jpeg", JPEG),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // An empty variable is still refused by name.
    let res = send(
        &app,
        &agent,
        chat,
        "promo_gajian_gambar",
        &[" "],
        ("b.jpg", "image/jpeg", JPEG),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.json::<Value>().await.unwrap()["Invalid"]["reason"],
        "template_value_missing"
    );
    assert_eq!(
        app.count("select count(*) from message where direction = 'out'")
            .await,
        0
    );
    for refused in [&b"%PDF-1.4"[..], JPEG] {
        let name = inbox::media::MediaStore::name_of(refused);
        assert!(!store.path(&name).exists(), "a refused upload is not kept");
    }

    let res = send(
        &app,
        &agent,
        chat,
        "promo_gajian_gambar",
        &["Budi"],
        ("promo.jpg", "image/jpeg", JPEG),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let views: Vec<MessageView> = res.json().await.unwrap();
    assert_eq!(views.len(), 1);
    assert_eq!(views[0].kind, MessageKind::Template);
    let media = views[0]
        .media
        .as_ref()
        .expect("the bubble shows the header's photo");
    assert_eq!(media.state, MediaState::Ready);
    let text = views[0].body.as_deref().unwrap();
    assert!(
        text.starts_with("Hai Budi!"),
        "the text the customer reads: {text}"
    );

    // The first upload fails and is retried; the send carries the upload's id.
    let mut outcomes = app.drain_outbox().await;
    outcomes.retain(|o| *o != Outcome::Retrying);
    assert_eq!(outcomes, vec![Outcome::Sent]);
    let requests = mock.received_requests().await.unwrap();
    let uploads: Vec<&Request> = requests
        .iter()
        .filter(|r| r.url.path() == format!("/{META_PHONE_ID}/media"))
        .collect();
    assert_eq!(uploads.len(), 2, "one failed, one taken");
    assert!(String::from_utf8_lossy(&uploads[1].body).contains("the promo banner"));
    let sends: Vec<Value> = requests
        .iter()
        .filter(|r| r.url.path() == format!("/{META_PHONE_ID}/messages"))
        .map(|r| r.body_json().unwrap())
        .collect();
    assert_eq!(sends.len(), 1, "sent once");
    assert_eq!(sends[0]["type"], "template");
    assert_eq!(
        sends[0]["template"]["components"][0],
        json!({ "type": "header", "parameters": [ { "type": "image", "image": { "id": "4490709327384033" } } ] })
    );
    assert_eq!(
        sends[0]["template"]["components"][1]["parameters"][0]["text"],
        "Budi"
    );
    assert_eq!(app.reply_statuses().await, vec!["sent"]);
}
