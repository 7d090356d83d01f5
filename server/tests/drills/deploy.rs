//! A deploy while replies are in flight: SIGTERM stops the outbox from claiming, lets the 20
//! sends under way finish and records them; after the restart nothing is sent again. Each reply
//! reaches the provider exactly once.

use crate::support::*;
use sqlx::PgPool;
use std::sync::atomic::Ordering;
use std::time::Duration;

const REPLIES: usize = 20;

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn sigterm_with_twenty_sends_in_flight_sends_none_twice(pool: PgPool) {
    let mut graph = MockGraph::new();
    graph.log.answer_after_ms.store(1500, Ordering::SeqCst);
    graph.start();
    let url = database_url(&pool);
    let port = free_port();
    let workers = [("INBOX_OUTBOX_WORKERS", "20")];
    let server = start_server(&url, port, &graph.url(), &workers).await;
    let client = reqwest::Client::new();
    // Twenty customers write; each gets a reply (different chats go out in parallel).
    for i in 0..REPLIES {
        let body = vec![Msg {
            from: format!("62813100{i:05}"),
            id: format!("wamid.deploy{i}"),
            text: "halo".into(),
        }];
        assert_eq!(
            post_meta(&client, &server.base, META.messages(&body)).await,
            Some(200)
        );
    }
    let chats: Vec<i64> = sqlx::query_scalar("select chat_id from chat order by chat_id")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(chats.len(), REPLIES);
    let admin = server.admin().await.unwrap();
    for chat in &chats {
        assert!(reply(&server, &admin, *chat, format!("balasan untuk {chat}")).await);
    }
    eventually("twenty sends in flight", Duration::from_secs(10), || {
        let calls = graph.log.calls.load(Ordering::SeqCst);
        async move { calls >= REPLIES }
    })
    .await;

    // The deploy: SIGTERM while every send waits for the provider's answer.
    let mut server = server;
    let status = server
        .terminate(Duration::from_secs(30))
        .expect("the server exits on SIGTERM");
    assert!(status.success(), "exit status {status}");
    let queued: i64 = sqlx::query_scalar("select count(*) from outbox")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(queued, 0, "every send in flight finished and was recorded");

    let server = start_server(&url, port, &graph.url(), &workers).await;
    wait_until_sent(&pool, REPLIES).await;
    let left: i64 = sqlx::query_scalar("select count(*) from outbox")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(left, 0, "nothing left to send again later");
    let (twice, accepted) = graph.accepted();
    assert!(twice.is_empty(), "sent twice: {twice:?}");
    assert_eq!(accepted, REPLIES);
    assert_eq!(
        graph.log.calls.load(Ordering::SeqCst),
        REPLIES,
        "one call per reply"
    );
    server.stop();
}
