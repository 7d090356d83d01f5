//! The benchmark: starts the release server against a fresh database, drives it from this
//! separate process over loopback, prints a table and writes `target/bench/report.json`.
//! Run it with `scripts/bench` (which builds and prepares the database first).
//!
//! Usage: `bench <database url of an empty, migrated-or-empty database> [server binary]`

mod bodies;
mod footprint;
mod ingest;
mod live;
mod media;
mod outbound;
mod pglimit;
mod platform;
mod scale;
mod server;
mod stats;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(serde::Serialize)]
struct Report {
    machine: String,
    started_at: String,
    seconds: f64,
    ingest: ingest::IngestReport,
    physical_limit_inserts_per_s: Vec<(usize, f64)>,
    live: Vec<live::LiveRun>,
    outbound: Vec<outbound::OutboundRun>,
    media: Option<media::MediaRun>,
    scale: scale::ScaleReport,
    platform: platform::PlatformRun,
    footprint: footprint::Footprint,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let database_url = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: bench <database url> [server binary]"))?;
    let binary = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "target/release/server".into()),
    );
    let started = Instant::now();
    let started_at = chrono::Utc::now().to_rfc3339();

    let mock = Arc::new(outbound::Mock::default());
    let mock_url = outbound::start_mock(mock.clone()).await?;
    let server = server::start(&binary, &database_url, &mock_url).await?;
    let result = run(&server, &database_url, &mock, &binary).await;
    server.stop_or_kill(Duration::from_secs(20));
    let mut report = result?;
    report.seconds = started.elapsed().as_secs_f64();
    report.started_at = started_at;
    print(&report);
    std::fs::create_dir_all("target/bench")?;
    std::fs::write(
        "target/bench/report.json",
        serde_json::to_string_pretty(&report)?,
    )?;
    println!(
        "\nwritten: target/bench/report.json ({:.0} s in all)",
        report.seconds
    );
    Ok(())
}

async fn run(
    server: &test_support::process::ServerProcess,
    database_url: &str,
    mock: &outbound::Mock,
    binary: &std::path::Path,
) -> anyhow::Result<Report> {
    let pool = sqlx::PgPool::connect(database_url).await?;
    let base = server.base.clone();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (idle, _) = server.memory_mib();

    eprintln!("ingest ...");
    server.reset_peak();
    let ingest = ingest::run(&base, &pool).await?;
    let (_, peak) = server.memory_mib();

    eprintln!("physical limit ...");
    let mut physical = Vec::new();
    for c in [1usize, 16, 64] {
        physical.push((
            c,
            pglimit::inserts_per_s(database_url, c, if c == 1 { 400 } else { 3000 }).await?,
        ));
    }

    // `BENCH_ONLY=ingest`: ingest and its physical limit only; `BENCH_ONLY=platform`: ingest,
    // then the platform section (for quick profiling rounds).
    let only = std::env::var("BENCH_ONLY").ok();
    let partial = |ingest, physical, platform| Report {
        machine: machine(),
        started_at: String::new(),
        seconds: 0.0,
        ingest,
        physical_limit_inserts_per_s: physical,
        live: Vec::new(),
        outbound: Vec::new(),
        media: None,
        scale: scale::ScaleReport::default(),
        platform,
        footprint: footprint::measure(binary, std::path::Path::new("target/site/pkg"), idle, peak),
    };
    if only.as_deref() == Some("ingest") {
        return Ok(partial(ingest, physical, platform::PlatformRun::default()));
    }

    let session = server.admin().await.map_err(anyhow::Error::msg)?;
    if only.as_deref() == Some("platform") {
        eprintln!("platform: API sends, outbound webhooks ...");
        let platform = platform::run(&base, &session, 2000, 2000).await?;
        return Ok(partial(ingest, physical, platform));
    }

    eprintln!("live latency ...");
    let live = vec![
        live::run(&base, &session, 1, 1000, "one").await?,
        live::run(&base, &session, 200, 1000, "many").await?,
    ];

    eprintln!("outbound ...");
    let outbound = vec![
        outbound::run(&base, &session, &pool, mock, 300, false).await?,
        outbound::run(&base, &session, &pool, mock, 300, true).await?,
    ];

    eprintln!("customers' photos ...");
    let media = Some(media::run(&base, &pool).await?);

    eprintln!("inbox at scale ...");
    let scale = scale::run(&base, &session, &pool).await?;

    eprintln!("platform: API sends, outbound webhooks ...");
    let platform = platform::run(&base, &session, 2000, 2000).await?;
    let footprint = footprint::measure(binary, std::path::Path::new("target/site/pkg"), idle, peak);
    Ok(Report {
        machine: machine(),
        started_at: String::new(),
        seconds: 0.0,
        ingest,
        physical_limit_inserts_per_s: physical,
        live,
        outbound,
        media,
        scale,
        platform,
        footprint,
    })
}

fn machine() -> String {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0 / 1024.0)
        .unwrap_or(0.0);
    format!("{cores} cores, {mem:.0} GiB")
}

fn print(r: &Report) {
    println!("\nInbox benchmark on {} ({})", r.machine, r.started_at);
    println!("\nIngest (20% redelivered bodies)");
    println!(
        "{:<6} {:>4} {:>5} {:>9} {:>9} {:>8} {:>8} {:>8} {:>7} {:>6}",
        "prov",
        "conc",
        "batch",
        "req/s",
        "msg/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "% limit",
        "non2xx"
    );
    for run in &r.ingest.runs {
        let limit = r
            .physical_limit_inserts_per_s
            .iter()
            .find(|(c, _)| *c == run.concurrency)
            .map(|p| p.1)
            .unwrap_or(f64::NAN);
        println!(
            "{:<6} {:>4} {:>5} {:>9.0} {:>9.0} {:>8.2} {:>8.2} {:>8.2} {:>6.0}% {:>6}",
            format!("{:?}", run.provider).to_lowercase(),
            run.concurrency,
            run.batch,
            run.requests_per_s,
            run.messages_per_s,
            run.ack.p50_ms,
            run.ack.p95_ms,
            run.ack.p99_ms,
            run.messages_per_s / limit * 100.0,
            run.non_2xx
        );
    }
    println!(
        "stored {} of {} expected rows: lost {}, duplicated {}",
        r.ingest.stored_rows, r.ingest.expected_rows, r.ingest.lost, r.ingest.duplicated
    );
    println!("\nPhysical limit (single-row inserts, no application)");
    for (c, rate) in &r.physical_limit_inserts_per_s {
        println!("  {c:>3} connections: {rate:>8.0} inserts/s");
    }
    println!("\nLive latency (webhook acknowledged → message.created at an SSE subscriber)");
    for l in &r.live {
        println!(
            "  {:>3} subscribers, {} messages: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (arrived before the ack: {}, missing: {})",
            l.subscribers, l.messages, l.latency.p50_ms, l.latency.p99_ms, l.latency.max_ms, l.before_ack, l.missing
        );
    }
    println!("\nOutbound (mock provider answering in 50 ms)");
    for o in &r.outbound {
        println!(
            "  {:>2}% failing: {} replies, {:.0} replies/s, each delivered exactly once: {}",
            o.failing_percent, o.replies, o.replies_per_s, o.delivered_once
        );
    }
    if let Some(m) = &r.media {
        println!(
            "\nCustomers' photos ({} JPEGs of 1280 × 960, {} KB, from the mock: webhook → file and thumbnail ready to show)",
            m.images, m.file_kib
        );
        println!(
            "  p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms (not ready after 60 s: {}; with a thumbnail: {})",
            m.ready.p50_ms, m.ready.p95_ms, m.ready.p99_ms, m.ready.max_ms, m.not_ready, m.thumbnails
        );
    }
    let s = &r.scale;
    println!(
        "\nInbox at scale ({} chats, {} messages; seeded in {:.1} s)",
        s.chats, s.messages, s.seed_seconds
    );
    println!(
        "  /inbox render:        p50 {:.2} ms, p95 {:.2} ms",
        s.inbox_render.p50_ms, s.inbox_render.p95_ms
    );
    println!(
        "  conversation render:  p50 {:.2} ms, p95 {:.2} ms",
        s.conversation_render.p50_ms, s.conversation_render.p95_ms
    );
    println!(
        "  chat-list search:     p50 {:.2} ms, p95 {:.2} ms",
        s.search.p50_ms, s.search.p95_ms
    );
    let p = &r.platform;
    println!("\nPlatform");
    println!(
        "  API sends into the outbox: {} sends, {:.0} sends/s (16 at a time, each with an Idempotency-Key), p50 {:.2} ms, p99 {:.2} ms, refused {}",
        p.api_sends, p.api_sends_per_s, p.api_send_latency.p50_ms, p.api_send_latency.p99_ms, p.api_refused
    );
    println!(
        "  webhooks: {} customer messages in at {:.0}/s, message.in delivered at {:.0}/s; lag commit → receiver p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (missing {}, duplicated {})",
        p.webhook_messages, p.webhook_ingest_messages_per_s, p.webhook_deliveries_per_s, p.webhook_lag.p50_ms, p.webhook_lag.p99_ms, p.webhook_lag.max_ms, p.webhook_missing, p.webhook_duplicates
    );
    let f = &r.footprint;
    println!("\nFootprint");
    println!(
        "  server memory: idle {:.1} MiB, peak during ingest {:.1} MiB",
        f.idle_rss_mib, f.peak_rss_mib
    );
    println!("  release binary: {:.1} MiB; browser download (gzip): wasm {:.0} KiB, js {:.0} KiB, css {:.0} KiB", f.binary_mib, f.wasm_gzip_kib, f.js_gzip_kib, f.css_gzip_kib);
}
