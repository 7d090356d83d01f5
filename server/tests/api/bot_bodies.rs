//! Several customer messages in one webhook body: the bot answers them in order, as if they had
//! come one by one (a handover part-way silences it for the rest), and a closed chat reopens
//! once for all of them. Ingest stores a whole group of messages in one statement, so these
//! check that what follows it still happens message by message.

use crate::bot::setup;
use crate::helpers::{provider_config, TestApp, META};
use model::Mode;
use reqwest::StatusCode;
use sqlx::PgPool;

/// A Meta app with the bot of `setup` (rules, fallback, handover text).
async fn meta_app(pool: PgPool, reopen: Mode) -> TestApp {
    drop(setup(pool.clone(), reopen).await);
    let mut config = provider_config("http://127.0.0.1:9");
    config.reopen_mode = reopen;
    TestApp::spawn_with(pool, config).await
}

async fn mode_of(app: &TestApp, phone: &str) -> String {
    sqlx::query_scalar(
        "select c.mode from chat c join contact ct using (contact_id) where ct.phone = $1",
    )
    .bind(phone)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

/// How many rows `sql` counts for the customer with this phone (`$1`).
async fn count_for(app: &TestApp, sql: &str, phone: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(phone)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

const CUSTOMER_MESSAGES: &str = "select count(*) from message m join chat c using (chat_id)
    join contact ct using (contact_id) where ct.phone = $1 and m.sender_kind = 'customer'";

async fn bot_replies_to(app: &TestApp, phone: &str) -> Vec<String> {
    sqlx::query_scalar(
        "select m.body from message m join chat c using (chat_id) join contact ct using (contact_id)
          where ct.phone = $1 and m.sender_kind = 'bot' order by m.message_id",
    )
    .bind(phone)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn messages_in_one_body_are_answered_in_order_as_if_they_came_one_by_one(pool: PgPool) {
    let app = meta_app(pool, Mode::Bot).await;
    let phone = "6285711110001";
    let body = META.texts(
        phone,
        &[
            ("wamid.b1", "halo"),
            ("wamid.b2", "qwerty"),
            ("wamid.b3", "zxcvb"),
            ("wamid.b4", "saya mau bicara dengan manusia"),
            ("wamid.b5", "halo"),
        ],
    );
    assert_eq!(app.post_meta(&body).await.status(), StatusCode::OK);
    assert_eq!(
        bot_replies_to(&app, phone).await,
        vec![
            "Halo! Ada yang bisa kami bantu?",
            // The fallback once, not for the next unknown line of the same body.
            "Maaf, kami belum mengerti.",
            // The handover; after it the bot is silent (no answer to the second "halo").
            "Baik, kami sambungkan ke CS.",
        ]
    );
    assert_eq!(mode_of(&app, phone).await, "agent");
    assert_eq!(count_for(&app, CUSTOMER_MESSAGES, phone).await, 5);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_closed_chat_reopens_once_for_several_messages_in_one_body(pool: PgPool) {
    let app = meta_app(pool, Mode::Bot).await;
    let phone = "6285711110002";
    app.post_meta(&META.text(phone, "wamid.c1", "halo")).await;
    sqlx::query("update chat set mode = 'closed', closed_at = now() where contact_id = (select contact_id from contact where phone = $1)")
        .bind(phone)
        .execute(&app.pool)
        .await
        .unwrap();

    let body = META.texts(phone, &[("wamid.c2", "qwerty"), ("wamid.c3", "asdfg")]);
    assert_eq!(app.post_meta(&body).await.status(), StatusCode::OK);
    let chats =
        "select count(*) from chat c join contact ct using (contact_id) where ct.phone = $1";
    assert_eq!(count_for(&app, chats, phone).await, 1);
    assert_eq!(mode_of(&app, phone).await, "bot");
    let reopenings = "select count(*) from chat_audit a join chat c using (chat_id) join contact ct using (contact_id)
                       where ct.phone = $1 and a.action = 'mode' and a.from_value = 'closed'";
    assert_eq!(count_for(&app, reopenings, phone).await, 1, "one reopening");
    assert_eq!(count_for(&app, CUSTOMER_MESSAGES, phone).await, 3);
    // The reopened chat gets the fallback once for its two unknown lines.
    assert_eq!(
        bot_replies_to(&app, phone).await,
        vec![
            "Halo! Ada yang bisa kami bantu?",
            "Maaf, kami belum mengerti."
        ]
    );

    // The same body again changes nothing.
    assert_eq!(app.post_meta(&body).await.status(), StatusCode::OK);
    assert_eq!(count_for(&app, CUSTOMER_MESSAGES, phone).await, 3);
    assert_eq!(bot_replies_to(&app, phone).await.len(), 2);
}
