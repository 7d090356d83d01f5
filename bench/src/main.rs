//! The benchmark: starts the release server against a fresh database, drives it from this
//! separate process over loopback, prints a table and writes `target/bench/report.json`.
//! Run it with `scripts/bench` (which builds and prepares the database first).
//!
//! Usage: `bench <database url of an empty, migrated-or-empty database> [server binary]`

mod bodies;
mod browser;
mod footprint;
mod ingest;
mod live;
mod media;
mod outbound;
mod pglimit;
mod platform;
mod print;
mod scale;
mod server;
mod stats;
mod streams;

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
    streams: Vec<streams::StreamsRun>,
    outbound: Vec<outbound::OutboundRun>,
    media: Option<media::MediaRun>,
    scale: scale::ScaleReport,
    platform: platform::PlatformRun,
    first_screen: Option<serde_json::Value>,
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
    // A thousand live streams and the webhooks beside them: more sockets than the usual
    // default limit of open files (the server raises its own).
    if let Ok((soft, hard)) =
        nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE)
    {
        if soft < hard {
            nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE, hard, hard)?;
        }
    }
    let started = Instant::now();
    let started_at = chrono::Utc::now().to_rfc3339();

    let mock = Arc::new(outbound::Mock::default());
    let mock_url = outbound::start_mock(mock.clone()).await?;
    let server = server::start(&binary, &database_url, &mock_url).await?;
    let result = run(&server, &database_url, &mock, &mock_url, &binary).await;
    server.stop_or_kill(Duration::from_secs(20));
    let mut report = result?;
    report.seconds = started.elapsed().as_secs_f64();
    report.started_at = started_at;
    print::print(&report);
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
    mock_url: &str,
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
    // then the platform section; `outbound`, `streams`, `scale`: ingest, then that section (for
    // quick profiling rounds).
    let only = std::env::var("BENCH_ONLY").ok();
    let partial = |ingest, physical, platform| Report {
        machine: machine(),
        started_at: String::new(),
        seconds: 0.0,
        ingest,
        physical_limit_inserts_per_s: physical,
        live: Vec::new(),
        streams: Vec::new(),
        outbound: Vec::new(),
        media: None,
        scale: scale::ScaleReport::default(),
        platform,
        first_screen: None,
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
    if only.as_deref() == Some("outbound") {
        let mut r = partial(ingest, physical, platform::PlatformRun::default());
        eprintln!("outbound ...");
        r.outbound = vec![
            outbound::run(&base, &session, &pool, mock, 300, false).await?,
            outbound::run(&base, &session, &pool, mock, 300, true).await?,
        ];
        return Ok(r);
    }
    if only.as_deref() == Some("streams") {
        let mut r = partial(ingest, physical, platform::PlatformRun::default());
        r.streams = thousand_streams(server, database_url, mock_url, binary, &session).await?;
        return Ok(r);
    }
    if only.as_deref() == Some("scale") {
        let mut r = partial(ingest, physical, platform::PlatformRun::default());
        eprintln!("inbox at scale ...");
        r.scale = scale::run(&base, &session, &pool, database_url).await?;
        eprintln!("first screen ...");
        r.first_screen = Some(browser::first_screen(&base)?);
        return Ok(r);
    }

    eprintln!("live latency ...");
    let live = vec![
        live::run(&base, &session, 1, 1000, "one").await?,
        live::run(&base, &session, 200, 1000, "many").await?,
    ];
    let streams = thousand_streams(server, database_url, mock_url, binary, &session).await?;

    eprintln!("outbound ...");
    let outbound = vec![
        outbound::run(&base, &session, &pool, mock, 300, false).await?,
        outbound::run(&base, &session, &pool, mock, 300, true).await?,
    ];

    eprintln!("customers' photos ...");
    let media = Some(media::run(&base, &pool).await?);

    eprintln!("platform: API sends, outbound webhooks ...");
    let platform = platform::run(&base, &session, 2000, 2000).await?;

    eprintln!("inbox at scale ...");
    let scale = scale::run(&base, &session, &pool, database_url).await?;
    eprintln!("first screen ...");
    let first_screen = Some(browser::first_screen(&base)?);
    let footprint = footprint::measure(binary, std::path::Path::new("target/site/pkg"), idle, peak);
    Ok(Report {
        machine: machine(),
        started_at: String::new(),
        seconds: 0.0,
        ingest,
        physical_limit_inserts_per_s: physical,
        live,
        streams,
        outbound,
        media,
        scale,
        platform,
        first_screen,
        footprint,
    })
}

/// 1,000 live streams at 200 messages a second: on this server, then spread over it and a
/// second process on the same database.
async fn thousand_streams(
    server: &test_support::process::ServerProcess,
    database_url: &str,
    mock_url: &str,
    binary: &std::path::Path,
    session: &reqwest::Client,
) -> anyhow::Result<Vec<streams::StreamsRun>> {
    eprintln!("1,000 live streams ...");
    let second = server::start(binary, database_url, mock_url).await?;
    let two_first = std::env::var("BENCH_TWO_FIRST").is_ok();
    let mut runs = Vec::new();
    if two_first {
        runs.push(streams::run(&[server, &second], session, 1000, 200.0, 10.0, "two").await);
    }
    runs.push(streams::run(&[server], session, 1000, 200.0, 10.0, "one").await);
    if !two_first {
        runs.push(streams::run(&[server, &second], session, 1000, 200.0, 10.0, "two").await);
    }
    second.stop_or_kill(Duration::from_secs(20));
    runs.into_iter().collect()
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
