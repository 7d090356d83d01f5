//! Prometheus metrics at `GET /metrics` (text format), on the main port or on
//! `INBOX_METRICS_ADDR` when set. Labels never carry customer data: providers, results and
//! reasons are from short fixed lists.
//!
//! - `inbox_webhooks_total{provider, result}`: `stored`, `unauthorized`, `bad_request`,
//!   `not_configured`, `error`.
//! - `inbox_ingest_commit_seconds`: one webhook body's (or group's) transaction.
//! - `inbox_outbox_queue_depth`: replies waiting or in flight.
//! - `inbox_sends_total{result}`, `inbox_send_seconds`, `inbox_send_retries_total`.
//! - `inbox_sse_streams`: open event streams; `inbox_event_hub_backlog`: events the slowest
//!   subscriber has not taken; `inbox_live_lagged_events_total`, `inbox_live_hub_reloads_total`.
//! - `inbox_db_pool_connections{state}`: `in_use`, `idle`.
//! - `inbox_login_failures_total`, `inbox_logins_throttled_total`.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use inbox::live::Hub;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sqlx::PgPool;
use std::sync::OnceLock;

/// The process's recorder (one per process: tests start many applications in one).
fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        const BUCKETS: [f64; 12] = [
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
        ];
        PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &BUCKETS)
            .and_then(|b| b.install_recorder())
            .unwrap_or_else(|e| {
                // Only a second recorder of another kind could fail here; the process goes
                // on without metrics rather than not at all.
                tracing::error!("cannot install the metrics recorder: {e}");
                PrometheusBuilder::new().build_recorder().handle()
            })
    })
}

/// Installs the recorder (before anything records).
pub fn install() {
    handle();
}

#[derive(Clone)]
struct Scrape {
    pool: PgPool,
    hub: Hub,
}

/// `GET /metrics`, with its state: what is read at scrape time comes from the pool and the hub.
pub fn routes<S>(pool: PgPool, hub: Hub) -> Router<S> {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(Scrape { pool, hub })
}

async fn scrape(State(s): State<Scrape>) -> Response {
    let idle = s.pool.num_idle() as f64;
    let size = s.pool.size() as f64;
    metrics::gauge!("inbox_db_pool_connections", "state" => "in_use").set(size - idle);
    metrics::gauge!("inbox_db_pool_connections", "state" => "idle").set(idle);
    metrics::gauge!("inbox_event_hub_backlog").set(s.hub.backlog() as f64);
    match inbox::db::outbox::pending_count(&s.pool).await {
        Ok(n) => metrics::gauge!("inbox_outbox_queue_depth").set(n as f64),
        Err(e) => tracing::warn!(error = %e, "metrics: cannot read the outbox depth"),
    }
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle().render(),
    )
        .into_response()
}

/// Counts a webhook by its answer.
pub fn webhook(provider: &'static str, status: StatusCode) {
    let result = match status.as_u16() {
        200 => "stored",
        401 | 403 => "unauthorized",
        400 | 422 => "bad_request",
        404 => "not_configured",
        _ => "error",
    };
    metrics::counter!("inbox_webhooks_total", "provider" => provider, "result" => result)
        .increment(1);
}

/// An open event stream: counted while it lives.
pub struct OpenStream(());

impl OpenStream {
    pub fn new() -> OpenStream {
        metrics::gauge!("inbox_sse_streams").increment(1.0);
        OpenStream(())
    }
}

impl Default for OpenStream {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        metrics::gauge!("inbox_sse_streams").decrement(1.0);
    }
}
