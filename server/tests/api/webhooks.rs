//! Webhooks over real HTTP: every fixture stored exactly once, redeliveries change nothing,
//! batches store every message, bad signatures and bad bodies are refused with nothing stored,
//! statuses move forward only, Whapi echoes never become customer messages, and concurrent
//! deliveries keep one contact and one chat per customer.

use crate::helpers::{fixture, provider_config, TestApp, META, META_SECRET};
use futures::StreamExt;
use reqwest::StatusCode;
use sqlx::PgPool;
use test_support::signature::meta_signature;

/// Meta fixtures with customer messages, and how many each holds (read off the files).
pub const META_MESSAGE_FIXTURES: [(&str, i64); 12] = [
    ("meta_text.json", 1),
    ("meta_image.json", 1),
    ("meta_audio_voice.json", 1),
    ("meta_location.json", 1),
    ("meta_contacts.json", 1),
    ("meta_interactive_button_reply.json", 1),
    ("meta_interactive_list_reply.json", 1),
    ("meta_button_quick_reply.json", 1),
    ("meta_reaction.json", 2),
    ("meta_unsupported.json", 1),
    ("meta_multi_entry_batch.json", 3),
    ("meta_text_username_no_phone.json", 1),
];

async fn app(pool: PgPool) -> TestApp {
    TestApp::spawn_with(pool, provider_config("http://127.0.0.1:9")).await
}

pub const INBOUND: &str = "select count(*) from message where direction = 'in'";

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn meta_subscription_handshake_echoes_the_challenge_only_with_the_right_token(pool: PgPool) {
    let app = app(pool).await;
    let ok = reqwest::get(app.url("/api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444")).await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(ok.text().await.unwrap(), "1158201444");
    let bad = reqwest::get(
        app.url("/api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1"),
    )
    .await
    .unwrap();
    assert_eq!(bad.status(), StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn every_meta_fixture_is_stored_once_and_redelivery_changes_nothing(pool: PgPool) {
    let app = app(pool).await;
    let mut expected = 0;
    for (name, count) in META_MESSAGE_FIXTURES {
        let res = app.post_meta(&fixture(name)).await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{name}: {}",
            res.text().await.unwrap()
        );
        expected += count;
        assert_eq!(app.count(INBOUND).await, expected, "after {name}");
    }
    assert_eq!(expected, 15);
    let chats_before = app.count("select count(*) from chat").await;
    let events_before = app.count("select count(*) from event").await;
    for (name, _) in META_MESSAGE_FIXTURES {
        assert_eq!(
            app.post_meta(&fixture(name)).await.status(),
            StatusCode::OK,
            "redelivery of {name}"
        );
    }
    assert_eq!(
        app.count(INBOUND).await,
        expected,
        "redeliveries store nothing"
    );
    assert_eq!(app.count("select count(*) from chat").await, chats_before);
    assert_eq!(
        app.count("select count(*) from event").await,
        events_before,
        "and publish nothing"
    );

    // The batch's second business number was registered as its own channel.
    assert_eq!(
        app.count("select count(*) from channel where kind = 'meta'")
            .await,
        2
    );
    // Unknown types are kept, with the raw part.
    let raw: serde_json::Value =
        sqlx::query_scalar("select raw from message where kind = 'unsupported'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(raw["type"], "unsupported");
    // A username-only customer (no phone number) works, keyed by the BSUID.
    let bsuid_only = app
        .count("select count(*) from contact where phone is null and bsuid is not null")
        .await;
    assert_eq!(bsuid_only, 1);
    // Rina wrote text, image, contacts, buttons, reactions: one contact, one chat.
    let rina_chats = app.count("select count(*) from chat join contact using (contact_id) where phone = '6281298765432' and channel_id = (select channel_id from channel where channel_key = '106540352242922')").await;
    assert_eq!(rina_chats, 1);
    let name: String =
        sqlx::query_scalar("select display_name from contact where phone = '6281298765432'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(name, "Rina Wulandari");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn bad_or_missing_signatures_are_refused_and_nothing_is_stored(pool: PgPool) {
    let app = app(pool).await;
    let body = fixture("meta_text.json");
    let send = |signature: Option<String>, body: Vec<u8>| {
        let url = app.url("/api/webhooks/whatsapp");
        async move {
            let mut req = reqwest::Client::new().post(url).body(body);
            if let Some(s) = signature {
                req = req.header("x-hub-signature-256", s);
            }
            req.send().await.unwrap()
        }
    };
    assert_eq!(
        send(None, body.clone()).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(Some("sha256=00".into()), body.clone()).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let mut flipped = body.clone();
    flipped[20] ^= 1;
    assert_eq!(
        send(Some(meta_signature(META_SECRET, &body)), flipped)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // The fixture README's own test vector is accepted.
    let vector = "sha256=dd97068c54a1fd06677917f7fcedf9c0cdedc750874435bd5595e599df770aee";
    assert_eq!(
        send(Some(vector.into()), body).await.status(),
        StatusCode::OK
    );
    assert_eq!(app.count(INBOUND).await, 1);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn unparseable_bodies_get_400_with_a_reason_and_store_nothing(pool: PgPool) {
    let app = app(pool).await;
    let res = app.post_meta(b"{not json").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("JSON"));
    let res = app.post_meta(&fixture("whapi_text.json")).await;
    assert_eq!(
        res.status(),
        StatusCode::BAD_REQUEST,
        "a Whapi body is not a Meta webhook"
    );
    assert!(!res.text().await.unwrap().is_empty());
    assert_eq!(app.count(INBOUND).await, 0);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_half_valid_body_stores_the_valid_messages(pool: PgPool) {
    let app = app(pool).await;
    let mut body: serde_json::Value =
        serde_json::from_slice(&META.text("6281200000001", "wamid.good", "valid")).unwrap();
    body["entry"][0]["changes"][0]["value"]["messages"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({ "garbage": true }));
    let res = app.post_meta(&serde_json::to_vec(&body).unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.count(INBOUND).await, 1);
}

/// An outbound message in Rina's chat, as the outbox leaves it after a send.
async fn sent_message(app: &TestApp, wamid: &str) -> i64 {
    let chat: i64 = sqlx::query_scalar(
        "select chat_id from chat join contact using (contact_id) where phone = '6281298765432'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    sqlx::query_scalar(
        "insert into message (chat_id, channel_id, direction, sender_kind, kind, body, status, provider_message_id)
         select $1, channel_id, 'out', 'agent', 'text', 'hi', 'sent', $2 from chat where chat_id = $1 returning message_id",
    )
    .bind(chat)
    .bind(wamid)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

async fn status_of(app: &TestApp, id: i64) -> (String, Option<String>, Option<String>) {
    sqlx::query_as("select status, error_code, error_reason from message where message_id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn statuses_only_move_forward_and_failures_carry_the_provider_reason(pool: PgPool) {
    let app = app(pool).await;
    app.post_meta(&META.text("6281298765432", "wamid.in1", "halo"))
        .await;
    let read_id = "wamid.HBgNNjI4MTI5ODc2NTQzMhUCABEYEjVGNDI1QTc0RjEzMDMzNDkyQQA=";
    let msg = sent_message(&app, read_id).await;
    assert_eq!(
        app.post_meta(&fixture("meta_status_read.json"))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(status_of(&app, msg).await.0, "read");
    // A late "delivered" after "read" is ignored, and so is a redelivered "sent".
    app.post_meta(&META.status(read_id, "delivered")).await;
    app.post_meta(&META.status(read_id, "sent")).await;
    assert_eq!(status_of(&app, msg).await.0, "read");
    // A failure cannot undo a delivery either.
    app.post_meta(&META.status(read_id, "failed")).await;
    assert_eq!(status_of(&app, msg).await.0, "read");

    app.post_meta(&META.text("6285712345678", "wamid.in2", "halo"))
        .await;
    let failed_id = "wamid.HBgNNjI4NTcxMjM0NTY3OBUCABEYEjA4RTc5M0NEM0FDM0E1RkIwNgA=";
    let chat: i64 = sqlx::query_scalar(
        "select chat_id from chat join contact using (contact_id) where phone = '6285712345678'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let msg2: i64 = sqlx::query_scalar(
        "insert into message (chat_id, channel_id, direction, sender_kind, kind, body, status, provider_message_id)
         select $1, channel_id, 'out', 'agent', 'text', 'hi', 'sent', $2 from chat where chat_id = $1 returning message_id",
    )
    .bind(chat)
    .bind(failed_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        app.post_meta(&fixture("meta_status_failed_131047.json"))
            .await
            .status(),
        StatusCode::OK
    );
    let (status, code, reason) = status_of(&app, msg2).await;
    assert_eq!(
        (status.as_str(), code.as_deref()),
        ("failed", Some("131047"))
    );
    assert!(
        reason.unwrap().contains("24"),
        "the provider's reason is kept"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn whapi_messages_are_stored_and_our_own_echoes_are_not(pool: PgPool) {
    let app = app(pool).await;
    assert_eq!(
        app.post_whapi(&fixture("whapi_text.json")).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.post_whapi(&fixture("whapi_text.json")).await.status(),
        StatusCode::OK
    );
    assert_eq!(app.count(INBOUND).await, 1);
    assert_eq!(
        app.post_whapi(&fixture("whapi_from_me_echo.json"))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.count("select count(*) from message").await,
        1,
        "an echo of our own send is not a customer message"
    );
    assert_eq!(
        app.post_whapi(&fixture("whapi_status_delivered.json"))
            .await
            .status(),
        StatusCode::OK
    );

    // Without the shared secret: 401, nothing stored.
    let res = reqwest::Client::new()
        .post(app.url("/webhook/whapi/messages"))
        .body(fixture("whapi_text.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = reqwest::Client::new()
        .post(app.url(&format!(
            "/webhook/whapi/messages?secret={}",
            crate::helpers::WHAPI_SECRET
        )))
        .body(fixture("whapi_text.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the secret may come as a query parameter"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn fifty_concurrent_first_messages_from_one_new_number_make_one_contact_and_one_chat(
    pool: PgPool,
) {
    let app = app(pool).await;
    let bodies: Vec<Vec<u8>> = (0..50)
        .map(|i| {
            META.text(
                "6281311112222",
                &format!("wamid.burst{i}"),
                &format!("msg {i}"),
            )
        })
        .collect();
    let statuses: Vec<StatusCode> = futures::stream::iter(bodies.iter())
        .map(|b| app.post_meta(b))
        .buffer_unordered(50)
        .map(|r| r.status())
        .collect()
        .await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    assert_eq!(
        app.count("select count(*) from contact where phone = '6281311112222'")
            .await,
        1
    );
    assert_eq!(app.count("select count(*) from chat").await, 1);
    assert_eq!(app.count(INBOUND).await, 50);
    assert_eq!(app.count("select unread_count::bigint from chat").await, 50);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_thousand_messages_with_redeliveries_from_a_hundred_numbers_store_exactly_a_thousand(
    pool: PgPool,
) {
    let app = app(pool).await;
    let mut bodies: Vec<Vec<u8>> = (0..1000)
        .map(|i| {
            META.text(
                &format!("62812{:07}", i % 100),
                &format!("wamid.load{i}"),
                &format!("message {i}"),
            )
        })
        .collect();
    // 20 % of them arrive twice (providers deliver at least once).
    let redelivered: Vec<Vec<u8>> = bodies.iter().step_by(5).cloned().collect();
    bodies.extend(redelivered);
    assert_eq!(bodies.len(), 1200);
    let failures = futures::stream::iter(bodies.iter())
        .map(|b| app.post_meta(b))
        .buffer_unordered(32)
        .filter(|r| std::future::ready(r.status() != StatusCode::OK))
        .count()
        .await;
    assert_eq!(failures, 0);
    assert_eq!(app.count(INBOUND).await, 1000);
    assert_eq!(app.count("select count(*) from contact").await, 100);
    assert_eq!(app.count("select count(*) from chat").await, 100);
}
