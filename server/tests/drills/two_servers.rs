//! Two server processes on different ports, one database: a webhook posted to one reaches an
//! SSE subscriber of the other, and replies queued on both (each with its own outbox workers)
//! reach the provider exactly once.

use crate::support::*;
use futures::future::join_all;
use sqlx::PgPool;
use std::time::Duration;

const REPLIES_EACH: usize = 20;

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn two_servers_on_one_database_share_events_and_deliver_once(pool: PgPool) {
    let url = database_url(&pool);
    let mut graph = MockGraph::new();
    graph.start();
    let workers = [("INBOX_OUTBOX_WORKERS", "4")];
    let a = start_server(&url, free_port(), &graph.url(), &workers).await;
    let b = start_server(&url, free_port(), &graph.url(), &workers).await;
    let admin = a.admin().await.unwrap();
    let mut on_b = EventReader::open(&admin, &b.url("/api/events")).await;

    // A customer writes; the provider happens to call server A.
    let client = reqwest::Client::new();
    let hello = vec![Msg {
        from: "6281200000002".into(),
        id: "wamid.two-hello".into(),
        text: "halo dari server A".into(),
    }];
    assert_eq!(
        post_meta(&client, &a.base, META.messages(&hello)).await,
        Some(200)
    );
    on_b.wait_for(
        "message.created",
        "halo dari server A",
        Duration::from_secs(10),
    )
    .await;

    // Agents on both servers reply at once.
    let chat_id: i64 = sqlx::query_scalar("select chat_id from chat")
        .fetch_one(&pool)
        .await
        .unwrap();
    let accepted = join_all((0..REPLIES_EACH).flat_map(|i| {
        let admin = &admin;
        [
            reply(&a, admin, chat_id, format!("dari A {i}")),
            reply(&b, admin, chat_id, format!("dari B {i}")),
        ]
    }))
    .await;
    assert!(accepted.iter().all(|ok| *ok), "every reply accepted");

    wait_until_sent(&pool, 2 * REPLIES_EACH).await;
    let (twice, accepted) = graph.accepted();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
    assert_eq!(accepted, 2 * REPLIES_EACH);
    assert_eq!(
        graph.log.calls.load(std::sync::atomic::Ordering::SeqCst),
        2 * REPLIES_EACH,
        "no call beyond one per reply"
    );
    // B's subscriber also learns that a reply queued on A went out.
    on_b.wait_for(
        "message.updated",
        "\"status\":\"sent\"",
        Duration::from_secs(10),
    )
    .await;
    a.stop();
    b.stop();
}
