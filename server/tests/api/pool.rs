//! No request path holds more than one pool connection: a burst of conversation refetches
//! (every browser refetches when its event stream reconnects) must not deadlock a small pool.

use crate::helpers::TestApp;
use model::Role;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use std::time::Duration;

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn sixty_concurrent_conversation_opens_succeed_on_a_pool_of_five(pool: PgPool) {
    // The same database, through a pool of 5 that gives up after 5 s (a request that held one
    // connection while waiting for a second would wait until then and fail).
    let small = PgPoolOptions::new()
        .max_connections(5)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with((*pool.connect_options()).clone())
        .await
        .unwrap();
    let app = TestApp::spawn(small).await;
    let (admin, _) = app.signed_in("admin", Role::Admin).await;
    let res = app
        .call(
            &admin,
            "sandbox/send",
            &[
                ("phone", "6281211110000"),
                ("name", "Sari"),
                ("text", "halo"),
            ],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let chat: i64 = sqlx::query_scalar("select chat_id from chat")
        .fetch_one(&pool)
        .await
        .unwrap();
    let chat = chat.to_string();
    let opens = (0..60).map(|_| {
        let (app, admin, chat) = (&app, admin.clone(), chat.clone());
        async move {
            app.call(&admin, "chats/open", &[("chat_id", &chat)])
                .await
                .status()
        }
    });
    let statuses = futures::future::join_all(opens).await;
    let failed: Vec<_> = statuses.iter().filter(|s| !s.is_success()).collect();
    assert!(
        failed.is_empty(),
        "{} of 60 failed: {failed:?}",
        failed.len()
    );
}
