//! A webhook receiver on `127.0.0.1:0`: every POST is recorded with its headers and exact raw
//! body, and answered 200, or 500 when the given rule says that call fails. The API tests, the
//! drills and the benchmark point the inbox's outbound webhooks at it.
//!
//! It serves from a thread and runtime of its own, as a receiver elsewhere would: a test that
//! blocks its thread (waiting for a server process to exit) does not freeze it. On the test's
//! runtime it did, and a delivery in flight then timed out at the server while the receiver,
//! once unfrozen, recorded it as acknowledged: a second acknowledgement when the server retried.

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
    /// How long each answer waits (milliseconds).
    answer_after_ms: AtomicU64,
    /// Calls held by `answer_after` and not answered yet.
    in_flight: AtomicUsize,
}

/// One held call, counted while it lives.
struct Held<'a>(&'a AtomicUsize);

impl<'a> Held<'a> {
    fn new(count: &'a AtomicUsize) -> Held<'a> {
        count.fetch_add(1, Ordering::SeqCst);
        Held(count)
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The receiver; stops when dropped (its runtime ends with every connection).
pub struct Receiver {
    pub url: String,
    shared: Arc<Shared>,
    running: Option<(
        tokio::sync::oneshot::Sender<()>,
        std::thread::JoinHandle<()>,
    )>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some((stop, thread)) = self.running.take() {
            let _ = stop.send(());
            let _ = thread.join();
        }
    }
}

impl Receiver {
    /// A receiver where call `n` (from 0) fails with 500 when `fail(n)`.
    pub async fn start(fail: impl Fn(usize) -> bool + Send + Sync + 'static) -> Receiver {
        let shared = Arc::new(Shared {
            calls: AtomicUsize::new(0),
            fail: Box::new(fail),
            log: Mutex::new(Vec::new()),
            answer_after_ms: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
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
                    acked: false,
                };
                let at = {
                    let mut log = state.log.lock().expect("receiver log");
                    log.push(received);
                    log.len() - 1
                };
                let delay = state.answer_after_ms.load(Ordering::SeqCst);
                if delay > 0 {
                    // Held: counted until answered, or until the sender hangs up (the handler
                    // is then dropped mid-wait, and the call stays unacknowledged).
                    let _held = Held::new(&state.in_flight);
                    tokio::time::sleep(Duration::from_millis(delay)).await;
                }
                if acked {
                    state.log.lock().expect("receiver log")[at].acked = true;
                    (StatusCode::OK, "ok")
                } else {
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "receiver failing on purpose",
                    )
                }
            }
        });
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the receiver");
        listener
            .set_nonblocking(true)
            .expect("a non-blocking listener");
        let url = format!(
            "http://{}/hook",
            listener.local_addr().expect("its address")
        );
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("the receiver's runtime");
            rt.block_on(async move {
                let listener =
                    tokio::net::TcpListener::from_std(listener).expect("the receiver's listener");
                tokio::select! {
                    _ = axum::serve(listener, app) => {}
                    _ = stop_rx => {}
                }
            });
        });
        Receiver {
            url,
            shared,
            running: Some((stop_tx, thread)),
        }
    }

    /// Makes every answer from now on wait `delay` (a slow receiver).
    pub fn answer_after(&self, delay: Duration) {
        self.shared
            .answer_after_ms
            .store(delay.as_millis() as u64, Ordering::SeqCst);
    }

    /// Calls held by `answer_after` and not answered yet.
    pub fn in_flight(&self) -> usize {
        self.shared.in_flight.load(Ordering::SeqCst)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A test that blocks its own thread (as `ServerProcess::terminate` does while a server
    /// shuts down) must not freeze the receiver: a sender waiting for its answer then gives up
    /// while the receiver, once unfrozen, records the call as acknowledged.
    #[tokio::test(flavor = "current_thread")]
    async fn answers_while_the_tests_thread_is_blocked() {
        let receiver = Receiver::start(|_| false).await;
        let url = receiver.url.clone();
        let sender = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let status = rt.block_on(async {
                reqwest::Client::new()
                    .post(url)
                    .body("{}")
                    .timeout(Duration::from_secs(5))
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
            });
            status.ok()
        });
        // What `terminate` does: a blocking wait on this thread.
        std::thread::sleep(Duration::from_millis(1500));
        // Frozen, the receiver answered nothing before the sender's timeout.
        assert_eq!(sender.join().unwrap(), Some(200));
        assert_eq!(receiver.acked().len(), 1);
    }
}
