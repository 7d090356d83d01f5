//! Watching the outcome: rows in the database, events on a browser's stream, and waiting.

use futures::StreamExt;
use sqlx::PgPool;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Per provider message id: how many rows hold it.
pub async fn stored_counts(pool: &PgPool, prefix: &str) -> HashMap<String, i64> {
    sqlx::query_as::<_, (String, i64)>(
        "select provider_message_id, count(*) from message
          where direction = 'in' and provider_message_id like $1 || '%' group by 1",
    )
    .bind(prefix)
    .fetch_all(pool)
    .await
    .unwrap()
    .into_iter()
    .collect()
}

/// Reads an SSE response until `done` says enough, or panics after `within`. Returns the
/// `(event, data)` pairs read.
pub struct EventReader {
    stream: futures::stream::BoxStream<'static, reqwest::Result<bytes::Bytes>>,
    buffer: String,
}

impl EventReader {
    pub async fn open(client: &reqwest::Client, url: &str) -> EventReader {
        let res = client.get(url).send().await.unwrap();
        assert_eq!(res.status(), 200, "event stream");
        EventReader {
            stream: res.bytes_stream().boxed(),
            buffer: String::new(),
        }
    }

    /// Waits for an event of `kind` whose data contains `needle`.
    pub async fn wait_for(&mut self, kind: &str, needle: &str, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let frame: String = self.buffer.drain(..end + 2).collect();
                let event = frame
                    .lines()
                    .find_map(|l| l.strip_prefix("event:"))
                    .map(str::trim);
                let data = frame
                    .lines()
                    .filter_map(|l| l.strip_prefix("data:"))
                    .collect::<String>();
                if event == Some(kind) && data.contains(needle) {
                    return;
                }
            }
            let chunk = tokio::time::timeout_at(deadline.into(), self.stream.next())
                .await
                .unwrap_or_else(|_| panic!("no {kind} event with {needle:?} in time"))
                .expect("event stream ended")
                .expect("event stream failed");
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

/// Polls `check` until it holds, or panics with `what` after `within`.
pub async fn eventually<F, Fut>(what: &str, within: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + within;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits (up to 30 s) until `n` replies show `sent`.
pub async fn wait_until_sent(pool: &PgPool, n: usize) {
    eventually(
        "every reply is sent",
        Duration::from_secs(30),
        || async move {
            let sent: i64 = sqlx::query_scalar(
                "select count(*) from message where direction = 'out' and status = 'sent'",
            )
            .fetch_one(pool)
            .await
            .unwrap();
            sent == n as i64
        },
    )
    .await;
}
