//! The provider's side: the drills' webhook bodies in Meta's wire format (built by
//! `test_support::bodies`), posted signed as Meta signs them, and a mock of Meta's Graph API
//! that can be switched off and on.

use super::{free_port, META_PHONE_ID, META_SECRET};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use test_support::bodies::MetaFixture;
use test_support::signature::meta_request;

/// What the drills put in their Meta webhooks besides the messages.
pub const META: MetaFixture = MetaFixture {
    business_account_id: "100000000000070",
    display_phone_number: "6281234500077",
    phone_number_id: META_PHONE_ID,
    contact_name: "Pelanggan",
    status_recipient: "6281200000001",
};

/// Posts a body as Meta does (signed); `Some(status)` when the server answered.
pub async fn post_meta(client: &reqwest::Client, base: &str, body: Vec<u8>) -> Option<u16> {
    meta_request(client, base, META_SECRET, body)
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .ok()
        .map(|r| r.status().as_u16())
}

/// What the mock Graph API saw: every call, and per `biz_opaque_callback_data` (our message
/// id) how many sends it accepted.
#[derive(Default)]
pub struct GraphLog {
    pub calls: AtomicUsize,
    pub accepted: Mutex<HashMap<String, usize>>,
    /// callback data → the wamid we answered with.
    pub wamids: Mutex<HashMap<String, String>>,
    /// How long each send takes to be answered (milliseconds). A send counts as accepted when
    /// it arrives, as a real provider delivers a message whose answer the sender hung up on.
    pub answer_after_ms: std::sync::atomic::AtomicU64,
}

/// A mock of Meta's Graph API `POST /{phone-number-id}/messages`, in its own runtime: `stop`
/// drops the runtime, which closes the listener and every open connection, so senders get
/// "connection refused" as from a provider that is down; `start` again serves on the same port.
/// While it is stopped the port stays bound (not listening), so no other drill running beside it
/// can take the port and answer in its place (one did: its 404s failed every reply for good).
pub struct MockGraph {
    pub port: u16,
    pub log: Arc<GraphLog>,
    running: Option<(
        tokio::sync::oneshot::Sender<()>,
        std::thread::JoinHandle<()>,
    )>,
    /// The port held while stopped: bound without `SO_REUSEADDR` and not listening, so a
    /// connection is refused and nobody else can bind it.
    reserved: Option<tokio::net::TcpSocket>,
}

/// Binds `port` without listening on it.
fn reserve(port: u16) -> tokio::net::TcpSocket {
    let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
    socket
        .bind(std::net::SocketAddr::from(([127, 0, 0, 1], port)))
        .expect("hold the mock's port while it is stopped");
    socket
}

impl MockGraph {
    pub fn new() -> MockGraph {
        MockGraph {
            port: free_port(),
            log: Arc::new(GraphLog::default()),
            running: None,
            reserved: None,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn start(&mut self) {
        assert!(self.running.is_none(), "mock already running");
        self.reserved = None;
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let (bound_tx, bound_rx) = std::sync::mpsc::channel();
        let port = self.port;
        let log = self.log.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
                    .await
                    .expect("bind the mock's port again");
                bound_tx.send(()).unwrap();
                let app = axum::Router::new()
                    .route(
                        &format!("/{META_PHONE_ID}/messages"),
                        axum::routing::post(graph_send),
                    )
                    .with_state(log);
                tokio::select! {
                    _ = axum::serve(listener, app) => {}
                    _ = stop_rx => {}
                }
            });
            // Dropping the runtime here ends every connection task with it.
        });
        bound_rx.recv().expect("mock started");
        self.running = Some((stop_tx, thread));
    }

    pub fn stop(&mut self) {
        if let Some((stop, thread)) = self.running.take() {
            let _ = stop.send(());
            thread.join().unwrap();
            self.reserved = Some(reserve(self.port));
        }
    }

    /// Callback data values accepted more than once, and how many were accepted in all.
    pub fn accepted(&self) -> (Vec<String>, usize) {
        let accepted = self.log.accepted.lock().unwrap();
        let twice = accepted
            .iter()
            .filter(|(_, n)| **n > 1)
            .map(|(k, _)| k.clone())
            .collect();
        (twice, accepted.len())
    }
}

impl Drop for MockGraph {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn graph_send(
    axum::extract::State(log): axum::extract::State<Arc<GraphLog>>,
    axum::Json(body): axum::Json<serde_json::Value>,
) -> axum::Json<serde_json::Value> {
    let n = log.calls.fetch_add(1, Ordering::SeqCst);
    let key = body["biz_opaque_callback_data"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let wamid = format!("wamid.drill{n}");
    *log.accepted.lock().unwrap().entry(key.clone()).or_default() += 1;
    log.wamids.lock().unwrap().insert(key, wamid.clone());
    let delay = log.answer_after_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let to = body["to"].as_str().unwrap_or_default().to_string();
    axum::Json(serde_json::json!({
        "messaging_product": "whatsapp",
        "contacts": [{ "input": to, "wa_id": to.trim_start_matches('+') }],
        "messages": [{ "id": wamid }]
    }))
}
