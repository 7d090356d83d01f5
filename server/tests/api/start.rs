//! "New conversation": an agent messages a number that never wrote. The chat starts in AGENT
//! mode assigned to them (a second start opens the same chat; a closed one is reopened, its
//! history kept); a bad number, an unknown or a disabled channel are refused. On Meta, the
//! window of a number that never wrote is closed: free text is refused, so the composer offers
//! templates.

use crate::helpers::{provider_config, TestApp};
use model::{ChatId, Role};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

async fn start(
    app: &TestApp,
    client: &reqwest::Client,
    channel: i64,
    phone: &str,
) -> reqwest::Response {
    app.call(
        client,
        "chats/start",
        &[("channel_id", &channel.to_string()), ("phone", phone)],
    )
    .await
}

async fn channel_of(app: &TestApp, kind: &str) -> i64 {
    sqlx::query_scalar("select channel_id from channel where kind = $1")
        .bind(kind)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_agent_starts_a_conversation_with_a_number_that_never_wrote(pool: PgPool) {
    let app = TestApp::spawn_with(pool, provider_config("http://127.0.0.1:9")).await;
    let (agent, rina) = app.signed_in("rina", Role::Agent).await;
    let sandbox = channel_of(&app, "sandbox").await;

    let res = start(&app, &agent, sandbox, "0812-1111-2222").await;
    assert_eq!(res.status(), StatusCode::OK);
    let chat: ChatId = res.json().await.unwrap();
    let (phone, mode, assigned): (String, String, Option<i64>) = sqlx::query_as(
        "select phone, mode, assigned_user_id from chat join contact using (contact_id) where chat_id = $1",
    )
    .bind(chat)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(phone, "6281211112222", "Indonesian 08… becomes 628…");
    assert_eq!(mode, "agent");
    assert_eq!(assigned, Some(rina.user_id.0));
    let started: Value =
        sqlx::query_scalar("select raw from message where chat_id = $1 and kind = 'system'")
            .bind(chat)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(started["event"], "started");
    // The first message goes like any reply.
    let res = app
        .reply(&agent, chat.0, "Halo kak, pesanannya sudah dikirim")
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    // The same number again (written another way): the same chat.
    let res = start(&app, &agent, sandbox, "+62 812-1111-2222").await;
    assert_eq!(res.json::<ChatId>().await.unwrap(), chat);
    assert_eq!(app.count("select count(*) from chat").await, 1);

    // A closed chat is reopened for the agent, its history kept.
    let res = app
        .call(
            &agent,
            "chats/set_mode",
            &[("chat_id", &chat.0.to_string()), ("mode", "closed")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = start(&app, &agent, sandbox, "081211112222").await;
    assert_eq!(res.json::<ChatId>().await.unwrap(), chat);
    let mode: String = sqlx::query_scalar("select mode from chat")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(mode, "agent");

    // Refusals.
    let res = start(&app, &agent, sandbox, "12").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.json::<Value>().await.unwrap()["Invalid"]["reason"],
        "phone_invalid"
    );
    let res = start(&app, &agent, 999_999, "081211113333").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let (admin, _) = app.signed_in("boss", Role::Admin).await;
    let whapi = channel_of(&app, "whapi").await;
    let res = app
        .call(
            &admin,
            "admin/channels/enable",
            &[("channel_id", &whapi.to_string()), ("enabled", "false")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = start(&app, &agent, whapi, "081211113333").await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(
        res.json::<Value>().await.unwrap()["Conflict"],
        "channel_disabled"
    );
    let anonymous = app.client();
    let res = start(&app, &anonymous, sandbox, "081211113333").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("select count(*) from chat").await, 1);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_meta_conversation_starts_with_a_template(pool: PgPool) {
    let app = TestApp::spawn_with(pool, provider_config("http://127.0.0.1:9")).await;
    let (agent, _) = app.signed_in("rina", Role::Agent).await;
    let meta = channel_of(&app, "meta").await;
    let res = start(&app, &agent, meta, "081298765432").await;
    assert_eq!(res.status(), StatusCode::OK);
    let chat: ChatId = res.json().await.unwrap();
    // No customer message: Meta's window never opened.
    let res = app.reply(&agent, chat.0, "Halo").await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(
        res.json::<Value>().await.unwrap()["Conflict"],
        "outside_24h_window"
    );
}
