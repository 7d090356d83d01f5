//! A file from an S3-compatible bucket, streamed as it arrives (never held whole in memory),
//! with range requests: one range → 206 with `Content-Range`, an unsatisfiable one → 416, several
//! → the whole file (both allowed by RFC 9110; `ServeFile` refuses several with 416). A `HEAD`
//! asks the bucket for the object's size only.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use inbox::media::s3::Key;
use inbox::media::Bucket;

pub async fn serve(
    bucket: &Bucket,
    key: &Key,
    headers: &HeaderMap,
    head: bool,
) -> std::io::Result<Response> {
    if head {
        let size = bucket.size_at(key).await?;
        let mut res = Response::new(Body::empty());
        let h = res.headers_mut();
        h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
        return Ok(res);
    }
    let asked = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let range = match asked {
        None => None,
        Some(asked) => {
            let size = bucket.size_at(key).await?;
            match http_range_header::parse_range_header(asked).and_then(|r| r.validate(size)) {
                Ok(ranges) if ranges.len() == 1 => Some(*ranges[0].start()..*ranges[0].end() + 1),
                Ok(_) => None,
                Err(_) => {
                    return Ok(Response::builder()
                        .status(StatusCode::RANGE_NOT_SATISFIABLE)
                        .header(header::CONTENT_RANGE, format!("bytes */{size}"))
                        .body(Body::empty())
                        .expect("a valid response"))
                }
            }
        }
    };
    let partial = range.is_some();
    let got = bucket.stream(key, range).await?;
    let mut res = Response::new(Body::from_stream(got.bytes));
    let h = res.headers_mut();
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(got.range.end - got.range.start),
    );
    if partial {
        *res.status_mut() = StatusCode::PARTIAL_CONTENT;
        let range = format!(
            "bytes {}-{}/{}",
            got.range.start,
            got.range.end.saturating_sub(1),
            got.size
        );
        if let Ok(v) = HeaderValue::from_str(&range) {
            res.headers_mut().insert(header::CONTENT_RANGE, v);
        }
    }
    Ok(res)
}
