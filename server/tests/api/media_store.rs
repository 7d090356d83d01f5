//! Where files are kept and how photos are shown: a photo gets a server-made thumbnail (the
//! bubble loads it, the full photo opens from it), and with `INBOX_MEDIA_S3_URL` every file lives
//! in an S3-compatible bucket (a local mock speaking S3's wire format): kept once, served with
//! ranges, uploaded in parts when large, evicted there.

use crate::helpers::{provider_config, TestApp, META_PHONE_ID};
use crate::media::{downloads, message_of, meta_image, meta_serves};
use crate::outbox::meta_ok;
use crate::outgoing_files::send_file;
use crate::s3_mock::S3Mock;
use image::{DynamicImage, ImageBuffer, ImageFormat, Rgb};
use inbox::media::Fetched;
use inbox::outbox::Outcome;
use model::{MediaState, Role};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use std::io::Cursor;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A noisy photo as a phone would send it (about a megabyte), different for each `seed`.
pub(crate) fn photo(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let img = ImageBuffer::from_fn(width, height, |x, y| {
        let n = (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729) ^ seed) % 251;
        Rgb([n as u8, (x % 256) as u8, ((y + seed) % 256) as u8])
    });
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(img)
        .write_to(&mut out, ImageFormat::Jpeg)
        .unwrap();
    out.into_inner()
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("{:x}", Sha256::digest(bytes))
}

async fn fetch(
    client: &reqwest::Client,
    app: &TestApp,
    url: &str,
    range: Option<&str>,
) -> reqwest::Response {
    let mut req = client.get(app.url(url));
    if let Some(r) = range {
        req = req.header("range", r);
    }
    req.send().await.unwrap()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_photo_is_shown_by_its_thumbnail_and_opens_full_size(pool: PgPool) {
    let big = photo(1600, 1200, 1);
    let mock = MockServer::start().await;
    meta_serves(&mock, "media-big", &big, "image/jpeg").await;
    meta_serves(&mock, "media-small", crate::media::JPEG, "image/jpeg").await;
    let app = TestApp::spawn_with(pool, provider_config(&mock.uri())).await;
    app.post_meta(&meta_image("wamid.big", "media-big")).await;
    app.post_meta(&meta_image("wamid.small", "media-small"))
        .await;
    assert_eq!(
        app.drain_media().await,
        vec![Fetched::Ready, Fetched::Ready]
    );
    let (agent, _) = app.signed_in("rina", Role::Agent).await;

    let shown = message_of(&app, "wamid.big").await;
    let res = fetch(
        &agent,
        &app,
        &model::MediaView::thumbnail_url(shown.message_id),
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    assert_eq!(res.headers()["content-disposition"], "inline");
    assert_eq!(res.headers()["etag"], format!("\"{}.thumb\"", sha256(&big)));
    let thumb = res.bytes().await.unwrap();
    assert!(
        thumb.len() * 3 < big.len(),
        "{} of {} bytes",
        thumb.len(),
        big.len()
    );
    let img = image::load_from_memory(&thumb).unwrap();
    assert_eq!((img.width(), img.height()), (480, 360));
    // The full photo, as it came.
    let res = fetch(&agent, &app, &model::MediaView::url(shown.message_id), None).await;
    assert!(res.bytes().await.unwrap().as_ref() == big.as_slice());
    // Signed out, no thumbnail either.
    let res = fetch(
        &app.client(),
        &app,
        &model::MediaView::thumbnail_url(shown.message_id),
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // A thumbnail the store lost: the photo itself, so the bubble still shows.
    let name = sha256(&big);
    let thumb_file = std::env::temp_dir()
        .join("inbox-api-tests/media")
        .join(&name[..2])
        .join(format!("{name}.thumb"));
    std::fs::remove_file(&thumb_file).unwrap();
    let res = fetch(
        &agent,
        &app,
        &model::MediaView::thumbnail_url(shown.message_id),
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["etag"], format!("\"{name}\""));
    assert!(res.bytes().await.unwrap().as_ref() == big.as_slice());

    // A file that cannot have one is shown as it is.
    let small = message_of(&app, "wamid.small").await;
    let res = fetch(
        &agent,
        &app,
        &model::MediaView::thumbnail_url(small.message_id),
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), crate::media::JPEG);

    // The store's size counts thumbnails.
    let counted = app
        .count("select coalesce(sum(size + coalesce(thumb_size, 0)), 0)::bigint from media_file")
        .await;
    assert!(counted as usize > big.len() + crate::media::JPEG.len());

    // An agent's photo gets one too.
    let chat: i64 = sqlx::query_scalar("select chat_id from chat")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let mine = photo(1200, 1600, 2);
    let res = send_file(&app, &agent, chat, ("barang.jpg", "image/jpeg", &mine), &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let sent: Vec<model::MessageView> = res.json().await.unwrap();
    let res = fetch(
        &agent,
        &app,
        &model::MediaView::thumbnail_url(sent[0].message_id),
        None,
    )
    .await;
    let img = image::load_from_memory(&res.bytes().await.unwrap()).unwrap();
    assert_eq!((img.width(), img.height()), (360, 480));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn with_a_bucket_files_are_kept_served_uploaded_in_parts_and_evicted_there(pool: PgPool) {
    let s3 = S3Mock::start().await;
    let first = photo(1600, 1200, 3);
    let second = photo(1600, 1200, 4);
    let mock = MockServer::start().await;
    meta_serves(&mock, "media-1", &first, "image/jpeg").await;
    meta_serves(&mock, "media-2", &second, "image/jpeg").await;
    Mock::given(method("POST"))
        .and(path(format!("/{META_PHONE_ID}/media")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "uploaded-1" })))
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/{META_PHONE_ID}/messages")))
        .respond_with(meta_ok(1))
        .mount(&mock)
        .await;
    let mut config = provider_config(&mock.uri());
    config.media.s3 = Some(s3.config("inbox"));
    // Room for one photo and a half: the second evicts the first.
    config.media.max_bytes = (first.len() + second.len() * 9 / 10) as u64;
    let disk = config.data_dir.join("media");
    let app = TestApp::spawn_with(pool, config).await;

    // Meta delivers twice; the bucket gets the photo and its thumbnail once.
    for _ in 0..2 {
        assert_eq!(
            app.post_meta(&meta_image("wamid.p1", "media-1"))
                .await
                .status(),
            StatusCode::OK
        );
    }
    assert_eq!(app.drain_media().await, vec![Fetched::Ready]);
    assert_eq!(downloads(&mock, "media-1").await, 1);
    let name = sha256(&first);
    let key = format!("inbox/{}/{name}", &name[..2]);
    assert!(
        s3.object(&key).as_deref() == Some(first.as_slice()),
        "{:?}",
        s3.keys()
    );
    assert!(
        s3.object(&format!("{key}.thumb")).is_some(),
        "{:?}",
        s3.keys()
    );
    assert_eq!(
        s3.requests()
            .iter()
            .filter(|r| **r == format!("PUT {key}"))
            .count(),
        1
    );
    assert!(
        !disk.join(&name[..2]).join(&name).exists(),
        "nothing on disk"
    );

    // Served from the bucket, with ranges, to signed-in users only.
    let (agent, _) = app.signed_in("rina", Role::Agent).await;
    let p1 = message_of(&app, "wamid.p1").await.message_id;
    let res = fetch(&agent, &app, &model::MediaView::url(p1), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    assert_eq!(res.headers()["etag"], format!("\"{name}\""));
    assert!(res.bytes().await.unwrap().as_ref() == first.as_slice());
    let res = fetch(
        &agent,
        &app,
        &model::MediaView::url(p1),
        Some("bytes=100-199"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        res.headers()["content-range"],
        format!("bytes 100-199/{}", first.len())
    );
    assert!(res.bytes().await.unwrap().as_ref() == &first[100..200]);
    let res = fetch(
        &agent,
        &app,
        &model::MediaView::url(p1),
        Some("bytes=999999999-"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    let res = fetch(&agent, &app, &model::MediaView::thumbnail_url(p1), None).await;
    let img = image::load_from_memory(&res.bytes().await.unwrap()).unwrap();
    assert_eq!((img.width(), img.height()), (480, 360));
    let res = fetch(&app.client(), &app, &model::MediaView::url(p1), None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // A thumbnail the bucket lost: the photo itself.
    s3.bucket
        .lock()
        .unwrap()
        .objects
        .remove(&format!("{key}.thumb"));
    let res = fetch(&agent, &app, &model::MediaView::thumbnail_url(p1), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["etag"], format!("\"{name}\""));
    assert!(res.bytes().await.unwrap().as_ref() == first.as_slice());
    // HEAD asks the bucket for the size only.
    let gets = |s3: &S3Mock| {
        s3.requests()
            .iter()
            .filter(|r| r.starts_with("GET "))
            .count()
    };
    let before = gets(&s3);
    let res = agent
        .head(app.url(&model::MediaView::url(p1)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-length"], first.len().to_string());
    assert_eq!(gets(&s3), before, "no download for a HEAD");

    // The second photo pushes the store past its limit: the first leaves the bucket.
    app.post_meta(&meta_image("wamid.p2", "media-2")).await;
    assert_eq!(app.drain_media().await, vec![Fetched::Ready]);
    assert!(s3.object(&key).is_none(), "{:?}", s3.requests());
    assert!(s3.object(&format!("{key}.thumb")).is_none());
    let evicted = message_of(&app, "wamid.p1").await.media.unwrap();
    assert_eq!(evicted.state, MediaState::Evicted);

    // An agent's 9 MB document goes up in parts, and the outbox reads it back to send it.
    let chat: i64 = sqlx::query_scalar("select chat_id from chat")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let pdf: Vec<u8> = b"%PDF-1.4\n"
        .iter()
        .copied()
        .chain((0..9 * 1024 * 1024u32).map(|i| (i % 251) as u8))
        .collect();
    let res = send_file(
        &app,
        &agent,
        chat,
        ("Katalog.pdf", "application/pdf", &pdf),
        &[],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let pdf_name = sha256(&pdf);
    let pdf_key = format!("inbox/{}/{pdf_name}", &pdf_name[..2]);
    assert!(
        s3.requests().contains(&format!("POST {pdf_key}?uploads")),
        "a multipart upload: {:?}",
        s3.requests()
    );
    assert_eq!(s3.object(&pdf_key).map(|o| o.len()), Some(pdf.len()));
    assert!(s3.object(&pdf_key).as_deref() == Some(pdf.as_slice()));
    assert_eq!(app.drain_outbox().await, vec![Outcome::Sent]);
    let upload = mock
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.url.path() == format!("/{META_PHONE_ID}/media"))
        .expect("the document reached Meta");
    assert!(
        upload.body.len() > pdf.len(),
        "the whole file in the upload"
    );
}
