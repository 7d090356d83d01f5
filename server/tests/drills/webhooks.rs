//! Outbound webhooks through a failing receiver and a restart: 1,000 customer messages from
//! 50 customers, the receiver failing half of its calls, the server stopped (SIGTERM) and
//! started again halfway, while deliveries wait for the receiver's answer. Afterwards each message's `message.in` event was acknowledged
//! exactly once; every other delivery of it was an unacknowledged attempt with the same
//! `X-Webhook-Id` (a retry), none came after its acknowledgement, and each customer's events
//! were acknowledged in the order the messages were written.

use crate::support::*;
use sqlx::PgPool;
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use test_support::receiver::{signature, Receiver};

const MESSAGES: usize = 1000;
const CUSTOMERS: usize = 50;
const SECRET: &str = "drill-webhook-secret-0123456789";

/// Whether call `n` fails: half of them, spread like chance.
fn fails(n: usize) -> bool {
    (n.wrapping_mul(2_654_435_761) >> 7).is_multiple_of(2)
}

fn batch(from: usize, to: usize) -> Vec<Msg> {
    (from..to)
        .map(|i| Msg {
            from: format!("6281400{:05}", i % CUSTOMERS),
            id: format!("wamid.hook{i:04}"),
            text: format!("pesan {i:04}"),
        })
        .collect()
}

async fn post_all(base: &str, range: std::ops::Range<usize>) {
    let client = reqwest::Client::new();
    for start in range.step_by(10) {
        let body = META.messages(&batch(start, start + 10));
        assert_eq!(post_meta(&client, base, body).await, Some(200));
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_thousand_messages_through_a_failing_receiver_and_a_restart_are_acknowledged_once_each(
    pool: PgPool,
) {
    let receiver = Receiver::start(fails).await;
    let url = database_url(&pool);
    let port = free_port();
    let env = [
        ("INBOX_WEBHOOK_ALLOW_PRIVATE", "true"),
        ("INBOX_WEBHOOK_RETRY_BASE_MS", "20"),
        ("INBOX_WEBHOOK_RETRY_MAX_SECS", "1"),
        ("INBOX_WEBHOOK_WORKERS", "8"),
    ];
    let server = start_server(&url, port, "http://127.0.0.1:9", &env).await;
    let admin = server.admin().await.unwrap();
    let res = admin
        .post(server.url("/api/admin/webhooks/create"))
        .form(&[
            ("url", receiver.url.as_str()),
            ("secret", SECRET),
            ("events", "message.in"),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());

    post_all(&server.base, 0..MESSAGES / 2).await;
    // A deploy halfway, while the receiver takes its time: deliveries in flight finish and are
    // recorded; the rest wait in the database for the next process.
    receiver.answer_after(Duration::from_millis(300));
    eventually("deliveries in flight", Duration::from_secs(30), || {
        let n = receiver.in_flight();
        async move { n > 0 }
    })
    .await;
    let mut server = server;
    let status = server
        .terminate(Duration::from_secs(30))
        .expect("exits on SIGTERM");
    assert!(status.success(), "exit status {status}");
    let leased: i64 =
        sqlx::query_scalar("select count(*) from webhook_delivery where locked_until is not null")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        leased, 0,
        "every delivery in flight at the deploy was recorded"
    );
    receiver.answer_after(Duration::ZERO);
    let server = start_server(&url, port, "http://127.0.0.1:9", &env).await;
    post_all(&server.base, MESSAGES / 2..MESSAGES).await;

    eventually(
        "every message.in is acknowledged",
        Duration::from_secs(120),
        || {
            let acked: HashSet<String> = receiver.acked().into_iter().map(|r| r.id).collect();
            async move { acked.len() >= MESSAGES }
        },
    )
    .await;
    let received = receiver.received();
    let mut by_id: HashMap<&str, Vec<&test_support::receiver::Received>> = HashMap::new();
    for r in &received {
        assert_eq!(
            r.signature,
            signature(SECRET, &r.body),
            "signed over the raw body"
        );
        assert_eq!(r.event, "message.in");
        by_id.entry(r.id.as_str()).or_default().push(r);
    }
    assert_eq!(by_id.len(), MESSAGES, "one event per message");
    let mut texts = HashSet::new();
    for (id, tries) in &by_id {
        let acked = tries.iter().filter(|r| r.acked).count();
        assert_eq!(acked, 1, "{id} acknowledged once");
        assert!(
            tries.last().unwrap().acked,
            "{id}: nothing after its acknowledgement"
        );
        let data: Vec<serde_json::Value> = tries.iter().map(|r| r.json()["data"].clone()).collect();
        assert!(
            data.iter().all(|d| *d == data[0]),
            "{id}: every retry carries the same event"
        );
        assert!(texts.insert(data[0]["text"].as_str().unwrap().to_owned()));
    }
    assert!(
        received.len() > MESSAGES,
        "the receiver failed some calls: {}",
        received.len()
    );
    // Each customer's acknowledged events in the order the customer wrote.
    let mut last: HashMap<String, String> = HashMap::new();
    for r in received.iter().filter(|r| r.acked) {
        let data = r.json()["data"].clone();
        let (from, text) = (
            data["from"].as_str().unwrap().to_owned(),
            data["text"].as_str().unwrap().to_owned(),
        );
        if let Some(before) = last.insert(from.clone(), text.clone()) {
            assert!(before < text, "{from}: {before} then {text}");
        }
    }
    let stored: i64 = sqlx::query_scalar("select count(*) from message where direction = 'in'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, MESSAGES as i64);
    drop(server);
}
