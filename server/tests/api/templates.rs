//! Message templates against a mock of Meta's Graph API: "Sync templates" stores the account's
//! templates (fixture `meta_template_list.json`); past the 24-hour window free text is refused
//! and a template goes out in Meta's format with its rendered text stored; an empty variable is
//! refused by name before anything is sent; Meta's template errors show in the bubble.

use crate::helpers::{fixture, provider_config, TestApp, META};
use crate::outbox::meta_error;
use inbox::outbox::Outcome;
use model::{MessageView, Role, TemplateList};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const WABA: &str = "102290129340398";

/// The app with the environment's Meta channel on `mock`, a customer who last wrote 25 hours
/// ago, its chat, and a signed-in admin.
async fn setup(pool: PgPool, mock: &MockServer) -> (TestApp, reqwest::Client, i64, i64) {
    Mock::given(method("GET"))
        .and(path(format!("/{WABA}/message_templates")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("graph/meta_template_list.json"), "application/json"),
        )
        .mount(mock)
        .await;
    let app = TestApp::spawn_with(pool, provider_config(&mock.uri())).await;
    let old = chrono::Utc::now() - chrono::Duration::hours(25);
    let mut body: Value =
        serde_json::from_slice(&META.text("6281298765432", "wamid.old", "halo")).unwrap();
    body["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] =
        json!(old.timestamp().to_string());
    let res = app.post_meta(&serde_json::to_vec(&body).unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let chat: i64 = sqlx::query_scalar("select chat_id from chat")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let channel: i64 = sqlx::query_scalar("select channel_id from chat")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (admin, _) = app.signed_in("boss", Role::Admin).await;
    (app, admin, chat, channel)
}

async fn send_template(
    app: &TestApp,
    client: &reqwest::Client,
    chat: i64,
    name: &str,
    values: &[&str],
) -> reqwest::Response {
    client
        .post(app.url("/api/chats/send_template"))
        .json(&json!({ "chat_id": chat, "name": name, "language": "id", "values": values }))
        .send()
        .await
        .unwrap()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn synced_templates_go_out_past_the_window_and_never_with_a_blank(pool: PgPool) {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/{}/messages", crate::helpers::META_PHONE_ID)))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messaging_product": "whatsapp", "messages": [{ "id": "wamid.tpl" }] })))
        .mount(&mock)
        .await;
    let (app, admin, chat, channel) = setup(pool, &mock).await;

    let res = app
        .call(
            &admin,
            "admin/channels/sync_templates",
            &[("channel_id", &channel.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let list: TemplateList = res.json().await.unwrap();
    let names: Vec<&str> = list.templates.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "konfirmasi_pesanan",
            "lacak_pengiriman",
            "promo_gajian_gambar"
        ]
    );
    assert!(list.synced_at.is_some());
    // Agents cannot sync; they read the chat's templates.
    let (agent, _) = app.signed_in("rina", Role::Agent).await;
    let res = app
        .call(
            &agent,
            "admin/channels/sync_templates",
            &[("channel_id", &channel.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // Free text is refused past the window; an empty variable is refused by name.
    let res = app.reply(&admin, chat, "halo lagi").await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let res = send_template(&app, &admin, chat, "konfirmasi_pesanan", &["Rina", " "]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["Invalid"]["field"], "{{2}}");
    assert_eq!(err["Invalid"]["reason"], "template_value_missing");
    assert_eq!(app.count("select count(*) from outbox").await, 0);

    let res = send_template(
        &app,
        &admin,
        chat,
        "konfirmasi_pesanan",
        &["Rina", "INV-2231"],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let sent: Vec<MessageView> = res.json().await.unwrap();
    let text = "Halo Rina, pesanan INV-2231 sudah kami terima dan sedang kami proses. Terima kasih sudah belanja di Toko Sinar!\n\nToko Sinar";
    assert_eq!(sent[0].kind, model::MessageKind::Template);
    assert_eq!(sent[0].body.as_deref(), Some(text));
    assert_eq!(app.drain_outbox().await, vec![Outcome::Sent]);
    let requests = mock.received_requests().await.unwrap();
    let body: Value = requests
        .iter()
        .find(|r| r.url.path().ends_with("/messages"))
        .unwrap()
        .body_json()
        .unwrap();
    assert_eq!(body["type"], "template");
    assert_eq!(
        body["template"],
        json!({ "name": "konfirmasi_pesanan", "language": { "code": "id" },
                "components": [{ "type": "body", "parameters": [
                    { "type": "text", "text": "Rina" }, { "type": "text", "text": "INV-2231" } ] }] })
    );
    assert_eq!(app.reply_statuses().await, vec!["sent"]);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn metas_template_error_shows_in_the_bubble(pool: PgPool) {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/{}/messages", crate::helpers::META_PHONE_ID)))
        .respond_with(meta_error(400, 132015, "(#132015) Template is Paused"))
        .mount(&mock)
        .await;
    let (app, admin, chat, channel) = setup(pool, &mock).await;
    app.call(
        &admin,
        "admin/channels/sync_templates",
        &[("channel_id", &channel.to_string())],
    )
    .await;
    let res = send_template(&app, &admin, chat, "konfirmasi_pesanan", &["Rina", "INV-1"]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let sent: Vec<MessageView> = res.json().await.unwrap();
    assert_eq!(app.drain_outbox().await, vec![Outcome::Failed]);
    let mut conn = app.pool.acquire().await.unwrap();
    let failed = inbox::db::messages::view(&mut conn, sent[0].message_id)
        .await
        .unwrap();
    assert_eq!(failed.status, model::DeliveryState::Failed);
    assert_eq!(failed.error_code.as_deref(), Some("132015"));
    assert!(failed.error_reason.unwrap().contains("Template is Paused"));
}

/// Meta's review webhook (`message_template_status_update`) changes the stored template at once:
/// a paused template is refused before it is sent, and shows as paused in the picker; a
/// reinstated one can be sent again.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn metas_review_webhook_updates_the_template(pool: PgPool) {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/{}/messages", crate::helpers::META_PHONE_ID)))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messaging_product": "whatsapp", "messages": [{ "id": "wamid.tpl" }] })))
        .mount(&mock)
        .await;
    let (app, admin, chat, channel) = setup(pool, &mock).await;
    app.call(
        &admin,
        "admin/channels/sync_templates",
        &[("channel_id", &channel.to_string())],
    )
    .await;
    let review = |event: &str| {
        let mut body: Value =
            serde_json::from_slice(&fixture("fields/meta_template_status_rejected.json")).unwrap();
        let value = &mut body["entry"][0]["changes"][0]["value"];
        // The id the template list gave konfirmasi_pesanan.
        value["message_template_id"] = json!(1348820917265530u64);
        value["event"] = json!(event);
        value["reason"] = json!("NONE");
        serde_json::to_vec(&body).unwrap()
    };
    assert_eq!(
        app.post_meta(&review("PAUSED")).await.status(),
        StatusCode::OK
    );
    let res = send_template(&app, &admin, chat, "konfirmasi_pesanan", &["Rina", "INV-1"]).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(
        res.json::<Value>().await.unwrap()["Conflict"],
        "template_not_approved"
    );
    let list: TemplateList = app
        .call(&admin, "chats/templates", &[("chat_id", &chat.to_string())])
        .await
        .json()
        .await
        .unwrap();
    let shown = list
        .templates
        .iter()
        .find(|t| t.name == "konfirmasi_pesanan")
        .unwrap();
    assert_eq!(shown.status, "PAUSED");

    assert_eq!(
        app.post_meta(&review("REINSTATED")).await.status(),
        StatusCode::OK
    );
    let res = send_template(&app, &admin, chat, "konfirmasi_pesanan", &["Rina", "INV-1"]).await;
    assert_eq!(res.status(), StatusCode::OK);
}
