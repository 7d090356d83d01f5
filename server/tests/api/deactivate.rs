//! Deactivating a user does not strand their chats: each goes back to the queue, unassigned,
//! with a system event saying so.

use crate::helpers::TestApp;
use model::Role;
use reqwest::StatusCode;
use sqlx::PgPool;

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_deactivated_agents_chats_return_to_the_unassigned_queue(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let (admin, _) = app.signed_in("admin", Role::Admin).await;
    let (_, rina) = app.signed_in("rina", Role::Agent).await;
    for phone in ["6281200000001", "6281200000002"] {
        let res = app
            .call(
                &admin,
                "sandbox/send",
                &[("phone", phone), ("name", "C"), ("text", "tolong")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let chats: Vec<i64> = sqlx::query_scalar("select chat_id from chat order by chat_id")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    for chat in &chats {
        let res = app
            .call(
                &admin,
                "chats/assign",
                &[
                    ("chat_id", &chat.to_string()),
                    ("user_id", &rina.user_id.to_string()),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let res = app
        .call(
            &admin,
            "admin/set_user_active",
            &[("user_id", &rina.user_id.to_string()), ("active", "false")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.count("select count(*) from chat where assigned_user_id is not null")
            .await,
        0
    );
    let unassigned: Vec<String> = sqlx::query_scalar(
        "select body from message where sender_kind = 'system' and body like 'Unassigned%' order by message_id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(unassigned, vec!["Unassigned by admin"; 2]);
}
