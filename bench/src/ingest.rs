//! Ingest: webhook requests per second and messages per second at several concurrencies and
//! batch sizes, with 20 % of the bodies delivered twice; acknowledgement latency; and then the
//! exact count of stored rows against the expected count.

use crate::bodies::{Msg, Provider};
use crate::stats::{percentiles, Percentiles};
use futures::StreamExt;
use sqlx::PgPool;
use std::time::{Duration, Instant};

#[derive(Debug, serde::Serialize)]
pub struct IngestRun {
    pub provider: Provider,
    pub concurrency: usize,
    pub batch: usize,
    pub requests: usize,
    pub messages: usize,
    pub requests_per_s: f64,
    pub messages_per_s: f64,
    pub ack: Percentiles,
    pub non_2xx: usize,
}

#[derive(Debug, serde::Serialize)]
pub struct IngestReport {
    pub runs: Vec<IngestRun>,
    pub expected_rows: i64,
    pub stored_rows: i64,
    pub lost: i64,
    pub duplicated: i64,
}

/// One run: `msgs` in bodies of `batch`, 20 % of the bodies sent twice (spread through the run),
/// `concurrency` requests at a time.
pub async fn one_run(
    base: &str,
    client: &reqwest::Client,
    provider: Provider,
    concurrency: usize,
    msgs: &[Msg],
    batch: usize,
) -> IngestRun {
    let total = msgs.len();
    let mut bodies: Vec<&[Msg]> = msgs.chunks(batch).collect();
    // 20 % of the bodies come again, spread through the run.
    let again: Vec<&[Msg]> = bodies.iter().step_by(5).copied().collect();
    for (k, body) in again.into_iter().enumerate() {
        let at = (k * 5 + 3).min(bodies.len());
        bodies.insert(at, body);
    }
    let started = Instant::now();
    let results: Vec<(Duration, bool)> = futures::stream::iter(bodies.iter())
        .map(|body| {
            let req = provider.request(client, base, body);
            async move {
                let t = Instant::now();
                let ok = matches!(req.send().await, Ok(r) if r.status().is_success());
                (t.elapsed(), ok)
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let elapsed = started.elapsed().as_secs_f64();
    let mut lat: Vec<Duration> = results.iter().map(|r| r.0).collect();
    IngestRun {
        provider,
        concurrency,
        batch,
        requests: bodies.len(),
        messages: total,
        requests_per_s: bodies.len() as f64 / elapsed,
        messages_per_s: total as f64 / elapsed,
        ack: percentiles(&mut lat),
        non_2xx: results.iter().filter(|r| !r.1).count(),
    }
}

/// Messages per run: enough to measure, few enough to finish the whole table in about a minute.
fn messages_for(concurrency: usize) -> usize {
    if concurrency == 1 {
        400
    } else {
        3000
    }
}

pub async fn run(base: &str, pool: &PgPool) -> anyhow::Result<IngestReport> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(128)
        .build()?;
    let mut runs = Vec::new();
    let mut expected = 0i64;
    let mut run_no = 0;
    for provider in [Provider::Meta, Provider::Whapi] {
        for concurrency in [1usize, 16, 64] {
            for batch in [1usize, 10] {
                run_no += 1;
                let total = messages_for(concurrency);
                let msgs: Vec<Msg> = (0..total)
                    .map(|i| Msg {
                        from: format!("62899{run_no:02}{:05}", i % 100),
                        id: format!("bench-{run_no}-{i}"),
                        text: format!("pesanan {i} run {run_no}"),
                    })
                    .collect();
                runs.push(one_run(base, &client, provider, concurrency, &msgs, batch).await);
                expected += total as i64;
            }
        }
    }
    let stored: i64 =
        sqlx::query_scalar("select count(*) from message where provider_message_id like 'bench-%'")
            .fetch_one(pool)
            .await?;
    let distinct: i64 =
        sqlx::query_scalar("select count(distinct provider_message_id) from message where provider_message_id like 'bench-%'").fetch_one(pool).await?;
    Ok(IngestReport {
        runs,
        expected_rows: expected,
        stored_rows: stored,
        lost: (expected - distinct).max(0),
        duplicated: stored - distinct,
    })
}
