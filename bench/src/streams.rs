//! A thousand agents' browsers: live streams (Server-Sent Events) held open on one or two server
//! processes while customers write at a steady rate. Measures the latency from each webhook's
//! acknowledgement to its `message.created` arriving at every stream, the servers' memory, and
//! the servers' CPU time per event per stream.

use crate::bodies::{Msg, Provider};
use crate::stats::{percentiles, Percentiles};
use futures::StreamExt;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use test_support::process::ServerProcess;

#[derive(Debug, serde::Serialize)]
pub struct StreamsRun {
    pub processes: usize,
    pub subscribers: usize,
    pub rate_per_s: f64,
    pub messages: usize,
    pub latency: Percentiles,
    /// Latency of the streams on each process (the webhooks all go to the first).
    pub latency_by_process: Vec<Percentiles>,
    pub missing: usize,
    /// Each process's peak resident memory during the run.
    pub peak_rss_mib: Vec<f64>,
    /// The servers' CPU time (user + system) during the run, per event delivered per stream; it
    /// includes taking in the webhooks themselves, spread over the streams.
    pub cpu_us_per_event_per_subscriber: f64,
}

/// What one stream received: (message number, arrival). Each stream has its own list, so the
/// thousand streams do not contend for one lock on every event.
type Arrivals = Arc<Mutex<Vec<(usize, Instant)>>>;

/// The CPU time a process has used so far (all threads, user + system), from /proc.
fn cpu_time(pid: u32) -> Duration {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return Duration::ZERO;
    };
    // Fields after the command name (which may hold spaces, so split after its ')').
    let rest = stat.rsplit_once(')').map(|r| r.1).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the file: 12 and 13 after ')'; in clock ticks
    // of 1/100 s (USER_HZ, the same on every Linux).
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// One stream: every `message.created` whose body is a token of this run (`streams-{tag}-{n}`),
/// with when it came. The bench runs on the same two cores as the servers it measures, so this
/// reads the stream as cheaply as it can: no copy of an event, no allocation, no shared lock
/// (a thousand streams take 400,000 events a second).
async fn subscribe(
    client: reqwest::Client,
    url: String,
    tag: String,
    arrivals: Arrivals,
    ready: tokio::sync::mpsc::Sender<()>,
) {
    let Ok(res) = client.get(url).send().await else {
        return;
    };
    if !res.status().is_success() {
        return;
    }
    let _ = ready.send(()).await;
    let prefix = format!("\"body\":\"streams-{tag}-");
    let blank_line = memchr::memmem::Finder::new(b"\n\n");
    let created = memchr::memmem::Finder::new(b"event: message.created\n");
    let body = memchr::memmem::Finder::new(prefix.as_bytes());
    let mut stream = res.bytes_stream();
    let mut buf: Vec<u8> = Vec::new();
    while let Some(Ok(chunk)) = stream.next().await {
        let now = Instant::now();
        buf.extend_from_slice(&chunk);
        let mut start = 0;
        while let Some(end) = blank_line.find(&buf[start..]) {
            let block = &buf[start..start + end];
            start += end + 2;
            if created.find(block).is_none() {
                continue;
            }
            let Some(at) = body.find(block) else { continue };
            let digits = &block[at + prefix.len()..];
            let len = digits.iter().take_while(|b| b.is_ascii_digit()).count();
            // The number must end the body (another run's tag could start like this one's).
            if digits.get(len) != Some(&b'"') {
                continue;
            }
            let n = std::str::from_utf8(&digits[..len])
                .ok()
                .and_then(|d| d.parse().ok());
            if let (Some(n), Ok(mut a)) = (n, arrivals.lock()) {
                a.push((n, now));
            }
        }
        buf.drain(..start);
    }
}

/// `subscribers` streams spread evenly over `servers`; customers' messages at `rate` a second
/// for `seconds`, all sent to the first server's webhook.
pub async fn run(
    servers: &[&ServerProcess],
    session: &reqwest::Client,
    subscribers: usize,
    rate: f64,
    seconds: f64,
    tag: &str,
) -> anyhow::Result<StreamsRun> {
    // Each stream's arrivals, with its process.
    let arrivals: Vec<(usize, Arrivals)> = (0..subscribers)
        .map(|i| (i % servers.len(), Arrivals::default()))
        .collect();
    let arrived = || -> usize {
        arrivals
            .iter()
            .map(|(_, a)| a.lock().map(|a| a.len()).unwrap_or(0))
            .sum()
    };
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel(subscribers);
    let mut tasks = Vec::new();
    for (process, stream_arrivals) in &arrivals {
        tasks.push(tokio::spawn(subscribe(
            session.clone(),
            servers[*process].url("/api/events"),
            tag.to_string(),
            stream_arrivals.clone(),
            ready_tx.clone(),
        )));
    }
    for _ in 0..subscribers {
        tokio::time::timeout(Duration::from_secs(60), ready_rx.recv())
            .await?
            .ok_or_else(|| anyhow::anyhow!("a stream ended before it was open"))?;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    for s in servers {
        s.reset_peak();
    }
    let cpu_before: Vec<Duration> = servers.iter().map(|s| cpu_time(s.pid())).collect();

    let messages = (rate * seconds) as usize;
    let sender = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;
    let base = servers[0].base.clone();
    let acked: Arc<Mutex<HashMap<usize, Instant>>> = Arc::default();
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut sends = Vec::with_capacity(messages);
    let started = Instant::now();
    for i in 0..messages {
        ticker.tick().await;
        let token = format!("streams-{tag}-{i}");
        let msg = Msg {
            from: format!("62866{:06}", i % 200),
            id: token.clone(),
            text: token.clone(),
        };
        let req = Provider::Meta.request(&sender, &base, &[msg]);
        let acked = acked.clone();
        // Each send on its own task, so its acknowledgement is timed when it comes (not when
        // this loop next looks).
        sends.push(tokio::spawn(async move {
            let res = req.send().await?;
            let at = Instant::now();
            anyhow::ensure!(
                res.status().is_success(),
                "webhook answered {}",
                res.status()
            );
            if let Ok(mut a) = acked.lock() {
                a.insert(i, at);
            }
            Ok(())
        }));
    }
    for send in sends {
        send.await??;
    }
    let sent_for = started.elapsed().as_secs_f64();
    let expected = subscribers * messages;
    let deadline = Instant::now() + Duration::from_secs(15);
    while arrived() < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let cpu: Duration = servers
        .iter()
        .zip(&cpu_before)
        .map(|(s, before)| cpu_time(s.pid()).saturating_sub(*before))
        .sum();
    let peak_rss_mib = servers.iter().map(|s| s.memory_mib().1).collect();
    for t in tasks {
        t.abort();
    }
    let acked = acked.lock().map(|a| a.clone()).unwrap_or_default();
    let mut all: Vec<Duration> = Vec::with_capacity(expected);
    let mut by_process: Vec<Vec<Duration>> = vec![Vec::new(); servers.len()];
    for (process, stream_arrivals) in &arrivals {
        let got = stream_arrivals
            .lock()
            .map(|a| a.clone())
            .unwrap_or_default();
        for (n, at) in got {
            let Some(ack) = acked.get(&n) else {
                continue;
            };
            // An event may arrive before the sender has read the acknowledgement: 0 ms.
            let d = at.checked_duration_since(*ack).unwrap_or(Duration::ZERO);
            all.push(d);
            by_process[*process].push(d);
        }
    }
    let delivered = all.len();
    Ok(StreamsRun {
        processes: servers.len(),
        subscribers,
        rate_per_s: messages as f64 / sent_for,
        messages,
        missing: expected.saturating_sub(delivered),
        latency: percentiles(&mut all),
        latency_by_process: by_process.iter_mut().map(|v| percentiles(v)).collect(),
        peak_rss_mib,
        cpu_us_per_event_per_subscriber: cpu.as_secs_f64() * 1e6 / delivered.max(1) as f64,
    })
}
