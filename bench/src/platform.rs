//! The platform: API sends per second into the outbox (`POST /api/v1/messages` with an
//! `Idempotency-Key`, 16 at a time, to the sandbox channel), and outbound webhooks: customer
//! messages arriving as Meta webhooks while their `message.in` events go to a local receiver,
//! with deliveries per second and the lag from the webhook's acknowledgement (its commit) to
//! the receiver having the event. The endpoint is removed afterwards, so nothing later pays
//! for it.

use crate::bodies::{Msg, Provider};
use crate::stats::{percentiles, Percentiles};
use futures::StreamExt;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use test_support::receiver::Receiver;

#[derive(Debug, Default, serde::Serialize)]
pub struct PlatformRun {
    pub api_sends: usize,
    pub api_sends_per_s: f64,
    pub api_send_latency: Percentiles,
    pub api_refused: usize,
    pub webhook_messages: usize,
    pub webhook_ingest_messages_per_s: f64,
    pub webhook_deliveries_per_s: f64,
    pub webhook_lag: Percentiles,
    pub webhook_missing: usize,
    pub webhook_duplicates: usize,
}

/// An API key made by the admin session.
async fn api_key(base: &str, session: &reqwest::Client) -> anyhow::Result<String> {
    let res = session
        .post(format!("{base}/api/admin/api_keys/create"))
        .form(&[("name", "Benchmark")])
        .send()
        .await?;
    anyhow::ensure!(res.status().is_success(), "key: {}", res.status());
    let made: serde_json::Value = res.json().await?;
    Ok(made["key"].as_str().unwrap_or_default().to_owned())
}

pub async fn run(
    base: &str,
    session: &reqwest::Client,
    sends: usize,
    messages: usize,
) -> anyhow::Result<PlatformRun> {
    let key = api_key(base, session).await?;
    let client = reqwest::Client::new();
    let channels: serde_json::Value = client
        .get(format!("{base}/api/v1/channels"))
        .header("X-API-KEY", &key)
        .send()
        .await?
        .json()
        .await?;
    let sandbox = channels
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["kind"] == "sandbox"))
        .and_then(|c| c["id"].as_i64())
        .ok_or_else(|| anyhow::anyhow!("no sandbox channel: {channels}"))?;

    // API sends into the outbox.
    let started = Instant::now();
    let results: Vec<(bool, Duration)> = futures::stream::iter(0..sends)
        .map(|i| {
            let (client, key, url) = (
                client.clone(),
                key.clone(),
                format!("{base}/api/v1/messages"),
            );
            async move {
                let t = Instant::now();
                let body = serde_json::json!({
                    "to": format!("62878{:06}", i % 200),
                    "channel": sandbox.to_string(),
                    "text": format!("Pesanan {i} sudah dikirim"),
                    "mode": "keep",
                });
                let ok = client
                    .post(url)
                    .header("X-API-KEY", key)
                    .header("Idempotency-Key", format!("bench-send-{i}"))
                    .json(&body)
                    .send()
                    .await
                    .map(|r| r.status().is_success())
                    .unwrap_or(false);
                (ok, t.elapsed())
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let elapsed = started.elapsed().as_secs_f64();
    let refused = results.iter().filter(|(ok, _)| !ok).count();
    let mut latencies: Vec<Duration> = results.iter().map(|(_, d)| *d).collect();

    // Webhooks: an endpoint for message.in at a receiver on this machine.
    let receiver = Receiver::start(|_| false).await;
    let res = session
        .post(format!("{base}/api/admin/webhooks/create"))
        .form(&[("url", receiver.url.as_str()), ("events", "message.in")])
        .send()
        .await?;
    anyhow::ensure!(
        res.status().is_success(),
        "webhook endpoint: {}",
        res.status()
    );
    let endpoint: serde_json::Value = res.json().await?;
    let acked: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let posting = Instant::now();
    futures::stream::iter(0..messages / 10)
        .for_each_concurrent(16, |b| {
            let (client, acked, base) = (client.clone(), acked.clone(), base.to_string());
            async move {
                let msgs: Vec<Msg> = (0..10)
                    .map(|j| {
                        let i = b * 10 + j;
                        Msg {
                            from: format!("62879{:06}", i % 100),
                            id: format!("hook-{i}"),
                            text: format!("pesan {i}"),
                        }
                    })
                    .collect();
                if let Ok(res) = Provider::Meta.request(&client, &base, &msgs).send().await {
                    if res.status().is_success() {
                        let now = Instant::now();
                        if let Ok(mut a) = acked.lock() {
                            for m in &msgs {
                                a.insert(m.id.clone(), now);
                            }
                        }
                    }
                }
            }
        })
        .await;
    let posted = posting.elapsed().as_secs_f64();
    let deadline = Instant::now() + Duration::from_secs(120);
    while receiver.acked().len() < messages && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let got = receiver.acked();
    let acked = acked.lock().map(|a| a.clone()).unwrap_or_default();
    let mut seen = HashMap::new();
    let mut lags = Vec::new();
    for r in &got {
        let id = r.json()["data"]["providerMessageId"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        *seen.entry(id.clone()).or_insert(0) += 1;
        if let Some(at) = acked.get(&id) {
            lags.push(r.at.checked_duration_since(*at).unwrap_or_default());
        }
    }
    let last = got.iter().map(|r| r.at).max().unwrap_or(posting);
    if std::env::var("BENCH_KEEP_WEBHOOK").is_err() {
        let _ = session
            .post(format!("{base}/api/admin/webhooks/delete"))
            .form(&[("id", endpoint["id"].to_string())])
            .send()
            .await;
    }
    Ok(PlatformRun {
        api_sends: sends,
        api_sends_per_s: (sends - refused) as f64 / elapsed,
        api_send_latency: percentiles(&mut latencies),
        api_refused: refused,
        webhook_messages: messages,
        webhook_ingest_messages_per_s: messages as f64 / posted,
        webhook_deliveries_per_s: got.len() as f64 / last.duration_since(posting).as_secs_f64(),
        webhook_lag: percentiles(&mut lags),
        webhook_missing: messages.saturating_sub(seen.len()),
        webhook_duplicates: seen.values().filter(|n| **n > 1).count(),
    })
}
