//! SIGKILL in the middle of an ingest run: every body the server acknowledged is stored
//! exactly once, before anything is retried; after a restart, the provider's retries of what
//! was not acknowledged (and of some that were) leave every message stored exactly once.

use crate::support::*;
use futures::StreamExt;
use sqlx::PgPool;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const CUSTOMERS: usize = 25;

/// 600 messages in bodies of 1 to 3, from 25 customers.
fn bodies() -> Vec<Vec<Msg>> {
    let mut out = Vec::new();
    let mut n = 0;
    while n < 600 {
        let size = 1 + out.len() % 3;
        out.push(
            (n..(n + size).min(600))
                .map(|i| Msg {
                    from: format!("6281300{:05}", i % CUSTOMERS),
                    id: format!("wamid.kill{i}"),
                    text: format!("pesan {i}"),
                })
                .collect(),
        );
        n += size;
    }
    out
}

fn ids(body: &[Msg]) -> Vec<String> {
    body.iter().map(|m| m.id.clone()).collect()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn sigkill_mid_ingest_loses_and_duplicates_nothing(pool: PgPool) {
    let url = database_url(&pool);
    let port = free_port();
    let server = start_server(&url, port, "http://127.0.0.1:9", &[]).await;
    let base = server.base.clone();
    let bodies = Arc::new(bodies());
    let acked: Arc<Mutex<HashSet<usize>>> = Arc::default();

    // The provider: 8 bodies in flight at a time.
    let sender = {
        let (bodies, acked, base) = (bodies.clone(), acked.clone(), base.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            futures::stream::iter(0..bodies.len())
                .for_each_concurrent(8, |i| {
                    let (client, bodies, acked, base) =
                        (client.clone(), bodies.clone(), acked.clone(), base.clone());
                    async move {
                        if post_meta(&client, &base, META.messages(&bodies[i])).await == Some(200) {
                            acked.lock().unwrap().insert(i);
                        }
                    }
                })
                .await;
        })
    };
    let third = bodies.len() / 3;
    eventually(
        "a third of the bodies are acknowledged",
        Duration::from_secs(60),
        || {
            let n = acked.lock().unwrap().len();
            async move { n >= third }
        },
    )
    .await;
    server.kill9();
    sender.await.unwrap();
    let acked: HashSet<usize> = acked.lock().unwrap().clone();
    assert!(
        acked.len() < bodies.len(),
        "the kill landed mid-run: {} of {} acknowledged",
        acked.len(),
        bodies.len()
    );

    // Before any retry: everything acknowledged is there, once.
    let counts = stored_counts(&pool, "wamid.kill").await;
    for i in &acked {
        for id in ids(&bodies[*i]) {
            assert_eq!(counts.get(&id), Some(&1), "acknowledged {id} stored once");
        }
    }
    assert!(counts.values().all(|n| *n == 1), "no duplicates");

    // Restart; the provider retries what was not acknowledged, and (at-least-once) every
    // fifth body that was.
    let server = start_server(&url, port, "http://127.0.0.1:9", &[]).await;
    let client = reqwest::Client::new();
    for (i, body) in bodies.iter().enumerate() {
        if !acked.contains(&i) || i % 5 == 0 {
            assert_eq!(
                post_meta(&client, &server.base, META.messages(body)).await,
                Some(200),
                "retry of body {i}"
            );
        }
    }
    let counts = stored_counts(&pool, "wamid.kill").await;
    assert_eq!(counts.len(), 600, "every message stored");
    assert!(counts.values().all(|n| *n == 1), "each exactly once");

    // The rest of each message's transaction came with it: one chat per customer, one unread
    // mark and one live event per message.
    let (chats, unread): (i64, i64) =
        sqlx::query_as("select count(*), sum(unread_count)::bigint from chat")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(chats, CUSTOMERS as i64);
    assert_eq!(unread, 600);
    let created: i64 =
        sqlx::query_scalar("select count(*) from event where kind = 'message.created' and payload->>'sender_kind' = 'customer'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(created, 600);
    server.stop();
}
