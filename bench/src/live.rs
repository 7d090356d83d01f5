//! Live latency: from a webhook's acknowledgement to its `message.created` event arriving at
//! Server-Sent Events subscribers, with one subscriber and with many.

use crate::bodies::{Msg, Provider};
use crate::stats::{percentiles, Percentiles};
use futures::StreamExt;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, serde::Serialize)]
pub struct LiveRun {
    pub subscribers: usize,
    pub messages: usize,
    pub latency: Percentiles,
    /// Events that arrived before the sender had read the acknowledgement (counted as 0 ms).
    pub before_ack: usize,
    pub missing: usize,
}

type Arrivals = Arc<Mutex<Vec<(String, Instant)>>>;

async fn subscribe(
    client: reqwest::Client,
    base: String,
    arrivals: Arrivals,
    ready: tokio::sync::mpsc::Sender<()>,
) {
    let Ok(res) = client.get(format!("{base}/api/events")).send().await else {
        return;
    };
    let _ = ready.send(()).await;
    let mut stream = res.bytes_stream();
    let mut buf = String::new();
    while let Some(Ok(chunk)) = stream.next().await {
        let now = Instant::now();
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            if !block.contains("event: message.created") {
                continue;
            }
            let data = block
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .collect::<String>();
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(data.trim()) {
                if let Some(token) = v["body"].as_str().filter(|b| b.starts_with("live-")) {
                    if let Ok(mut a) = arrivals.lock() {
                        a.push((token.to_string(), now));
                    }
                }
            }
        }
    }
}

pub async fn run(
    base: &str,
    session: &reqwest::Client,
    subscribers: usize,
    messages: usize,
    tag: &str,
) -> anyhow::Result<LiveRun> {
    let arrivals: Arrivals = Arc::new(Mutex::new(Vec::new()));
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel(subscribers);
    let mut tasks = Vec::new();
    for _ in 0..subscribers {
        tasks.push(tokio::spawn(subscribe(
            session.clone(),
            base.to_string(),
            arrivals.clone(),
            ready_tx.clone(),
        )));
    }
    for _ in 0..subscribers {
        tokio::time::timeout(Duration::from_secs(30), ready_rx.recv()).await?;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sender = reqwest::Client::new();
    let mut acked: HashMap<String, Instant> = HashMap::new();
    for i in 0..messages {
        let token = format!("live-{tag}-{i}");
        let msg = Msg {
            from: format!("62877{:06}", i % 50),
            id: format!("live-{tag}-{i}"),
            text: token.clone(),
        };
        let res = Provider::Meta.request(&sender, base, &[msg]).send().await?;
        anyhow::ensure!(
            res.status().is_success(),
            "webhook answered {}",
            res.status()
        );
        acked.insert(token, Instant::now());
    }
    // Let the last events arrive.
    let deadline = Instant::now() + Duration::from_secs(10);
    while arrivals.lock().map(|a| a.len()).unwrap_or(0) < subscribers * messages
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for t in tasks {
        t.abort();
    }
    let got = arrivals.lock().map(|a| a.clone()).unwrap_or_default();
    let mut before_ack = 0;
    let mut samples: Vec<Duration> = got
        .iter()
        .filter_map(|(token, at)| {
            let ack = acked.get(token)?;
            Some(match at.checked_duration_since(*ack) {
                Some(d) => d,
                None => {
                    before_ack += 1;
                    Duration::ZERO
                }
            })
        })
        .collect();
    Ok(LiveRun {
        subscribers,
        messages,
        missing: (subscribers * messages).saturating_sub(samples.len()),
        latency: percentiles(&mut samples),
        before_ack,
    })
}
