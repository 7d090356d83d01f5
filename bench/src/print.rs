//! The benchmark's table on standard output.

use crate::Report;

pub fn print(r: &Report) {
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
    for s in &r.streams {
        println!(
            "  {} streams on {} process(es), {} messages at {:.0}/s: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (p99 by process: {}); missing {}; peak memory {} MiB; {:.2} µs CPU per event per stream",
            s.subscribers,
            s.processes,
            s.messages,
            s.rate_per_s,
            s.latency.p50_ms,
            s.latency.p99_ms,
            s.latency.max_ms,
            s.latency_by_process.iter().map(|p| format!("{:.2} ms", p.p99_ms)).collect::<Vec<_>>().join(", "),
            s.missing,
            s.peak_rss_mib.iter().map(|m| format!("{m:.1}")).collect::<Vec<_>>().join(" + "),
            s.cpu_us_per_event_per_subscriber
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
    scale(r);
    if let Some(fs) = &r.first_screen {
        println!(
            "\nFirst screen (signed-in /inbox in Chromium; median of {} loads; ms from navigation)",
            fs["runs"]
        );
        if let Some(profiles) = fs["profiles"].as_object() {
            for (name, p) in profiles {
                for (cache, what) in [
                    ("cold", "/inbox"),
                    ("warm", "/inbox"),
                    ("conversation_cold", "/inbox/{id} cold"),
                ] {
                    let c = &p[cache];
                    if c.is_null() {
                        continue;
                    }
                    println!(
                        "  {name:<12} {what:<16}: largest contentful paint {} ms, hydrated {} ms; {} KiB transferred, {} KiB and {} wasm files before it hydrated",
                        c["lcp_ms"], c["hydrated_ms"], c["transferred_kib"], c["before_hydrated_kib"], c["wasm_files_before_hydrated"]
                    );
                }
            }
        }
        let a = &fs["admin_channels"];
        if a.is_object() {
            println!(
                "  /admin/channels, unthrottled cold: hydrated {} ms, {} KiB transferred, {} lazy chunks loaded (the inbox loaded none)",
                a["hydrated_ms"], a["transferred_kib"], a["chunks"]
            );
        }
    }
    let f = &r.footprint;
    println!("\nFootprint");
    println!(
        "  server memory: idle {:.1} MiB, peak during ingest {:.1} MiB",
        f.idle_rss_mib, f.peak_rss_mib
    );
    println!("  release binary: {:.1} MiB", f.binary_mib);
    println!(
        "  browser download, every page (the inbox's whole): gzip {:.0} KiB (wasm {:.0}, js {:.0} + chunk loader {:.0}, css {:.0}); brotli {:.0} KiB (wasm {:.0}, js {:.0} + {:.0}, css {:.0}); wasm uncompressed {:.0} KiB",
        f.wasm_gzip_kib + f.js_gzip_kib + f.loader_gzip_kib + f.css_gzip_kib,
        f.wasm_gzip_kib,
        f.js_gzip_kib,
        f.loader_gzip_kib,
        f.css_gzip_kib,
        f.wasm_br_kib + f.js_br_kib + f.loader_br_kib + f.css_br_kib,
        f.wasm_br_kib,
        f.js_br_kib,
        f.loader_br_kib,
        f.css_br_kib,
        f.wasm_kib
    );
    println!(
        "  lazy chunks (conversation; admin, sandbox, sign-in, first-admin pages; template picker), loaded when needed: {} files, gzip {:.0} KiB, brotli {:.0} KiB in all",
        f.lazy_chunks, f.lazy_gzip_kib, f.lazy_br_kib
    );
    println!(
        "  of which the conversation's (fetched once the inbox list has hydrated): {} files, gzip {:.0} KiB, brotli {:.0} KiB",
        f.conversation_chunks, f.conversation_gzip_kib, f.conversation_br_kib
    );
}

fn scale(r: &Report) {
    let s = &r.scale;
    if s.chats == 0 {
        return;
    }
    println!(
        "\nInbox at scale ({} chats, {} messages; inserted in {:.0} s, indexed in {:.0} s)",
        s.chats, s.messages, s.seed_seconds, s.index_seconds
    );
    println!(
        "  database {:.0} MiB, of which message {:.0} MiB; largest indexes: {}",
        s.database_mib,
        s.message_mib,
        s.largest_indexes
            .iter()
            .map(|(n, m)| format!("{n} {m:.0} MiB"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let line = |what: &str, p: &crate::stats::Percentiles| {
        println!(
            "  {what:<34} p50 {:>7.2} ms, p95 {:>7.2} ms, max {:>7.2} ms",
            p.p50_ms, p.p95_ms, p.max_ms
        );
    };
    for (name, p) in &s.lists {
        line(&format!("list {name}"), p);
    }
    for (name, p) in &s.searches {
        line(&format!("search {name}"), p);
    }
    line("/inbox render", &s.inbox_render);
    line(
        &format!("{}-message chat render", s.long_conversation_messages),
        &s.long_conversation_render,
    );
    line(
        &format!("its older pages ({} back)", s.pages_back),
        &s.page_back,
    );
    line("mode change", &s.mode_change);
    line("reply", &s.reply);
    for (batch, rate, pct) in &s.ingest {
        let small = crate::scale::small_percent(&r.ingest, &r.physical_limit_inserts_per_s, *batch)
            .map(|p| format!("{p:.0} %"))
            .unwrap_or_else(|| "-".into());
        println!(
            "  ingest meta ×16 batch {batch:>2}: {rate:>6.0} msg/s = {pct:.0} % of the {:.0} inserts/s limit at this size (small database: {small})",
            s.physical_limit_inserts_per_s
        );
    }
}
