//! Replies reach each customer in the order they were written: a chat's later reply is not
//! claimed while an earlier one is still in the outbox (in flight, or waiting for a retry),
//! while replies to other chats still go out in parallel.

use crate::helpers::{provider_config, TestApp, META};
use model::Role;
use reqwest::StatusCode;
use sqlx::PgPool;
use std::time::Duration;

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_chats_next_reply_waits_for_the_one_before_it(pool: PgPool) {
    let app = TestApp::spawn_with(pool, provider_config("http://127.0.0.1:9")).await;
    for (phone, wamid) in [("6281200000011", "wamid.X"), ("6281200000022", "wamid.Y")] {
        let res = app.post_meta(&META.text(phone, wamid, "halo")).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let chat = |phone: &'static str| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "select chat_id from chat join contact using (contact_id) where phone = $1",
            )
            .bind(phone)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let (x, y) = (chat("6281200000011").await, chat("6281200000022").await);
    let (agent, _) = app.signed_in("rina", Role::Agent).await;
    app.reply(&agent, x, "satu").await;
    app.reply(&agent, x, "dua").await;
    app.reply(&agent, y, "untuk Y").await;

    let lease = Duration::from_secs(30);
    let claim = || inbox::db::outbox::claim(&app.pool, lease);
    let first = claim().await.unwrap().expect("X's first reply");
    assert_eq!((first.chat_id.0, first.body.as_deref()), (x, Some("satu")));
    // X's second reply waits; Y's goes out meanwhile.
    let second = claim().await.unwrap().expect("Y's reply");
    assert_eq!(
        (second.chat_id.0, second.body.as_deref()),
        (y, Some("untuk Y"))
    );
    assert!(
        claim().await.unwrap().is_none(),
        "X's second waits for its first"
    );

    // X's first is done: its second is next.
    let mut conn = app.pool.acquire().await.unwrap();
    inbox::db::outbox::remove(&mut conn, first.outbox_id, first.attempts)
        .await
        .unwrap();
    let third = claim().await.unwrap().expect("X's second reply");
    assert_eq!((third.chat_id.0, third.body.as_deref()), (x, Some("dua")));
}
