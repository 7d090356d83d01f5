//! Customers' photos: the time from an image webhook to its file being ready to show (fetched
//! from the mock's Meta media endpoints, 200 KB each, and kept in the media store), p50/p99
//! over 100 images posted 8 at a time. The webhook's own acknowledgement does not wait for the
//! download; this measures the fetchers behind it.

use crate::bodies::META_BUSINESS_ACCOUNT;
use crate::server::{META_PHONE_ID, META_SECRET};
use crate::stats::{percentiles, Percentiles};
use axum::extract::Path;
use axum::http::{header, HeaderMap};
use axum::routing::get;
use axum::{Json, Router};
use futures::StreamExt;
use sqlx::PgPool;
use std::time::Duration;
use test_support::signature::meta_request;

/// The size of each photo the mock serves.
pub const FILE_BYTES: usize = 200 * 1024;
const IMAGES: usize = 100;

/// Meta's media lookup and file download, on the benchmark's mock.
pub fn mock_routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/{media_id}", get(lookup))
        .route("/files/{media_id}", get(file))
}

async fn lookup(Path(id): Path<String>, headers: HeaderMap) -> Json<serde_json::Value> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    Json(serde_json::json!({
        "messaging_product": "whatsapp",
        "url": format!("http://{host}/files/{id}"),
        "mime_type": "image/jpeg",
        "file_size": FILE_BYTES.to_string(),
        "id": id,
    }))
}

/// A different 200 KB file for each id (so none is kept once for another).
async fn file(Path(id): Path<String>) -> ([(header::HeaderName, &'static str); 1], Vec<u8>) {
    let mut bytes = vec![0u8; FILE_BYTES];
    bytes[..3].copy_from_slice(b"\xff\xd8\xff");
    let seed = id.as_bytes();
    for (i, b) in bytes.iter_mut().enumerate().skip(3) {
        *b = seed[i % seed.len()].wrapping_add((i / 7) as u8);
    }
    ([(header::CONTENT_TYPE, "image/jpeg")], bytes)
}

#[derive(Debug, serde::Serialize)]
pub struct MediaRun {
    pub images: usize,
    pub file_kib: usize,
    /// Webhook sent → the file ready in the store (the bubble shows it).
    pub ready: Percentiles,
    pub not_ready: usize,
}

fn image_body(n: usize) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": META_BUSINESS_ACCOUNT, "changes": [{ "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": { "display_phone_number": "6281234500000", "phone_number_id": META_PHONE_ID },
            "contacts": [{ "profile": { "name": "Bench" }, "wa_id": format!("628997{n:05}") }],
            "messages": [{ "from": format!("628997{n:05}"), "id": format!("bench-image-{n}"),
                           "timestamp": chrono::Utc::now().timestamp().to_string(), "type": "image",
                           "image": { "mime_type": "image/jpeg", "id": format!("bench-media-{n}") } }]
        }}]}]
    }))
    .expect("json")
}

pub async fn run(base: &str, pool: &PgPool) -> anyhow::Result<MediaRun> {
    let client = reqwest::Client::new();
    let sent: Vec<(usize, chrono::DateTime<chrono::Utc>)> = futures::stream::iter(0..IMAGES)
        .map(|n| {
            let client = client.clone();
            async move {
                let at = chrono::Utc::now();
                let res = meta_request(&client, base, META_SECRET, image_body(n))
                    .send()
                    .await?;
                anyhow::ensure!(
                    res.status().is_success(),
                    "webhook answered {}",
                    res.status()
                );
                Ok::<_, anyhow::Error>((n, at))
            }
        })
        .buffer_unordered(8)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let ready: i64 = sqlx::query_scalar(
            "select count(*) from attachment a join message m using (message_id)
              where m.provider_message_id like 'bench-image-%' and a.state <> 'pending'",
        )
        .fetch_one(pool)
        .await?;
        if ready as usize >= IMAGES || std::time::Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let done: Vec<(String, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
        "select m.provider_message_id, a.updated_at from attachment a join message m using (message_id)
          where m.provider_message_id like 'bench-image-%' and a.state = 'ready'",
    )
    .fetch_all(pool)
    .await?;
    let mut samples: Vec<Duration> = done
        .iter()
        .filter_map(|(id, at)| {
            let n: usize = id.strip_prefix("bench-image-")?.parse().ok()?;
            let (_, sent_at) = sent.iter().find(|(m, _)| *m == n)?;
            (*at - *sent_at).to_std().ok()
        })
        .collect();
    Ok(MediaRun {
        images: IMAGES,
        file_kib: FILE_BYTES / 1024,
        not_ready: IMAGES - samples.len(),
        ready: percentiles(&mut samples),
    })
}
