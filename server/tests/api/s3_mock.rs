//! A local S3-compatible bucket for the tests: path-style object PUT/GET/HEAD/DELETE with
//! ranges, and multipart uploads, in S3's wire format (XML bodies, `ETag` and `Last-Modified`
//! headers, `NoSuchKey` errors), as MinIO or AWS answer them. It refuses any request not signed
//! with SigV4 for its access key, and records what it was asked.

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

pub const ACCESS_KEY: &str = "inbox-test-key";
pub const SECRET_KEY: &str = "inbox-test-secret";
pub const BUCKET: &str = "inbox-media";

#[derive(Default)]
pub struct Bucket {
    pub objects: BTreeMap<String, Vec<u8>>,
    uploads: HashMap<String, BTreeMap<u32, Vec<u8>>>,
    /// "PUT key", "GET key", "POST key?uploads", … in order.
    pub requests: Vec<String>,
}

#[derive(Clone)]
pub struct S3Mock {
    pub url: String,
    pub bucket: Arc<Mutex<Bucket>>,
}

impl S3Mock {
    pub async fn start() -> S3Mock {
        let bucket = Arc::new(Mutex::new(Bucket::default()));
        let app = Router::new()
            .route("/{bucket}/{*key}", any(object))
            .layer(axum::extract::DefaultBodyLimit::disable())
            .with_state(bucket.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/{BUCKET}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        S3Mock { url, bucket }
    }

    pub fn config(&self, prefix: &str) -> inbox::media::S3Config {
        inbox::media::S3Config {
            url: format!("{}/{prefix}", self.url),
            access_key_id: ACCESS_KEY.into(),
            secret_access_key: SECRET_KEY.into(),
            region: "us-east-1".into(),
        }
    }

    pub fn keys(&self) -> Vec<String> {
        self.bucket
            .lock()
            .unwrap()
            .objects
            .keys()
            .cloned()
            .collect()
    }

    pub fn object(&self, key: &str) -> Option<Vec<u8>> {
        self.bucket.lock().unwrap().objects.get(key).cloned()
    }

    pub fn requests(&self) -> Vec<String> {
        self.bucket.lock().unwrap().requests.clone()
    }
}

fn xml(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/xml")], body).into_response()
}

fn error(status: StatusCode, code: &str) -> Response {
    xml(
        status,
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{code}</Message></Error>"),
    )
}

fn etag(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let hex = format!("{:x}", Sha256::digest(bytes));
    format!("\"{}\"", &hex[..32])
}

async fn object(
    State(bucket): State<Arc<Mutex<Bucket>>>,
    Path((name, key)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let signed = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(&format!("AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/")));
    if !signed {
        return error(StatusCode::FORBIDDEN, "AccessDenied");
    }
    if name != BUCKET {
        return error(StatusCode::NOT_FOUND, "NoSuchBucket");
    }
    let mut b = bucket.lock().unwrap();
    let query = if q.contains_key("uploads") {
        "?uploads"
    } else if q.contains_key("uploadId") {
        "?uploadId"
    } else {
        ""
    };
    b.requests.push(format!("{method} {key}{query}"));
    match (
        method.as_str(),
        q.get("uploadId"),
        q.contains_key("uploads"),
    ) {
        ("POST", None, true) => {
            let id = uuid::Uuid::new_v4().to_string();
            b.uploads.insert(id.clone(), BTreeMap::new());
            xml(
                StatusCode::OK,
                format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><InitiateMultipartUploadResult><Bucket>{BUCKET}</Bucket><Key>{key}</Key><UploadId>{id}</UploadId></InitiateMultipartUploadResult>"),
            )
        }
        ("PUT", Some(id), _) => {
            let part: u32 = q
                .get("partNumber")
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let tag = etag(&body);
            match b.uploads.get_mut(id) {
                Some(parts) => {
                    parts.insert(part, body.to_vec());
                    (StatusCode::OK, [(header::ETAG, tag)]).into_response()
                }
                None => error(StatusCode::NOT_FOUND, "NoSuchUpload"),
            }
        }
        ("POST", Some(id), _) => match b.uploads.remove(id) {
            Some(parts) => {
                let whole: Vec<u8> = parts.into_values().flatten().collect();
                let tag = etag(&whole);
                b.objects.insert(key.clone(), whole);
                xml(
                    StatusCode::OK,
                    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><CompleteMultipartUploadResult><Bucket>{BUCKET}</Bucket><Key>{key}</Key><ETag>{}</ETag></CompleteMultipartUploadResult>", tag.replace('"', "&quot;")),
                )
            }
            None => error(StatusCode::NOT_FOUND, "NoSuchUpload"),
        },
        ("DELETE", Some(id), _) => {
            b.uploads.remove(id);
            StatusCode::NO_CONTENT.into_response()
        }
        ("PUT", None, false) => {
            let tag = etag(&body);
            b.objects.insert(key, body.to_vec());
            (StatusCode::OK, [(header::ETAG, tag)]).into_response()
        }
        ("DELETE", None, false) => {
            b.objects.remove(&key);
            StatusCode::NO_CONTENT.into_response()
        }
        ("GET" | "HEAD", None, false) => {
            let Some(bytes) = b.objects.get(&key).cloned() else {
                return if method == Method::HEAD {
                    StatusCode::NOT_FOUND.into_response()
                } else {
                    error(StatusCode::NOT_FOUND, "NoSuchKey")
                };
            };
            let size = bytes.len();
            let range = headers
                .get(header::RANGE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("bytes="))
                .and_then(|v| v.split_once('-'))
                .and_then(|(a, z)| {
                    let a: usize = a.parse().ok()?;
                    let z: usize = if z.is_empty() {
                        size - 1
                    } else {
                        z.parse().ok()?
                    };
                    (a <= z && a < size).then_some((a, z.min(size - 1)))
                });
            let (status, slice, content_range) = match range {
                Some((a, z)) => (
                    StatusCode::PARTIAL_CONTENT,
                    bytes[a..=z].to_vec(),
                    Some(format!("bytes {a}-{z}/{size}")),
                ),
                None => (StatusCode::OK, bytes.clone(), None),
            };
            let mut res = Response::builder()
                .status(status)
                .header(header::ETAG, etag(&bytes))
                .header(header::LAST_MODIFIED, "Tue, 01 Dec 2026 08:00:00 GMT")
                .header(header::CONTENT_LENGTH, slice.len())
                .header(header::CONTENT_TYPE, "application/octet-stream");
            if let Some(r) = content_range {
                res = res.header(header::CONTENT_RANGE, r);
            }
            let body = if method == Method::HEAD {
                Body::empty()
            } else {
                Body::from(slice)
            };
            res.body(body).unwrap()
        }
        _ => error(StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed"),
    }
}
