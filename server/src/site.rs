//! The site's own files under `/pkg` (the wasm, its JavaScript and the stylesheet). A release
//! build (`scripts/pack-site.mjs`) names each after its content's hash and writes brotli and
//! gzip copies beside it: the browser gets the copy it accepts (nothing is compressed per
//! request) and keeps hashed files for a year without asking again (a new build has new
//! names). Plain names (the debug build's) are revalidated on every use.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use leptos::config::LeptosOptions;
use std::path::Path;
use tower_http::compression::predicate::{Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::services::ServeDir;

pub fn routes<S: Clone + Send + Sync + 'static>(options: &LeptosOptions) -> Router<S> {
    let pkg = Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    Router::new()
        .nest_service(
            &format!("/{}", options.site_pkg_dir),
            ServeDir::new(pkg).precompressed_br().precompressed_gzip(),
        )
        .layer(middleware::from_fn(cache_for))
}

/// Pages and server functions' JSON answers, compressed per response (brotli or gzip at a
/// moderate level: a 50 KiB inbox page becomes about 8 KiB, 0.2 s less on a 3G phone). Event
/// streams, files and media are left as they are (the site's files come compressed already).
/// BREACH needs a secret beside attacker-chosen text in one compressed answer: pages carry no
/// token (sessions are SameSite=Lax cookies, the CSP nonce is new every time), and requests
/// that change anything are refused from other sites.
pub fn compress_pages() -> CompressionLayer<impl Predicate> {
    let text = |_: axum::http::StatusCode,
                _: axum::http::Version,
                headers: &axum::http::HeaderMap,
                _: &axum::http::Extensions| {
        // A file (media, an API's file) says how to show it and may answer a range: never.
        let file = headers.contains_key(header::CONTENT_DISPOSITION)
            || headers.contains_key(header::CONTENT_RANGE);
        !file
            && headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|t| t.starts_with("text/html") || t.starts_with("application/json"))
    };
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        .quality(CompressionLevel::Precise(4))
        .compress_when(SizeAbove::new(1024).and(text))
}

async fn cache_for(req: Request, next: Next) -> Response {
    let hashed = is_hashed(req.uri().path());
    let mut res = next.run(req).await;
    if res.status().is_success() || res.status().as_u16() == 304 {
        // The answer depends on Accept-Encoding (brotli, gzip or plain copy): caches in between
        // must keep them apart.
        res.headers_mut()
            .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(if hashed {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            }),
        );
    }
    res
}

/// `…/name.0123456789abcdef.ext`: a name with the 16 hex digits of its content's hash.
fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let parts: Vec<&str> = name.split('.').collect();
    matches!(parts.as_slice(), [stem, hash, _ext]
        if !stem.is_empty() && hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use tower::ServiceExt;

    #[test]
    fn hashed_names() {
        assert!(is_hashed("/pkg/inbox.0123456789abcdef.wasm"));
        assert!(!is_hashed("/pkg/inbox.wasm"));
        assert!(!is_hashed("/pkg/inbox.0123456789abcdeg.wasm"));
        assert!(!is_hashed("/pkg/inbox.0123456789abcdef.wasm.br"));
        assert!(!is_hashed("/pkg/.0123456789abcdef.js"));
        // The lazy chunks and their loader.
        assert!(is_hashed("/pkg/chunk_8.0123456789abcdef.wasm"));
        assert!(is_hashed(
            "/pkg/split___admin_users_view_1479.0123456789abcdef.wasm"
        ));
        assert!(is_hashed("/pkg/__wasm_split.0123456789abcdef.js"));
        assert!(!is_hashed("/pkg/__wasm_split.______________________.js"));
        assert!(!is_hashed("/pkg/chunk_8.wasm"));
    }

    async fn get(router: &Router, path: &str, accept: &str) -> Response {
        router
            .clone()
            .oneshot(
                Request::get(path)
                    .header(header::ACCEPT_ENCODING, accept)
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
            .expect("infallible")
    }

    fn header(res: &Response, name: header::HeaderName) -> &str {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    async fn body(res: Response) -> Vec<u8> {
        axum::body::to_bytes(res.into_body(), 1024)
            .await
            .expect("body")
            .to_vec()
    }

    #[tokio::test]
    async fn precompressed_copies_and_cache_headers() {
        let root = std::env::temp_dir().join(format!("inbox-site-{}", std::process::id()));
        let pkg = root.join("pkg");
        std::fs::create_dir_all(&pkg).expect("temp dir");
        let hashed = "inbox.0123456789abcdef.wasm";
        std::fs::write(pkg.join(hashed), b"plain").expect("write");
        std::fs::write(pkg.join(format!("{hashed}.br")), b"brotli").expect("write");
        std::fs::write(pkg.join(format!("{hashed}.gz")), b"gzip").expect("write");
        std::fs::write(pkg.join("inbox.js"), b"debug").expect("write");
        let options = LeptosOptions::builder()
            .output_name("inbox")
            .site_root(root.to_string_lossy().to_string())
            .site_pkg_dir("pkg")
            .build();
        let router: Router = routes(&options);

        let path = format!("/pkg/{hashed}");
        let br = get(&router, &path, "gzip, deflate, br").await;
        assert_eq!(br.status(), 200);
        assert_eq!(header(&br, header::CONTENT_ENCODING), "br");
        assert_eq!(header(&br, header::CONTENT_TYPE), "application/wasm");
        assert_eq!(
            header(&br, header::CACHE_CONTROL),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(header(&br, header::VARY), "accept-encoding");
        assert_eq!(body(br).await, b"brotli");

        let gz = get(&router, &path, "gzip").await;
        assert_eq!(header(&gz, header::CONTENT_ENCODING), "gzip");
        assert_eq!(body(gz).await, b"gzip");

        let plain = get(&router, &path, "identity").await;
        assert_eq!(header(&plain, header::CONTENT_ENCODING), "");
        assert_eq!(body(plain).await, b"plain");

        let debug = get(&router, "/pkg/inbox.js", "gzip, br").await;
        assert_eq!(debug.status(), 200);
        assert_eq!(header(&debug, header::CACHE_CONTROL), "no-cache");

        let missing = get(&router, "/pkg/inbox.ffffffffffffffff.js", "br").await;
        assert_eq!(missing.status(), 404);
        assert_eq!(header(&missing, header::CACHE_CONTROL), "");
        let _ = std::fs::remove_dir_all(&root);
    }

    #[tokio::test]
    async fn pages_compressed_streams_and_files_not() {
        use axum::routing::get as handler;
        let page = "<p>halo</p>".repeat(500);
        let router: Router = Router::new()
            .route(
                "/inbox",
                handler(move || async move { axum::response::Html(page) }),
            )
            .route(
                "/api/events",
                handler(|| async {
                    (
                        [(header::CONTENT_TYPE, "text/event-stream")],
                        "data: x\n\n".repeat(500),
                    )
                }),
            )
            .route(
                "/media/2",
                handler(|| async {
                    (
                        [
                            (header::CONTENT_TYPE, "application/json"),
                            (
                                header::CONTENT_DISPOSITION,
                                "attachment; filename=\"order.json\"",
                            ),
                        ],
                        "{}".repeat(1000),
                    )
                }),
            )
            .route(
                "/media/1",
                handler(|| async {
                    (
                        [(header::CONTENT_TYPE, "application/pdf")],
                        "%PDF".repeat(500),
                    )
                }),
            )
            .layer(compress_pages());
        let html = get(&router, "/inbox", "gzip, br").await;
        assert_eq!(header(&html, header::CONTENT_ENCODING), "br");
        let gz = get(&router, "/inbox", "gzip").await;
        assert_eq!(header(&gz, header::CONTENT_ENCODING), "gzip");
        let events = get(&router, "/api/events", "gzip, br").await;
        assert_eq!(header(&events, header::CONTENT_ENCODING), "");
        let media = get(&router, "/media/1", "gzip, br").await;
        assert_eq!(header(&media, header::CONTENT_ENCODING), "");
        let json_file = get(&router, "/media/2", "gzip, br").await;
        assert_eq!(header(&json_file, header::CONTENT_ENCODING), "");
    }
}
