//! A webhook receiver on `127.0.0.1:0`: every POST is recorded with its headers and exact raw
//! body, and answered 200, or 500 when the given rule says that call fails. The API tests, the
//! drills and the benchmark point the inbox's outbound webhooks at it.

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    /// `X-Webhook-Id`.
    pub id: String,
    /// `X-Webhook-Event`.
    pub event: String,
    pub signature: String,
    /// `X-Webhook-Timestamp`.
    pub timestamp: String,
    pub body: Bytes,
    pub at: Instant,
    /// Answered 2xx.
    pub acked: bool,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

type Rule = Box<dyn Fn(usize) -> bool + Send + Sync>;

struct Shared {
    calls: AtomicUsize,
    fail: Rule,
    log: Mutex<Vec<Received>>,
}

/// The receiver; stops when dropped.
pub struct Receiver {
    pub url: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Receiver {
    /// A receiver where call `n` (from 0) fails with 500 when `fail(n)`.
    pub async fn start(fail: impl Fn(usize) -> bool + Send + Sync + 'static) -> Receiver {
        let shared = Arc::new(Shared {
            calls: AtomicUsize::new(0),
            fail: Box::new(fail),
            log: Mutex::new(Vec::new()),
        });
        let state = shared.clone();
        let app = axum::Router::new().fallback(move |headers: HeaderMap, body: Bytes| {
            let state = state.clone();
            async move {
                let n = state.calls.fetch_add(1, Ordering::SeqCst);
                let acked = !(state.fail)(n);
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned()
                };
                let received = Received {
                    id: header("x-webhook-id"),
                    event: header("x-webhook-event"),
                    signature: header("x-signature"),
                    timestamp: header("x-webhook-timestamp"),
                    body,
                    at: Instant::now(),
                    acked,
                };
                state.log.lock().expect("receiver log").push(received);
                if acked {
                    (StatusCode::OK, "ok")
                } else {
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "receiver failing on purpose",
                    )
                }
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the receiver");
        let url = format!(
            "http://{}/hook",
            listener.local_addr().expect("its address")
        );
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { url, shared, task }
    }

    /// Every request so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.shared.log.lock().expect("receiver log").clone()
    }

    /// The requests answered 2xx.
    pub fn acked(&self) -> Vec<Received> {
        self.received().into_iter().filter(|r| r.acked).collect()
    }

    pub fn calls(&self) -> usize {
        self.shared.calls.load(Ordering::SeqCst)
    }
}

/// Lowercase hex HMAC-SHA256 of `body` under `secret`: what `X-Signature` must be.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}
