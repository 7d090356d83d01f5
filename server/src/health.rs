//! Load-balancer probes: `/healthz` says the process is up; `/readyz` says the database
//! answers (503 otherwise).

use app::ssr::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use std::time::Duration;

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    let ping = sqlx::query_scalar::<_, i32>("select 1").fetch_one(&state.pool);
    match tokio::time::timeout(Duration::from_secs(2), ping).await {
        Ok(Ok(_)) => (StatusCode::OK, "ready"),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: database error");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
        Err(_) => {
            tracing::warn!("readiness: database timed out");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}
