//! The inbox at scale: 10,000 chats and 200,000 messages, then server-side render times of the
//! inbox page and of one conversation, and the chat-list search.

use crate::stats::{percentiles, Percentiles};
use sqlx::PgPool;
use std::time::{Duration, Instant};

#[derive(Debug, Default, serde::Serialize)]
pub struct ScaleReport {
    pub chats: i64,
    pub messages: i64,
    pub seed_seconds: f64,
    pub inbox_render: Percentiles,
    pub conversation_render: Percentiles,
    pub search: Percentiles,
}

/// Seeds sandbox chats up to `chats` chats with 20 messages each (the customers' numbers are
/// new, so nothing collides with earlier phases).
pub async fn seed(pool: &PgPool, chats: i64) -> anyhow::Result<f64> {
    let started = Instant::now();
    let mut tx = pool.begin().await?;
    sqlx::query("insert into contact (phone, display_name) select '6282' || lpad(i::text, 9, '0'), 'Pelanggan ' || i from generate_series(1, $1) i")
        .bind(chats)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "insert into chat (channel_id, contact_id, mode, last_message_at, last_message_preview, last_customer_message_at, unread_count)
         select (select channel_id from channel where kind = 'sandbox'), contact_id, (array['bot','agent','paused','closed'])[1 + contact_id % 4],
                now() - (contact_id || ' seconds')::interval, 'pesan terakhir', now(), contact_id % 3
           from contact where phone like '6282%'",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "insert into message (chat_id, channel_id, direction, sender_kind, kind, body, provider_message_id, status, sent_at)
         select c.chat_id, c.channel_id, 'in', 'customer', 'text', 'pesan ' || g || ' tentang pesanan INV-' || ((c.chat_id * 31 + g) % 99991),
                'scale-' || c.chat_id || '-' || g, 'received', now() - ((c.chat_id + g) || ' seconds')::interval
           from chat c join contact ct using (contact_id), generate_series(1, 20) g where ct.phone like '6282%'",
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    sqlx::query("analyze").execute(pool).await?;
    Ok(started.elapsed().as_secs_f64())
}

async fn time(
    reps: usize,
    mut request: impl FnMut() -> reqwest::RequestBuilder,
) -> anyhow::Result<Percentiles> {
    let mut samples: Vec<Duration> = Vec::with_capacity(reps);
    for _ in 0..reps {
        let t = Instant::now();
        let res = request().send().await?;
        anyhow::ensure!(res.status().is_success(), "answered {}", res.status());
        res.bytes().await?;
        samples.push(t.elapsed());
    }
    Ok(percentiles(&mut samples))
}

pub async fn run(
    base: &str,
    session: &reqwest::Client,
    pool: &PgPool,
) -> anyhow::Result<ScaleReport> {
    let seed_seconds = seed(pool, 10_000).await?;
    let chats: i64 = sqlx::query_scalar("select count(*) from chat")
        .fetch_one(pool)
        .await?;
    let messages: i64 = sqlx::query_scalar("select count(*) from message")
        .fetch_one(pool)
        .await?;
    let some_chat: i64 = sqlx::query_scalar("select chat_id from chat join contact using (contact_id) where phone like '6282%' order by chat_id limit 1 offset 5000")
        .fetch_one(pool)
        .await?;
    // Warm-up (first connections, first plans).
    time(5, || {
        session
            .get(format!("{base}/inbox"))
            .header("accept", "text/html")
    })
    .await?;
    Ok(ScaleReport {
        chats,
        messages,
        seed_seconds,
        inbox_render: time(50, || {
            session
                .get(format!("{base}/inbox"))
                .header("accept", "text/html")
        })
        .await?,
        conversation_render: time(50, || {
            session
                .get(format!("{base}/inbox/{some_chat}"))
                .header("accept", "text/html")
        })
        .await?,
        search: time(50, || {
            session
                .post(format!("{base}/api/chats/list"))
                .form(&[("tab", "all"), ("q", "INV-4242")])
        })
        .await?,
    })
}
