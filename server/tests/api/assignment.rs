//! Auto-assignment: waiting AGENT chats go to the online agent with the fewest open chats,
//! never to offline or full agents, and are handed out when someone gets room or comes online.

use crate::helpers::TestApp;
use inbox::assignment::{distribute, AssignmentSettings};
use model::Role;
use reqwest::StatusCode;
use sqlx::PgPool;

async fn app(pool: PgPool, capacity: i32) -> TestApp {
    let app = TestApp::spawn_demo(pool).await;
    let mut conn = app.pool.acquire().await.unwrap();
    let on = AssignmentSettings {
        enabled: true,
        capacity,
    };
    inbox::db::settings::put(&mut conn, inbox::db::settings::ASSIGNMENT, &on)
        .await
        .unwrap();
    app
}

/// A customer who asks for a human: an AGENT chat, unassigned.
async fn waiting_chat(app: &TestApp, phone: &str) -> i64 {
    let res = app
        .call(
            &app.client(),
            "sandbox/send",
            &[
                ("phone", phone),
                ("name", phone),
                ("text", "mau bicara dengan manusia"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    sqlx::query_scalar("select chat_id from chat join contact using (contact_id) where phone = $1")
        .bind(phone)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn assignee(app: &TestApp, chat: i64) -> Option<String> {
    sqlx::query_scalar("select u.username from chat c left join app_user u on u.user_id = c.assigned_user_id where chat_id = $1")
        .bind(chat)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn online(app: &TestApp, username: &str) {
    sqlx::query("update app_user set last_seen_at = now() where username = $1")
        .bind(username)
        .execute(&app.pool)
        .await
        .unwrap();
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn waiting_chats_go_to_the_online_agent_with_the_fewest_open_chats(pool: PgPool) {
    let app = app(pool, 5).await;
    app.create_user("budi", Role::Agent, "budi-password").await;
    app.create_user("tono", Role::Agent, "tono-password").await;
    online(&app, "rina").await;
    online(&app, "budi").await;
    // tono is offline; the admin is not an agent.
    let first = waiting_chat(&app, "6281200000001").await;
    let second = waiting_chat(&app, "6281200000002").await;
    assert_eq!(distribute(&app.pool).await.unwrap(), 2);
    let mut got = vec![
        assignee(&app, first).await.unwrap(),
        assignee(&app, second).await.unwrap(),
    ];
    got.sort();
    assert_eq!(
        got,
        vec!["budi", "rina"],
        "one each: fewest open chats first"
    );
    let event: String = sqlx::query_scalar("select body from message where chat_id = $1 and sender_kind = 'system' order by message_id desc limit 1")
        .bind(first)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(event.starts_with("Assigned to "), "{event}");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn full_or_offline_agents_get_nothing_until_someone_has_room(pool: PgPool) {
    let app = app(pool, 1).await;
    let first = waiting_chat(&app, "6281200000001").await;
    let second = waiting_chat(&app, "6281200000002").await;
    assert_eq!(distribute(&app.pool).await.unwrap(), 0, "nobody online");
    online(&app, "rina").await;
    assert_eq!(distribute(&app.pool).await.unwrap(), 1, "capacity 1");
    assert_eq!(
        assignee(&app, first).await.as_deref(),
        Some("rina"),
        "the longest waiting first"
    );
    assert_eq!(assignee(&app, second).await, None);

    // Rina closes her chat: the next one is hers.
    let rina = app.client();
    app.login(&rina, "rina", "rina-demo").await;
    let res = app
        .call(
            &rina,
            "chats/set_mode",
            &[("chat_id", &first.to_string()), ("mode", "closed")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(distribute(&app.pool).await.unwrap(), 1);
    assert_eq!(assignee(&app, second).await.as_deref(), Some("rina"));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_open_event_stream_makes_an_agent_online(pool: PgPool) {
    let app = app(pool, 5).await;
    waiting_chat(&app, "6281200000001").await;
    let rina = app.client();
    app.login(&rina, "rina", "rina-demo").await;
    let _stream = rina.get(app.url("/api/events")).send().await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while app.count("select count(*) from app_user where username = 'rina' and last_seen_at > now() - interval '1 minute'").await == 0 {
        assert!(std::time::Instant::now() < deadline, "presence not recorded");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(distribute(&app.pool).await.unwrap(), 1);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn switched_off_nothing_is_assigned_and_agents_may_not_change_it(pool: PgPool) {
    let app = app(pool, 5).await;
    let rina = app.client();
    app.login(&rina, "rina", "rina-demo").await;
    let res = app
        .call(&rina, "admin/assignment/save", &[("capacity", "3")])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let admin = app.client();
    app.login(&admin, "admin", "admin-demo").await;
    let res = app
        .call(&admin, "admin/assignment/save", &[("capacity", "0")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .call(&admin, "admin/assignment/save", &[("capacity", "3")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    online(&app, "rina").await;
    let chat = waiting_chat(&app, "6281200000001").await;
    assert_eq!(distribute(&app.pool).await.unwrap(), 0);
    assert_eq!(assignee(&app, chat).await, None);
    let (enabled, capacity): (bool, i32) = app
        .call(&admin, "admin/assignment", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((enabled, capacity), (false, 3));
}
