//! Provider webhooks: verify the signature on the raw body, parse, store in one transaction,
//! and only then acknowledge. Nothing here calls another service, so answers are fast.
//!
//! - `GET /api/webhooks/whatsapp`: Meta's subscription handshake (`hub.challenge`).
//! - `POST /api/webhooks/whatsapp`: Meta (`X-Hub-Signature-256`).
//! - `POST /webhook/whapi`, `POST /webhook/whapi/messages`: Whapi (its shared secret, configured or generated: never optional).
//!
//! Answers: 200 once stored; 400 with the reason for a body we cannot parse; 401 for a bad or
//! missing signature (nothing stored from either); 404 when the provider is not configured;
//! 500 when the database failed (the provider retries).

use app::ssr::AppState;
use inbox::channels::Channels;
use inbox::ingest::queue::{Body, IngestQueue};

use axum::extract::{Query, RawQuery};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use bytes::Bytes;
use std::collections::HashMap;
use std::sync::Arc;
use whatsapp::{InboundEvent, Provider};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/webhooks/whatsapp",
            get(meta_handshake).post(meta_receive),
        )
        .route("/webhook/whapi", post(whapi_receive))
        .route("/webhook/whapi/messages", post(whapi_receive))
}

fn reject(status: StatusCode, provider: &str, reason: String) -> Response {
    tracing::warn!(%provider, status = status.as_u16(), %reason, "webhook rejected");
    (status, reason).into_response()
}

async fn meta_handshake(
    Extension(channels): Extension<Arc<Channels>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(meta) = &channels.meta else {
        return reject(
            StatusCode::NOT_FOUND,
            "meta",
            "the Meta WhatsApp channel is not configured on this server".into(),
        );
    };
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or_default();
    match meta.verify_subscription(
        get("hub.mode"),
        get("hub.verify_token"),
        get("hub.challenge"),
    ) {
        Some(challenge) => (StatusCode::OK, challenge).into_response(),
        None => reject(
            StatusCode::FORBIDDEN,
            "meta",
            "verification failed: wrong hub.verify_token or hub.mode".into(),
        ),
    }
}

async fn meta_receive(
    Extension(ingest): Extension<IngestQueue>,
    Extension(channels): Extension<Arc<Channels>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let Some(meta) = channels.meta.clone() else {
        return reject(
            StatusCode::NOT_FOUND,
            "meta",
            "the Meta WhatsApp channel is not configured on this server".into(),
        );
    };
    let events = match verify_and_parse(meta.as_ref(), "meta", &headers, query.as_deref(), &body) {
        Ok(events) => events,
        Err(res) => return *res,
    };
    let mut routed = Vec::with_capacity(events.len());
    for event in events {
        match channels.meta_channel(channel_key(&event)).await {
            Ok(Some(channel_id)) => routed.push((channel_id, event)),
            Ok(None) => tracing::warn!(
                key = channel_key(&event),
                "event for an unknown Meta number dropped"
            ),
            Err(e) => return internal("meta", e),
        }
    }
    store(&ingest, "meta", routed).await
}

async fn whapi_receive(
    Extension(ingest): Extension<IngestQueue>,
    Extension(channels): Extension<Arc<Channels>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let Some((channel_id, whapi)) = channels.whapi.clone() else {
        return reject(
            StatusCode::NOT_FOUND,
            "whapi",
            "the Whapi channel is not configured on this server".into(),
        );
    };
    let events = match verify_and_parse(whapi.as_ref(), "whapi", &headers, query.as_deref(), &body)
    {
        Ok(events) => events,
        Err(res) => return *res,
    };
    // One Whapi channel per server: every event of this endpoint belongs to it.
    let routed = events
        .into_iter()
        .map(|event| (channel_id, event))
        .collect();
    store(&ingest, "whapi", routed).await
}

fn verify_and_parse(
    provider: &dyn Provider,
    name: &str,
    headers: &HeaderMap,
    query: Option<&str>,
    body: &[u8],
) -> Result<Vec<InboundEvent>, Box<Response>> {
    provider.verify(headers, query, body).map_err(|e| {
        Box::new(reject(
            StatusCode::UNAUTHORIZED,
            name,
            format!("webhook verification failed: {e}"),
        ))
    })?;
    let outcome = provider
        .parse(body)
        .map_err(|e| Box::new(reject(StatusCode::BAD_REQUEST, name, e.to_string())))?;
    for reason in &outcome.rejected {
        tracing::warn!(provider = %name, %reason, "part of a webhook body skipped");
    }
    if outcome.events.is_empty() && !outcome.rejected.is_empty() {
        return Err(Box::new(reject(
            StatusCode::BAD_REQUEST,
            name,
            outcome.rejected.join("; "),
        )));
    }
    Ok(outcome.events)
}

fn channel_key(event: &InboundEvent) -> &str {
    match event {
        InboundEvent::Message(m) => &m.channel_key,
        InboundEvent::Status(s) => &s.channel_key,
        InboundEvent::Echo(e) => &e.channel_key,
    }
}

async fn store(ingest: &IngestQueue, provider: &str, body: Body) -> Response {
    match ingest.store(body).await {
        Ok(report) => {
            tracing::info!(
                %provider,
                stored = report.stored,
                duplicates = report.duplicates,
                statuses = report.statuses,
                ignored = report.ignored,
                "webhook stored"
            );
            (StatusCode::OK, "ok").into_response()
        }
        Err(e) => {
            tracing::error!(%provider, error = %e, "webhook not stored; the provider will retry");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "not stored, please retry",
            )
                .into_response()
        }
    }
}

fn internal(provider: &str, e: anyhow::Error) -> Response {
    tracing::error!(%provider, error = %format!("{e:#}"), "webhook not stored; the provider will retry");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "not stored, please retry",
    )
        .into_response()
}
