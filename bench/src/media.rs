//! Customers' photos: the time from an image webhook to its thumbnail being available (fetched
//! from the mock's Meta media endpoints, a real 1280 × 960 JPEG of 200 KB each, kept in the
//! media store, and shrunk to its thumbnail, which the row waits for before it is ready),
//! p50/p99 over 100 images posted 8 at a time. The webhook's own acknowledgement does not wait
//! for the download; this measures the fetchers behind it.

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

/// A photo-like 1280 × 960 JPEG (gradients and grain), made once.
fn photo() -> &'static [u8] {
    static PHOTO: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    PHOTO.get_or_init(|| {
        let img = image::ImageBuffer::from_fn(1280, 960, |x, y| {
            let grain = ((x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)) >> 13) % 24;
            image::Rgb([
                ((x / 5) % 256) as u8 ^ grain as u8,
                ((y / 4) % 256) as u8,
                (((x + y) / 9) % 256) as u8 ^ (grain as u8 / 2),
            ])
        });
        let mut out = std::io::Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut out, image::ImageFormat::Jpeg)
            .expect("encode the benchmark's photo");
        out.into_inner()
    })
}

/// The photo, padded after its end marker to [`FILE_BYTES`] with bytes of its id, so each id's
/// file differs (none is kept once for another) and every one decodes the same.
async fn file(Path(id): Path<String>) -> ([(header::HeaderName, &'static str); 1], Vec<u8>) {
    let mut bytes = photo().to_vec();
    let seed = id.as_bytes();
    let mut i = 0;
    while bytes.len() < FILE_BYTES.max(photo().len() + 64) {
        bytes.push(seed[i % seed.len()].wrapping_add((i / 7) as u8));
        i += 1;
    }
    ([(header::CONTENT_TYPE, "image/jpeg")], bytes)
}

#[derive(Debug, serde::Serialize)]
pub struct MediaRun {
    pub images: usize,
    pub file_kib: usize,
    /// Webhook sent → the file and its thumbnail in the store (the bubble shows it).
    pub ready: Percentiles,
    pub not_ready: usize,
    /// Photos that got a thumbnail (all of them, unless thumbnails are broken).
    pub thumbnails: usize,
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
    let thumbnails: i64 = sqlx::query_scalar(
        "select count(*) from attachment a join message m using (message_id)
           join media_file f on f.sha256 = a.file_sha256
          where m.provider_message_id like 'bench-image-%' and f.thumb_size is not null",
    )
    .fetch_one(pool)
    .await?;
    Ok(MediaRun {
        images: IMAGES,
        thumbnails: thumbnails as usize,
        file_kib: FILE_BYTES.max(photo().len() + 64) / 1024,
        not_ready: IMAGES - samples.len(),
        ready: percentiles(&mut samples),
    })
}
