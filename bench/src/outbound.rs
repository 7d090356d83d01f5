//! Outbound: replies per second through the outbox to a mock of Meta's Graph API that answers
//! after 50 ms, then the same with the mock failing 30 % of calls; every reply must reach the
//! mock exactly once.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use sqlx::PgPool;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Default)]
pub struct Mock {
    pub failing: AtomicBool,
    calls: AtomicUsize,
    /// `biz_opaque_callback_data` of every call answered with success.
    pub delivered: Mutex<Vec<String>>,
}

async fn send(
    State(mock): State<Arc<Mock>>,
    Json(body): Json<serde_json::Value>,
) -> (StatusCode, Json<serde_json::Value>) {
    tokio::time::sleep(Duration::from_millis(50)).await;
    let n = mock.calls.fetch_add(1, Ordering::SeqCst);
    // 3 of every 10 calls fail.
    if mock.failing.load(Ordering::SeqCst) && n % 10 < 3 {
        let error = serde_json::json!({ "error": { "message": "Service temporarily unavailable", "type": "OAuthException", "code": 2 } });
        return (StatusCode::SERVICE_UNAVAILABLE, Json(error));
    }
    let key = body["biz_opaque_callback_data"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if let Ok(mut d) = mock.delivered.lock() {
        d.push(key);
    }
    (
        StatusCode::OK,
        Json(
            serde_json::json!({ "messaging_product": "whatsapp", "messages": [{ "id": format!("wamid.bench{n}") }] }),
        ),
    )
}

/// Starts the mock on a free port; returns its base URL.
pub async fn start_mock(mock: Arc<Mock>) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let app = Router::new()
        .route("/{phone}/messages", post(send))
        .merge(crate::media::mock_routes())
        .with_state(mock);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(url)
}

#[derive(Debug, serde::Serialize)]
pub struct OutboundRun {
    pub failing_percent: u32,
    pub replies: usize,
    pub replies_per_s: f64,
    pub delivered_once: bool,
}

pub async fn run(
    base: &str,
    session: &reqwest::Client,
    pool: &PgPool,
    mock: &Mock,
    replies: usize,
    failing: bool,
) -> anyhow::Result<OutboundRun> {
    mock.failing.store(failing, Ordering::SeqCst);
    let before = mock.delivered.lock().map(|d| d.len()).unwrap_or(0);
    let chats: Vec<i64> = sqlx::query_scalar(
        "select c.chat_id from chat c join channel ch using (channel_id)
          where ch.kind = 'meta' and not exists (select 1 from message m where m.chat_id = c.chat_id and m.direction = 'out')
          order by c.chat_id limit $1",
    )
    .bind(replies as i64)
    .fetch_all(pool)
    .await?;
    anyhow::ensure!(
        chats.len() == replies,
        "only {} Meta chats to answer",
        chats.len()
    );
    let started = Instant::now();
    for chat in &chats {
        let res = session
            .post(format!("{base}/api/chats/reply"))
            .form(&[
                ("chat_id", chat.to_string()),
                ("text", "Terima kasih, pesanan sedang kami proses".into()),
            ])
            .send()
            .await?;
        anyhow::ensure!(res.status().is_success(), "reply answered {}", res.status());
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let pending: i64 = sqlx::query_scalar(
            "select count(*) from message where direction = 'out' and status = 'queued'",
        )
        .fetch_one(pool)
        .await?;
        if pending == 0 {
            break;
        }
        anyhow::ensure!(Instant::now() < deadline, "{pending} replies still queued");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let delivered: Vec<String> = mock
        .delivered
        .lock()
        .map(|d| d[before..].to_vec())
        .unwrap_or_default();
    let mut unique = delivered.clone();
    unique.sort();
    unique.dedup();
    Ok(OutboundRun {
        failing_percent: if failing { 30 } else { 0 },
        replies,
        replies_per_s: replies as f64 / elapsed,
        delivered_once: unique.len() == replies && delivered.len() == replies,
    })
}
