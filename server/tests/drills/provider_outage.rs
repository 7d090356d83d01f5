//! The provider is down for 30 seconds while replies are queued: nothing fails or is lost while
//! it is down (the replies stay `queued`: the chat's first one retrying, the others waiting
//! behind it in order), and once it is back each reply reaches it exactly once and shows
//! `sent`, then `delivered` when the provider says so.

use crate::support::*;
use sqlx::PgPool;
use std::time::{Duration, Instant};

const REPLIES: usize = 12;
const OUTAGE: Duration = Duration::from_secs(30);

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn thirty_seconds_of_provider_outage_delays_replies_but_loses_none(pool: PgPool) {
    let mut graph = MockGraph::new();
    graph.start();
    // Retries compressed from the defaults (1 s doubling to 5 min, 10 attempts: about 8.5
    // minutes of outage before a reply fails) so the drill sees many attempts in 30 s and
    // recovers within seconds.
    let server = start_server(
        &database_url(&pool),
        free_port(),
        &graph.url(),
        &[
            ("INBOX_OUTBOX_RETRY_BASE_MS", "200"),
            ("INBOX_OUTBOX_RETRY_MAX_SECS", "3"),
            ("INBOX_OUTBOX_MAX_ATTEMPTS", "40"),
        ],
    )
    .await;
    let client = reqwest::Client::new();
    let first = vec![Msg {
        from: "6281200000001".into(),
        id: "wamid.outage-hello".into(),
        text: "halo, pesanan saya mana?".into(),
    }];
    assert_eq!(
        post_meta(&client, &server.base, META.messages(&first)).await,
        Some(200)
    );
    let chat_id: i64 = sqlx::query_scalar("select chat_id from chat")
        .fetch_one(&pool)
        .await
        .unwrap();
    let admin = server.admin().await.unwrap();

    graph.stop();
    let down_since = Instant::now();
    for i in 0..REPLIES {
        assert!(
            reply(&server, &admin, chat_id, format!("balasan {i}")).await,
            "reply {i} accepted while the provider is down"
        );
    }
    // While it is down: every reply waits, retrying; none fails.
    let mut attempts: Vec<i32> = Vec::new();
    while down_since.elapsed() < OUTAGE {
        let (queued, failed): (i64, i64) = sqlx::query_as(
            "select count(*) filter (where status = 'queued'), count(*) filter (where status = 'failed')
               from message where direction = 'out'",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(failed, 0, "no reply fails during the outage");
        assert_eq!(queued, REPLIES as i64, "every reply still queued");
        attempts = sqlx::query_scalar("select attempts from outbox order by outbox_id")
            .fetch_all(&pool)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    // The replies go to one chat, so they leave in order: the first keeps being retried, the
    // others wait behind it (untried) instead of overtaking it.
    assert_eq!(attempts.len(), REPLIES);
    assert!(
        attempts[0] >= 2,
        "the worker kept trying during the outage ({} attempts)",
        attempts[0]
    );
    assert!(
        attempts[1..].iter().all(|&a| a == 0),
        "later replies of the chat wait for the first: {attempts:?}"
    );
    assert_eq!(graph.log.calls.load(std::sync::atomic::Ordering::SeqCst), 0);

    graph.start();
    wait_until_sent(&pool, REPLIES).await;
    let (twice, accepted) = graph.accepted();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
    assert_eq!(accepted, REPLIES, "each reply reached the provider");

    // The ids the provider gave are the ones recorded, and its delivery receipts land.
    let wamids = graph.log.wamids.lock().unwrap().clone();
    for (key, wamid) in &wamids {
        let message_id: i64 = key.trim_start_matches("msg-").parse().unwrap();
        let stored: Option<String> =
            sqlx::query_scalar("select provider_message_id from message where message_id = $1")
                .bind(message_id)
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(stored.as_deref(), Some(wamid.as_str()));
        assert_eq!(
            post_meta(&client, &server.base, META.status(wamid, "delivered")).await,
            Some(200)
        );
    }
    let delivered: i64 = sqlx::query_scalar(
        "select count(*) from message where direction = 'out' and status = 'delivered' and error_reason is null",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(delivered, REPLIES as i64);
    let pending: i64 = sqlx::query_scalar("select count(*) from outbox")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(pending, 0, "the outbox is empty");
    server.stop();
}
