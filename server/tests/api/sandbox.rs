//! The sandbox phone: a customer message goes through the same ingest path as a webhook, the
//! reply reaches the phone once sent (and counts as read there), the customer's message shows
//! read once the business's read receipt is delivered, "typing…" shows once delivered and ends
//! with our message; files go both ways; outside demo mode only admins may use it.

use crate::helpers::TestApp;
use crate::outgoing_files::{send_file, view, JPEG, PDF};
use inbox::outbox::Outcome;
use model::{MediaState, MessageId};
use model::{Role, SandboxThread};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use sqlx::PgPool;

/// What the sandbox phone of 6281298765432 shows.
async fn phone_sees(app: &TestApp, phone: &reqwest::Client) -> SandboxThread {
    app.call(phone, "sandbox/messages", &[("phone", "6281298765432")])
        .await
        .json()
        .await
        .unwrap()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_sandbox_phone_chats_through_the_same_path(pool: PgPool) {
    let app = TestApp::spawn_demo(pool).await;
    let phone = app.client();
    let res = app
        .call(
            &phone,
            "sandbox/send",
            &[
                ("phone", "0812-9876-5432"),
                ("name", "Budi"),
                ("text", "<b>halo</b>"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let (contact_phone, body): (String, String) = sqlx::query_as(
        "select phone, body from message join chat using (chat_id) join contact using (contact_id)",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (contact_phone.as_str(), body.as_str()),
        ("6281298765432", "<b>halo</b>"),
        "Indonesian 08… becomes 628…"
    );

    let agent = app.client();
    assert_eq!(
        app.login(&agent, "rina", "rina-demo").await.status(),
        StatusCode::OK
    );
    let chat: i64 = sqlx::query_scalar("select chat_id from chat")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    // Until the business reads it, the customer's message is delivered, not read.
    let thread = phone_sees(&app, &phone).await;
    assert_eq!(thread.read_up_to, None);
    // The agent opens the chat: once the outbox has delivered the read receipt, the phone
    // shows the customer's message read.
    crate::receipts::open(&app, &agent, chat).await;
    let queued = phone_sees(&app, &phone).await;
    assert_eq!(queued.read_up_to, None, "a receipt queued is not read yet");
    assert_eq!(app.drain_outbox().await, vec![Outcome::Sent]);
    let customers: MessageId =
        sqlx::query_scalar("select message_id from message where direction = 'in'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    app.reply(&agent, chat, "Halo Budi").await;
    assert_eq!(app.drain_outbox().await, vec![Outcome::Sent]);
    let thread = phone_sees(&app, &phone).await;
    assert_eq!(thread.read_up_to, Some(customers));
    let seen = thread.messages;
    assert_eq!(
        seen.iter()
            .map(|m| m.body.clone().unwrap())
            .collect::<Vec<_>>(),
        vec!["<b>halo</b>", "Halo Budi"]
    );
    assert_eq!(
        app.reply_statuses().await,
        vec!["read"],
        "shown on the phone: delivered and read"
    );

    let res = app
        .call(
            &phone,
            "sandbox/send",
            &[("phone", "12"), ("name", "x"), ("text", "hi")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// "Typing…" shows on the phone once the outbox delivered it, never when only queued, and ends
/// with a stop, with our next message reaching the phone, or after 25 s; a reply still queued
/// is not on the phone yet.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_sandbox_phone_shows_typing_until_our_message_arrives(pool: PgPool) {
    let app = TestApp::spawn_demo(pool).await;
    let phone = app.client();
    app.call(
        &phone,
        "sandbox/send",
        &[
            ("phone", "6281298765432"),
            ("name", "Budi"),
            ("text", "ada stok?"),
        ],
    )
    .await;
    let chat = crate::receipts::chat_id(&app).await;
    let (agent, _) = app.signed_in("wulan", Role::Agent).await;
    let typing_for = |thread: &SandboxThread| thread.typing_for_ms;

    assert_eq!(
        crate::receipts::typing(&app, &agent, chat, true).await,
        StatusCode::OK
    );
    assert_eq!(
        typing_for(&phone_sees(&app, &phone).await),
        None,
        "queued is not shown"
    );
    assert_eq!(app.drain_outbox().await, vec![Outcome::Sent]);
    let shown = typing_for(&phone_sees(&app, &phone).await).expect("typing shows once delivered");
    assert!((20_000..=25_000).contains(&shown), "{shown} ms left");

    // A reply still queued is not on the phone, and "typing…" goes on; once sent, the reply
    // is there and "typing…" has ended.
    assert_eq!(
        app.reply(&agent, chat, "ada kak").await.status(),
        StatusCode::OK
    );
    let thread = phone_sees(&app, &phone).await;
    assert_eq!(thread.messages.len(), 1, "only the customer's message");
    assert!(thread.typing_for_ms.is_some());
    assert_eq!(app.drain_outbox().await, vec![Outcome::Sent]);
    let thread = phone_sees(&app, &phone).await;
    assert_eq!(
        thread
            .messages
            .iter()
            .map(|m| m.body.clone().unwrap())
            .collect::<Vec<_>>(),
        vec!["ada stok?", "ada kak"]
    );
    assert_eq!(thread.typing_for_ms, None, "our message ended it");

    // The agent types again and stops: the sandbox takes "typing…" away.
    crate::receipts::typing(&app, &agent, chat, true).await;
    app.drain_outbox().await;
    assert!(typing_for(&phone_sees(&app, &phone).await).is_some());
    crate::receipts::typing(&app, &agent, chat, false).await;
    assert_eq!(app.drain_outbox().await, vec![Outcome::Sent]);
    assert_eq!(typing_for(&phone_sees(&app, &phone).await), None);

    // Shown 25 s ago (moved back in the database rather than waited for): over.
    sqlx::query("update chat set typing_at = null")
        .execute(&app.pool)
        .await
        .unwrap();
    crate::receipts::typing(&app, &agent, chat, true).await;
    app.drain_outbox().await;
    sqlx::query("update chat set typing_shown_at = now() - interval '25 seconds'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(typing_for(&phone_sees(&app, &phone).await), None);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn outside_demo_mode_the_sandbox_is_for_admins_only(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let res = app
        .call(
            &app.client(),
            "sandbox/send",
            &[("phone", "6281298765432"), ("name", "x"), ("text", "hi")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let (agent, _) = app.signed_in("rina", Role::Agent).await;
    let res = app
        .call(
            &agent,
            "sandbox/send",
            &[("phone", "6281298765432"), ("name", "x"), ("text", "hi")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("select count(*) from message").await, 0);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_sandbox_phone_sends_files_both_ways(pool: PgPool) {
    let app = TestApp::spawn_demo(pool).await;
    let phone = reqwest::Client::new();
    let form = Form::new()
        .text("phone", "6281298765432")
        .text("name", "Budi")
        .text("caption", "Struk transfernya")
        .part(
            "file",
            Part::bytes(JPEG.to_vec())
                .file_name("struk.jpg")
                .mime_str("image/jpeg")
                .unwrap(),
        );
    let res = phone
        .post(app.url("/sandbox/files"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    assert_eq!(app.drain_media().await, vec![inbox::media::Fetched::Ready]);
    let photo: i64 = sqlx::query_scalar("select message_id from message where kind = 'image'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let shown = view(&app, photo).await;
    assert_eq!(shown.body.as_deref(), Some("Struk transfernya"));
    assert_eq!(shown.media.unwrap().state, MediaState::Ready);
    // The sandbox phone (signed out, demo mode) sees its own files; nobody else's.
    let res = phone
        .get(app.url(&model::MediaView::url(MessageId(photo))))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), JPEG);

    let chat: i64 = sqlx::query_scalar("select chat_id from chat")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (agent, _) = app.signed_in("sari", Role::Agent).await;
    let res = send_file(
        &app,
        &agent,
        chat,
        ("Invoice.pdf", "application/pdf", PDF),
        &[],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.drain_outbox().await, vec![Outcome::Sent]);
    let seen = phone_sees(&app, &phone).await;
    let doc = seen
        .messages
        .iter()
        .find(|m| m.kind == model::MessageKind::Document)
        .expect("the phone shows the agent's document");
    assert_eq!(
        doc.media.as_ref().unwrap().filename.as_deref(),
        Some("Invoice.pdf")
    );
}
