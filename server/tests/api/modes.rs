//! Modes and assignment over HTTP: who may change what (403 otherwise), the takeover by reply,
//! Take, hand back, close and reopen, and that every change is audited and shown as a system
//! event in the conversation.

use crate::helpers::{test_config, TestApp};
use model::Role;
use reqwest::StatusCode;
use sqlx::PgPool;

async fn app_with_chat(pool: PgPool) -> (TestApp, i64) {
    let app = TestApp::spawn_demo(pool).await;
    let res = app
        .call(
            &app.client(),
            "sandbox/send",
            &[
                ("phone", "6281298765432"),
                ("name", "Budi"),
                ("text", "halo"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let chat: i64 = sqlx::query_scalar("select chat_id from chat")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    (app, chat)
}

async fn state(app: &TestApp, chat: i64) -> (String, Option<String>) {
    sqlx::query_as("select c.mode, u.username from chat c left join app_user u on u.user_id = c.assigned_user_id where chat_id = $1")
        .bind(chat)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn system_events(app: &TestApp, chat: i64) -> Vec<String> {
    sqlx::query_scalar("select body from message where chat_id = $1 and sender_kind = 'system' order by message_id")
        .bind(chat)
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

async fn signed_in(app: &TestApp, username: &str, password: &str) -> reqwest::Client {
    let client = app.client();
    assert_eq!(
        app.login(&client, username, password).await.status(),
        StatusCode::OK
    );
    client
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_agent_replying_in_a_bot_chat_takes_it_over(pool: PgPool) {
    let (app, chat) = app_with_chat(pool).await;
    assert_eq!(state(&app, chat).await, ("bot".to_string(), None));
    let rina = signed_in(&app, "rina", "rina-demo").await;
    let res = app
        .call(
            &rina,
            "chats/reply",
            &[("chat_id", &chat.to_string()), ("text", "Saya bantu ya")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        state(&app, chat).await,
        ("agent".to_string(), Some("rina".to_string()))
    );
    assert_eq!(
        system_events(&app, chat).await,
        vec![
            "Mode changed from BOT to AGENT by Rina",
            "Assigned to Rina by Rina"
        ]
    );
    assert_eq!(app.count("select count(*) from chat_audit").await, 2);
    // The system events come with their structured form, for translation.
    let conversation: model::Conversation = app
        .call(&rina, "chats/open", &[("chat_id", &chat.to_string())])
        .await
        .json()
        .await
        .unwrap();
    let assign = conversation
        .messages
        .iter()
        .find(|m| m.event.as_ref().is_some_and(|e| e["event"] == "assign"))
        .unwrap();
    assert_eq!(assign.event.as_ref().unwrap()["to"], "Rina");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn only_the_assigned_agent_or_an_admin_may_act_on_an_assigned_chat(pool: PgPool) {
    let (app, chat) = app_with_chat(pool).await;
    app.create_user("budi", Role::Agent, "budi-password").await;
    let admin = signed_in(&app, "admin", "admin-demo").await;
    let rina_id: i64 = sqlx::query_scalar("select user_id from app_user where username = 'rina'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let id = chat.to_string();
    let res = app
        .call(
            &admin,
            "chats/assign",
            &[("chat_id", &id), ("user_id", &rina_id.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(state(&app, chat).await.1.as_deref(), Some("rina"));
    assert_eq!(
        system_events(&app, chat).await,
        vec!["Assigned to Rina by Admin Demo"]
    );

    let budi = signed_in(&app, "budi", "budi-password").await;
    for (endpoint, form) in [
        (
            "chats/reply",
            vec![("chat_id", id.as_str()), ("text", "hi")],
        ),
        (
            "chats/set_mode",
            vec![("chat_id", id.as_str()), ("mode", "closed")],
        ),
        ("chats/hand_back", vec![("chat_id", id.as_str())]),
        ("chats/assign", vec![("chat_id", id.as_str())]),
    ] {
        let res = app.call(&budi, endpoint, &form).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{endpoint}");
    }
    let res = app.call(&budi, "chats/take", &[("chat_id", &id)]).await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "already assigned");
    assert_eq!(
        app.count("select count(*) from message where direction = 'out'")
            .await,
        0
    );

    // The admin may still reply; the chat stays Rina's.
    let res = app
        .call(
            &admin,
            "chats/reply",
            &[("chat_id", &id), ("text", "Admin di sini")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        state(&app, chat).await,
        ("agent".to_string(), Some("rina".to_string()))
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn take_hand_back_close_and_reopen(pool: PgPool) {
    let (app, chat) = app_with_chat(pool).await;
    let id = chat.to_string();
    let rina = signed_in(&app, "rina", "rina-demo").await;
    assert_eq!(
        app.call(&rina, "chats/take", &[("chat_id", &id)])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        state(&app, chat).await,
        ("agent".to_string(), Some("rina".to_string()))
    );
    assert_eq!(
        app.call(&rina, "chats/hand_back", &[("chat_id", &id)])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(state(&app, chat).await, ("bot".to_string(), None));
    assert_eq!(
        app.call(
            &rina,
            "chats/set_mode",
            &[("chat_id", &id), ("mode", "paused")]
        )
        .await
        .status(),
        StatusCode::OK
    );
    // Paused: stored, but nobody is notified.
    app.call(&rina, "chats/mark_read", &[("chat_id", &id)])
        .await;
    app.call(
        &app.client(),
        "sandbox/send",
        &[
            ("phone", "6281298765432"),
            ("name", "Budi"),
            ("text", "halo lagi"),
        ],
    )
    .await;
    assert_eq!(app.count("select unread_count::bigint from chat").await, 0);
    assert_eq!(
        app.call(
            &rina,
            "chats/set_mode",
            &[("chat_id", &id), ("mode", "closed")]
        )
        .await
        .status(),
        StatusCode::OK
    );
    let closed_at: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("select closed_at from chat")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(closed_at.is_some());
    assert_eq!(
        app.call(
            &rina,
            "chats/set_mode",
            &[("chat_id", &id), ("mode", "nonsense")]
        )
        .await
        .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // The customer writes again: the same chat reopens into BOT, and says so.
    app.call(
        &app.client(),
        "sandbox/send",
        &[
            ("phone", "6281298765432"),
            ("name", "Budi"),
            ("text", "masih ada?"),
        ],
    )
    .await;
    assert_eq!(app.count("select count(*) from chat").await, 1);
    assert_eq!(state(&app, chat).await.0, "bot");
    let events = system_events(&app, chat).await;
    assert_eq!(
        events.last().map(String::as_str),
        Some("Mode changed from CLOSED to BOT")
    );
    type AuditRow = (Option<i64>, String, Option<String>, Option<String>);
    let audit: Vec<AuditRow> = sqlx::query_as(
        "select actor_user_id, action, from_value, to_value from chat_audit order by chat_audit_id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let modes: Vec<(Option<String>, Option<String>)> = audit
        .iter()
        .filter(|a| a.1 == "mode")
        .map(|a| (a.2.clone(), a.3.clone()))
        .collect();
    let m = |a: &str, b: &str| (Some(a.to_string()), Some(b.to_string()));
    assert_eq!(
        modes,
        vec![
            m("bot", "agent"),
            m("agent", "bot"),
            m("bot", "paused"),
            m("paused", "closed"),
            m("closed", "bot")
        ]
    );
    assert!(
        audit.last().unwrap().0.is_none(),
        "the reopening was done by the system"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn demo_mode_opens_on_sample_chats_in_every_mode_and_the_bots_sample_rules(pool: PgPool) {
    let mut config = test_config();
    config.demo = true;
    config.demo_data = true;
    let app = TestApp::spawn_with(pool.clone(), config).await;
    let modes: Vec<String> = sqlx::query_scalar("select distinct mode from chat order by mode")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(modes, vec!["agent", "bot", "closed", "paused"]);
    assert!(
        app.count("select count(*) from chat where assigned_user_id is not null")
            .await
            >= 1
    );
    assert!(
        app.count("select count(*) from chat where assigned_user_id is null and mode = 'agent'")
            .await
            >= 1,
        "one waits in Unassigned"
    );
    assert!(app.count("select count(*) from bot_rule").await >= 6);
    assert!(
        app.count("select count(*) from message where sender_kind = 'bot'")
            .await
            >= 1,
        "the bot answered its greeting"
    );
    // Starting again adds nothing.
    let (chats, rules) = (
        app.count("select count(*) from chat").await,
        app.count("select count(*) from bot_rule").await,
    );
    drop(app);
    let mut config = test_config();
    config.demo = true;
    config.demo_data = true;
    let app = TestApp::spawn_with(pool, config).await;
    assert_eq!(
        (
            app.count("select count(*) from chat").await,
            app.count("select count(*) from bot_rule").await
        ),
        (chats, rules)
    );
}
