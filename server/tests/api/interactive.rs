//! Reply buttons and lists: an agent's three buttons reach a Meta mock in Meta's format and a
//! fourth is refused before anything is stored; Whapi gets its own format; a customer's tap
//! (fixture `meta_interactive_button_reply.json`) shows which message it answered and makes the
//! bot answer with the rule of the tapped id; on the sandbox, which has no buttons, a rule's
//! menu goes out numbered and the customer's number is matched like a tap.

use crate::helpers::{fixture, provider_config, TestApp, META, META_PHONE_ID};
use inbox::outbox::Outcome;
use model::{MessageKind, MessageView, Role};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn send_options(
    app: &TestApp,
    client: &reqwest::Client,
    chat: i64,
    options: Value,
) -> reqwest::Response {
    client
        .post(app.url("/api/chats/send_options"))
        .json(&json!({ "chat_id": chat, "options": options, "reply_to": null }))
        .send()
        .await
        .unwrap()
}

fn buttons(titles: &[&str]) -> Value {
    json!({
        "body": "Paketnya sudah diterima?",
        "options": titles.iter().map(|t| json!({ "title": t })).collect::<Vec<_>>(),
    })
}

/// A Meta chat whose customer just wrote, and a signed-in admin.
async fn meta_chat(app: &TestApp) -> (reqwest::Client, i64) {
    let res = app
        .post_meta(&META.text("6281298765432", "wamid.hi", "permisi"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let chat: i64 = sqlx::query_scalar("select chat_id from chat")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (admin, _) = app.signed_in("boss", Role::Admin).await;
    (admin, chat)
}

fn meta_accepts(id: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "messaging_product": "whatsapp",
        "contacts": [{ "input": "+6281298765432", "wa_id": "6281298765432" }],
        "messages": [{ "id": id }] }))
}

async fn sent_bodies(mock: &MockServer, suffix: &str) -> Vec<Value> {
    mock.received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path().ends_with(suffix))
        .map(|r| r.body_json().unwrap())
        .collect()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn three_buttons_reach_meta_in_its_format_and_a_fourth_is_refused(pool: PgPool) {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/{META_PHONE_ID}/messages")))
        .respond_with(meta_accepts("wamid.menu"))
        .mount(&mock)
        .await;
    let app = TestApp::spawn_with(pool, provider_config(&mock.uri())).await;
    let (admin, chat) = meta_chat(&app).await;

    let res = send_options(
        &app,
        &admin,
        chat,
        buttons(&["Ya", "Belum", "Agen", "Lain"]),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["Invalid"]["reason"], "button_limit_exceeded");
    assert_eq!(err["Invalid"]["field"], "buttons");
    let res = send_options(
        &app,
        &admin,
        chat,
        buttons(&["Judul tombol yang terlalu panjang"]),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["Invalid"]["reason"], "invalid_button_params");
    assert_eq!(err["Invalid"]["field"], "buttons[0].title");
    assert_eq!(
        app.count("select count(*) from message where direction = 'out'")
            .await,
        0,
        "refused before anything is stored"
    );

    let res = send_options(&app, &admin, chat, buttons(&["Sudah", "Belum", "Agen"])).await;
    assert_eq!(res.status(), StatusCode::OK);
    let sent: MessageView = res.json().await.unwrap();
    assert_eq!(sent.kind, MessageKind::Interactive);
    assert_eq!(sent.body.as_deref(), Some("Paketnya sudah diterima?"));
    let offered = sent.interactive.expect("the bubble shows the buttons");
    assert_eq!(offered.button, None);
    assert_eq!(
        offered
            .options
            .iter()
            .map(|o| o.title.as_str())
            .collect::<Vec<_>>(),
        ["Sudah", "Belum", "Agen"]
    );
    assert_eq!(app.drain_outbox().await, vec![Outcome::Sent]);
    let bodies = sent_bodies(&mock, "/messages").await;
    assert_eq!(bodies.len(), 1);
    assert_eq!(bodies[0]["type"], "interactive");
    assert_eq!(bodies[0]["to"], "+6281298765432");
    assert_eq!(
        bodies[0]["interactive"],
        json!({
            "type": "button",
            "body": { "text": "Paketnya sudah diterima?" },
            "action": { "buttons": [
                { "type": "reply", "reply": { "id": "Sudah", "title": "Sudah" } },
                { "type": "reply", "reply": { "id": "Belum", "title": "Belum" } },
                { "type": "reply", "reply": { "id": "Agen", "title": "Agen" } },
            ] }
        })
    );

    // A list: its button, its rows with their descriptions.
    let list = json!({
        "body": "Pilih topik",
        "button": "Lihat topik",
        "options": [
            { "title": "Lacak pesanan", "description": "Cek posisi paket" },
            { "title": "Refund" },
        ],
    });
    let res = send_options(&app, &admin, chat, list).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.drain_outbox().await, vec![Outcome::Sent]);
    let bodies = sent_bodies(&mock, "/messages").await;
    let sent = &bodies[1]["interactive"];
    assert_eq!(sent["type"], "list");
    assert_eq!(sent["action"]["button"], "Lihat topik");
    assert_eq!(
        sent["action"]["sections"][0]["rows"],
        json!([
            { "id": "Lacak pesanan", "title": "Lacak pesanan", "description": "Cek posisi paket" },
            { "id": "Refund", "title": "Refund" },
        ])
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn whapi_gets_buttons_in_its_own_format(pool: PgPool) {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/messages/interactive"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "sent": true, "message": { "id": "whapi-menu-1" } })))
        .mount(&mock)
        .await;
    let app = TestApp::spawn_with(pool, provider_config(&mock.uri())).await;
    let res = app.post_whapi(&fixture("whapi_text.json")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let chat: i64 = sqlx::query_scalar("select chat_id from chat")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (admin, _) = app.signed_in("boss", Role::Admin).await;
    let res = send_options(&app, &admin, chat, buttons(&["Sudah", "Belum"])).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.drain_outbox().await, vec![Outcome::Sent]);
    let bodies = sent_bodies(&mock, "/messages/interactive").await;
    assert_eq!(bodies.len(), 1);
    assert_eq!(bodies[0]["type"], "button");
    assert_eq!(
        bodies[0]["body"],
        json!({ "text": "Paketnya sudah diterima?" })
    );
    assert_eq!(
        bodies[0]["action"]["buttons"][1],
        json!({ "type": "quick_reply", "title": "Belum", "id": "Belum" })
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_button_tap_triggers_the_bot_rule_of_its_id(pool: PgPool) {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/{META_PHONE_ID}/messages")))
        .respond_with(meta_accepts("wamid.menu"))
        .mount(&mock)
        .await;
    let app = TestApp::spawn_with(pool, provider_config(&mock.uri())).await;
    let (admin, chat) = meta_chat(&app).await;
    // The rule's keyword is the button's id, not its title.
    let res = app
        .call(
            &admin,
            "admin/bot/save_rule",
            &[
                ("keyword", "delivery_ok"),
                ("match_type", "exact"),
                ("reply", "Terima kasih sudah konfirmasi!"),
                ("enabled", "on"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // Our buttons went out as wamid.menu (sent by an agent, then the chat goes back to the bot).
    let res = send_options(&app, &admin, chat, buttons(&["Sudah diterima"])).await;
    assert_eq!(res.status(), StatusCode::OK);
    let menu: MessageView = res.json().await.unwrap();
    assert_eq!(app.drain_outbox().await, vec![Outcome::Sent]);
    let res = app
        .call(
            &admin,
            "chats/set_mode",
            &[("chat_id", &chat.to_string()), ("mode", "bot")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let mut tap: Value =
        serde_json::from_slice(&fixture("meta_interactive_button_reply.json")).unwrap();
    let m = &mut tap["entry"][0]["changes"][0]["value"]["messages"][0];
    m["timestamp"] = json!(chrono::Utc::now().timestamp().to_string());
    m["context"]["id"] = json!("wamid.menu");
    m["interactive"]["button_reply"] = json!({ "id": "delivery_ok", "title": "Sudah diterima" });
    let res = app.post_meta(&serde_json::to_vec(&tap).unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK);

    let replies: Vec<(String, String)> = sqlx::query_as(
        "select sender_kind, body from message where direction = 'out' order by message_id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        replies,
        [
            ("agent".to_string(), "Paketnya sudah diterima?".to_string()),
            (
                "bot".to_string(),
                "Terima kasih sudah konfirmasi!".to_string()
            ),
        ],
        "the bot answered the tap's id"
    );
    // The tap shows its title and the message it answered.
    let (tap_id,): (i64,) =
        sqlx::query_as("select message_id from message where kind = 'interactive_reply'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let shown = crate::outgoing_files::view(&app, tap_id).await;
    assert_eq!(shown.body.as_deref(), Some("Sudah diterima"));
    let quoted = shown.quoted.expect("the tap shows what it answered");
    assert_eq!(quoted.message_id, Some(menu.message_id));
    assert!(!quoted.from_customer);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_bot_menu_goes_numbered_where_there_are_no_buttons_and_the_number_is_a_tap(pool: PgPool) {
    let app = TestApp::spawn_demo(pool).await;
    let phone = app.client();
    let write = |text: &'static str| {
        let (app, phone) = (&app, &phone);
        async move {
            let res = app
                .call(
                    phone,
                    "sandbox/send",
                    &[("phone", "6281298765432"), ("name", "Budi"), ("text", text)],
                )
                .await;
            assert_eq!(res.status(), StatusCode::OK);
        }
    };
    let (admin, _) = app.signed_in("boss", Role::Admin).await;
    for (keyword, reply, buttons) in [
        ("menu", "Mau tanya apa?", "Harga\nOngkir\n\nJam buka"),
        ("ongkir", "Ongkir tergantung kota tujuan.", ""),
    ] {
        let res = app
            .call(
                &admin,
                "admin/bot/save_rule",
                &[
                    ("keyword", keyword),
                    ("match_type", "exact"),
                    ("reply", reply),
                    ("enabled", "on"),
                    ("buttons", buttons),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    // Too many options are refused when the rule is saved.
    let eleven = (1..=11)
        .map(|i| format!("Pilihan {i}"))
        .collect::<Vec<_>>()
        .join("\n");
    let res = app
        .call(
            &admin,
            "admin/bot/save_rule",
            &[
                ("keyword", "semua"),
                ("match_type", "exact"),
                ("reply", "Pilih"),
                ("enabled", "on"),
                ("buttons", &eleven),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    write("menu").await;
    assert_eq!(app.drain_outbox().await, vec![Outcome::Sent]);
    let seen: model::SandboxThread = app
        .call(&phone, "sandbox/messages", &[("phone", "6281298765432")])
        .await
        .json()
        .await
        .unwrap();
    let menu = seen.messages.last().unwrap();
    assert_eq!(menu.kind, MessageKind::Interactive);
    assert_eq!(menu.body.as_deref(), Some("Mau tanya apa?"));
    assert_eq!(
        menu.interactive
            .as_ref()
            .unwrap()
            .options
            .iter()
            .map(|o| o.title.as_str())
            .collect::<Vec<_>>(),
        ["Harga", "Ongkir", "Jam buka"],
        "blank lines are not options"
    );

    // "2" picks the second option: the rule of its id answers.
    write(" 2 ").await;
    let answer: String = sqlx::query_scalar(
        "select body from message where sender_kind = 'bot' order by message_id desc limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(answer, "Ongkir tergantung kota tujuan.");
    // A number past the menu is just text (no rule, no fallback: silence).
    write("7").await;
    assert_eq!(
        app.count("select count(*) from message where sender_kind = 'bot'")
            .await,
        2
    );
}
