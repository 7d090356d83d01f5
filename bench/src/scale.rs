//! The inbox at a busy shop's size after a few years: 1,000,000 chats and 10,000,000 messages
//! (`BENCH_SCALE_CHATS` for another size, ten messages a chat), then what agents do, timed over
//! HTTP: each tab and mode filter of the list, search by name, number and text, the inbox page,
//! a 10,000-message conversation opened at its end and paged back, a mode change, a reply, and
//! ingest at that size against the same run's plain-insert limit.
//!
//! The spread: 20 agents; 70 % of chats closed, 15 % with the bot, 10 % with agents (most of
//! them assigned), 5 % paused; 5 % unread; activity over three years; most conversations 1–19
//! messages (ten on average), ten of them 10,000 messages long. Rows are generated inside
//! PostgreSQL by one `INSERT … SELECT` per table (set-based, like COPY, without shipping
//! 10,000,000 rows over the socket), with triggers and foreign-key checks off for the session
//! and the three tables' secondary indexes dropped first and built again after (as a restore
//! does; the trigram index alone would otherwise be updated row by row).

use crate::bodies::{Msg, Provider};
use crate::stats::{percentiles, Percentiles};
use sqlx::PgPool;
use std::time::{Duration, Instant};

#[derive(Debug, Default, serde::Serialize)]
pub struct ScaleReport {
    pub chats: i64,
    pub messages: i64,
    pub seed_seconds: f64,
    pub index_seconds: f64,
    /// The `message` table with its indexes, and the whole database, in MiB.
    pub message_mib: f64,
    pub database_mib: f64,
    /// The largest indexes of the three tables: (name, MiB).
    pub largest_indexes: Vec<(String, f64)>,
    /// (tab[+mode], first page)
    pub lists: Vec<(String, Percentiles)>,
    /// (what was searched for, first page)
    pub searches: Vec<(String, Percentiles)>,
    pub inbox_render: Percentiles,
    pub long_conversation_messages: i64,
    /// The page of a 10,000-message conversation, rendered by the server at its end.
    pub long_conversation_render: Percentiles,
    /// Each older page of it, from the end back (`chats/open` with `before`).
    pub page_back: Percentiles,
    pub pages_back: usize,
    pub mode_change: Percentiles,
    pub reply: Percentiles,
    /// (batch, messages/s, % of the plain-insert limit) at this size.
    pub ingest: Vec<(usize, f64, f64)>,
    pub physical_limit_inserts_per_s: f64,
}

const FIRST_NAMES: &str = "'{Budi,Siti,Agus,Dewi,Rina,Andi,Putri,Joko,Sri,Wahyu,Ayu,Eko,Fitri,Hendra,Indah,Yusuf,Lestari,Rizky,Nur,Bayu,Wulan,Dimas,Ratna,Fajar,Maya,Arif,Intan,Bambang,Kartika,Reza,Sari,Teguh,Nanda,Gilang,Mega,Irfan,Yuni,Hadi,Lina,Doni}'";
const LAST_NAMES: &str = "'{Santoso,Wijaya,Saputra,Hidayat,Kusuma,Pratama,Siregar,Nasution,Harahap,Lubis,Simanjuntak,Gunawan,Setiawan,Halim,Susanto,Utomo,Wibowo,Rahayu,Permana,Nugroho,Putra,Sari,Hakim,Syahputra,Tanjung,Situmorang,Hutapea,Sinaga,Purba,Damanik,Manurung,Sembiring,Ginting,Tarigan,Surbakti,Batubara,Daulay,Pohan,Rangkuti,Ritonga,Matondang,Dalimunthe,Pulungan,Hasibuan,Nainggolan,Panjaitan,Pardede,Sitompul,Sihombing,Marpaung}'";

/// Seeds `chats` chats (with their contacts, ten messages each on average, ten chats of 10,000
/// messages) and 20 agents; returns (seconds inserting, seconds building indexes).
pub async fn seed(pool: &PgPool, chats: i64) -> anyhow::Result<(f64, f64)> {
    let started = Instant::now();
    let mut conn = pool.acquire().await?;
    for set in [
        "set session_replication_role = replica",
        "set synchronous_commit = off",
        "set maintenance_work_mem = '1GB'",
        "set max_parallel_maintenance_workers = 2",
    ] {
        sqlx::query(set).execute(&mut *conn).await?;
    }
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "select indexname::text, indexdef from pg_indexes
          where schemaname = current_schema() and tablename in ('contact', 'chat', 'message')
            and indexname not in (select conname from pg_constraint)",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (name, _) in &indexes {
        sqlx::query(&format!("drop index {name}"))
            .execute(&mut *conn)
            .await?;
    }
    let statements = [
        "insert into app_user (username, display_name, role, password_hash)
         select 'scale-agent-' || i, 'Agen ' || i, 'agent', 'none (cannot sign in)' from generate_series(1, 20) i"
            .to_string(),
        format!(
            "insert into contact (phone, display_name)
             select '6283' || lpad(i::text, 9, '0'),
                    ({FIRST_NAMES}::text[])[1 + i % 40] || ' ' || ({LAST_NAMES}::text[])[1 + (i / 40) % 50]
               from generate_series(1, $1) i"
        ),
        // h, h2: independent pseudo-random 0..99 per chat, for the spread.
        "insert into chat (channel_id, contact_id, mode, assigned_user_id, unread_count, last_message_at,
                           last_message_preview, last_customer_message_at, created_at, closed_at)
         select ch.channel_id, ct.contact_id, s.mode,
                case when s.mode <> 'bot' and s.h2 % 5 = 4 then null
                     when s.mode in ('agent', 'closed', 'paused') then agents.ids[1 + ct.contact_id % 21]
                end,
                case when s.h2 < 5 then 1 + ct.contact_id % 4 else 0 end,
                s.active_at, 'pesan terakhir', s.active_at, s.active_at - interval '3 days',
                case when s.mode = 'closed' then s.active_at end
           from contact ct
           cross join (select channel_id from channel where kind = 'sandbox') ch
           cross join (select array_agg(user_id order by user_id) ids from app_user
                        where username like 'scale-agent-%' or role = 'admin') agents
           cross join lateral (select abs(hashint8(ct.contact_id) % 100) h,
                                      abs(hashint8(ct.contact_id + 1000000007) % 100) h2,
                                      now() - make_interval(secs => (ct.contact_id * 7919) % 94608000) active_at) r
           cross join lateral (select r.h, r.h2, r.active_at,
                                      case when r.h < 70 then 'closed' when r.h < 85 then 'bot'
                                           when r.h < 95 then 'agent' else 'paused' end mode) s
          where ct.phone like '6283%'"
            .to_string(),
        "insert into message (chat_id, channel_id, direction, sender_kind, sender_user_id, kind, body,
                              provider_message_id, status, sent_at, created_at, status_at)
         select c.chat_id, c.channel_id,
                case when g % 2 = 1 then 'in' else 'out' end,
                case when g % 2 = 1 then 'customer' else 'agent' end,
                case when g % 2 = 0 then c.assigned_user_id end,
                'text',
                (array['Halo kak, pesanan INV-', 'Sudah saya transfer untuk INV-', 'Kapan dikirim INV-',
                       'Terima kasih, INV-', 'Apakah stok masih ada untuk INV-', 'Resi untuk INV-',
                       'Mohon dicek pembayaran INV-', 'Barang sudah sampai, INV-'])[1 + g % 8]
                  || ((c.chat_id * 31 + g) % 99991),
                'scale-' || c.chat_id || '-' || g,
                case when g % 2 = 1 then 'received' else 'read' end,
                c.last_message_at - (n.n - g) * interval '7 minutes',
                c.last_message_at - (n.n - g) * interval '7 minutes',
                c.last_message_at - (n.n - g) * interval '7 minutes'
           from chat c
           join contact ct on ct.contact_id = c.contact_id and ct.phone like '6283%'
           cross join lateral (select case when ct.phone <= '6283000000010' then 10000
                                           else 1 + abs(hashint8(c.chat_id) % 19) end n) n
           cross join lateral generate_series(1, n.n) g"
            .to_string(),
    ];
    for (i, sql) in statements.iter().enumerate() {
        let q = sqlx::query(sql);
        let q = if i == 1 { q.bind(chats) } else { q };
        q.execute(&mut *conn).await?;
    }
    let seeded = started.elapsed().as_secs_f64();
    let indexing = Instant::now();
    for (_, def) in &indexes {
        sqlx::query(def).execute(&mut *conn).await?;
    }
    sqlx::query("set session_replication_role = origin")
        .execute(&mut *conn)
        .await?;
    sqlx::query("vacuum (analyze) contact, chat, message")
        .execute(&mut *conn)
        .await?;
    Ok((seeded, indexing.elapsed().as_secs_f64()))
}

async fn time(
    reps: usize,
    mut request: impl FnMut(usize) -> reqwest::RequestBuilder,
) -> anyhow::Result<Percentiles> {
    let mut samples: Vec<Duration> = Vec::with_capacity(reps);
    for i in 0..reps {
        let t = Instant::now();
        let res = request(i).send().await?;
        anyhow::ensure!(res.status().is_success(), "answered {}", res.status());
        res.bytes().await?;
        samples.push(t.elapsed());
    }
    Ok(percentiles(&mut samples))
}

/// The oldest message id on a conversation page (`chats/open`'s answer).
fn oldest(page: &serde_json::Value) -> Option<i64> {
    page["messages"]
        .as_array()?
        .iter()
        .filter_map(|m| m["message_id"].as_i64())
        .min()
}

pub async fn run(
    base: &str,
    session: &reqwest::Client,
    pool: &PgPool,
    database_url: &str,
) -> anyhow::Result<ScaleReport> {
    let size: i64 = std::env::var("BENCH_SCALE_CHATS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let (seed_seconds, index_seconds) = seed(pool, size).await?;
    // Planner statistics are estimates: count the real rows.
    let chats: i64 = sqlx::query_scalar("select count(*) from chat")
        .fetch_one(pool)
        .await?;
    let messages: i64 = sqlx::query_scalar("select count(*) from message")
        .fetch_one(pool)
        .await?;
    let (message_mib, database_mib): (f64, f64) = sqlx::query_as(
        "select pg_total_relation_size('message') / 1048576.0::float8,
                pg_database_size(current_database()) / 1048576.0::float8",
    )
    .fetch_one(pool)
    .await?;
    let largest_indexes: Vec<(String, f64)> = sqlx::query_as(
        "select indexrelid::regclass::text, pg_relation_size(indexrelid) / 1048576.0::float8
           from pg_index where indrelid in ('message'::regclass, 'chat'::regclass, 'contact'::regclass)
          order by pg_relation_size(indexrelid) desc limit 5",
    )
    .fetch_all(pool)
    .await?;
    let (long_chat, long_len): (i64, i64) = sqlx::query_as(
        "select c.chat_id, (select count(*) from message m where m.chat_id = c.chat_id)
           from chat c join contact ct using (contact_id) where ct.phone = '6283000000001'",
    )
    .fetch_one(pool)
    .await?;
    let some_phone: String = sqlx::query_scalar(
        "select substr(phone, 5) from contact where phone like '6283%' order by contact_id offset 424242 % greatest(1, $1) limit 1",
    )
    .bind(size)
    .fetch_one(pool)
    .await?;
    let list = |form: Vec<(&'static str, String)>| {
        let session = session.clone();
        let url = format!("{base}/api/chats/list");
        move |_| session.post(&url).form(&form)
    };
    // Warm-up (first connections, first plans).
    time(5, list(vec![("tab", "all".into())])).await?;

    let mut lists = Vec::new();
    for tab in ["all", "mine", "unassigned"] {
        for mode in ["", "bot", "agent", "paused", "closed"] {
            let mut form = vec![("tab", tab.to_string())];
            if !mode.is_empty() {
                form.push(("mode", mode.to_string()));
            }
            let name = if mode.is_empty() {
                tab.to_string()
            } else {
                format!("{tab} + {mode}")
            };
            lists.push((name, time(30, list(form)).await?));
        }
    }
    let mut searches = Vec::new();
    for (what, q) in [
        ("name", "Wulan Siregar".to_string()),
        ("number", some_phone),
        ("text", "INV-42424".to_string()),
        // In one message of eight: found among the newest chats, not through the index.
        ("common words", "terima kasih".to_string()),
    ] {
        searches.push((
            format!("{what} \"{q}\""),
            time(30, list(vec![("tab", "all".into()), ("q", q)])).await?,
        ));
    }
    let inbox_render = time(30, |_| {
        session
            .get(format!("{base}/inbox"))
            .header("accept", "text/html")
    })
    .await?;
    let long_conversation_render = time(20, |_| {
        session
            .get(format!("{base}/inbox/{long_chat}"))
            .header("accept", "text/html")
    })
    .await?;

    // Paged back from the end, as scrolling up does, 50 pages.
    let open = |before: Option<i64>| {
        let mut form = vec![("chat_id", long_chat.to_string())];
        if let Some(b) = before {
            form.push(("before", b.to_string()));
        }
        session.post(format!("{base}/api/chats/open")).form(&form)
    };
    let first: serde_json::Value = open(None).send().await?.error_for_status()?.json().await?;
    let mut before = oldest(&first);
    let mut samples = Vec::new();
    while let Some(b) = before {
        if samples.len() == 50 {
            break;
        }
        let t = Instant::now();
        let page: serde_json::Value = open(Some(b))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        samples.push(t.elapsed());
        before = oldest(&page).filter(|_| page["has_older"].as_bool() == Some(true));
    }
    let pages_back = samples.len();
    let page_back = percentiles(&mut samples);

    // A mode change on a chat with an agent, back and forth; replies into a chat in agent mode.
    let agent_chat: i64 = sqlx::query_scalar(
        "select chat_id from chat where mode = 'agent' and assigned_user_id is not null order by chat_id limit 1",
    )
    .fetch_one(pool)
    .await?;
    let mode_change = time(40, |i| {
        session.post(format!("{base}/api/chats/set_mode")).form(&[
            ("chat_id", agent_chat.to_string()),
            (
                "mode",
                if i % 2 == 0 { "paused" } else { "agent" }.to_string(),
            ),
        ])
    })
    .await?;
    let reply = time(40, |i| {
        session.post(format!("{base}/api/chats/reply")).form(&[
            ("chat_id", agent_chat.to_string()),
            ("text", format!("Baik kak, kami cek dulu ({i})")),
        ])
    })
    .await?;

    // Ingest at this size, against the plain-insert limit measured now (the indexes have grown
    // for both).
    let physical = crate::pglimit::inserts_per_s(database_url, 16, 3000).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(128)
        .build()?;
    let mut ingest = Vec::new();
    for batch in [1usize, 10] {
        let total = 3000;
        let msgs: Vec<Msg> = (0..total)
            .map(|i| Msg {
                from: format!("62833{batch:02}{:05}", i % 500),
                id: format!("scale-ingest-{batch}-{i}"),
                text: format!("pesanan {i}"),
            })
            .collect();
        let run = crate::ingest::one_run(base, &client, Provider::Meta, 16, &msgs, batch).await;
        ingest.push((
            batch,
            run.messages_per_s,
            100.0 * run.messages_per_s / physical,
        ));
    }
    Ok(ScaleReport {
        chats,
        messages,
        seed_seconds,
        index_seconds,
        message_mib,
        database_mib,
        largest_indexes,
        lists,
        searches,
        inbox_render,
        long_conversation_messages: long_len,
        long_conversation_render,
        page_back,
        pages_back,
        mode_change,
        reply,
        ingest,
        physical_limit_inserts_per_s: physical,
    })
}

/// The same provider, concurrency and batch at the small size: % of that run's limit.
pub fn small_percent(
    small: &crate::ingest::IngestReport,
    limit: &[(usize, f64)],
    batch: usize,
) -> Option<f64> {
    let run = small
        .runs
        .iter()
        .find(|r| r.provider == Provider::Meta && r.concurrency == 16 && r.batch == batch)?;
    let l = limit.iter().find(|(c, _)| *c == 16)?.1;
    Some(100.0 * run.messages_per_s / l)
}
