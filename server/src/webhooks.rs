//! Provider webhooks: verify the signature on the raw body, parse, store in one transaction,
//! and only then acknowledge. Nothing here calls another service, so answers are fast.
//!
//! - `GET /api/webhooks/whatsapp`: Meta's subscription handshake (`hub.challenge`).
//! - `POST /api/webhooks/whatsapp`: Meta (`X-Hub-Signature-256`).
//! - `POST /webhook/whapi`, `POST /webhook/whapi/messages`: Whapi (its shared secret, configured or generated: never optional).
//!
//! Answers: 200 once stored; 400 with the reason for a body we cannot parse (for Meta: only a
//! body that is not a Meta webhook at all: every signed, well-formed delivery is acknowledged,
//! and what we do not act on is kept raw in `webhook_kept`); 401 for a bad or missing signature
//! (nothing stored from either); 404 when the provider is not configured; 500 when the
//! database failed (the provider retries).

use app::ssr::AppState;
use inbox::channels::Channels;
use inbox::ingest::queue::{Body, IngestQueue};

use axum::extract::{Query, RawQuery, State};
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
        .layer(axum::middleware::from_fn(count))
}

/// Every delivery counted by provider and answer (`inbox_webhooks_total`).
async fn count(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let provider = if req.uri().path().starts_with("/webhook/whapi") {
        "whapi"
    } else {
        "meta"
    };
    let is_delivery = req.method() == axum::http::Method::POST;
    let res = next.run(req).await;
    if is_delivery {
        crate::metrics::webhook(provider, res.status());
    }
    res
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

/// Every signed, well-formed Meta delivery is acknowledged, whatever its field: Meta retries a
/// failed delivery for days and then disables the webhook, so one field we do not act on
/// must not cost the customer messages after it. What we do not act on is kept raw.
async fn meta_receive(
    State(state): State<AppState>,
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
    let outcome = match verify_and_parse(meta.as_ref(), "meta", &headers, query.as_deref(), &body) {
        Ok(outcome) => outcome,
        Err(res) => return *res,
    };
    let mut kept: Vec<String> = outcome
        .rejected
        .iter()
        .chain(&outcome.ignored)
        .cloned()
        .collect();
    let mut account = Vec::new();
    let mut routed = Vec::with_capacity(outcome.events.len());
    for event in outcome.events {
        if let InboundEvent::Account(a) = event {
            account.push(a);
            continue;
        }
        let key = channel_key(&event).to_string();
        match channels.meta_channel(&key).await {
            Ok(Some(channel_id)) => routed.push((channel_id, event)),
            Ok(None) => kept.push(format!("an event for an unknown Meta number {key}")),
            Err(e) => return internal("meta", e),
        }
    }
    if !routed.is_empty() {
        let stored = store(&ingest, "meta", routed).await;
        if stored.status() != StatusCode::OK {
            return stored;
        }
    }
    let account: Vec<&whatsapp::AccountEvent> = account.iter().collect();
    if let Err(e) = inbox::ingest::account::record(&state.pool, "meta", &account).await {
        return internal("meta", e.into());
    }
    if !kept.is_empty() {
        for reason in &kept {
            tracing::warn!(provider = "meta", %reason, "acknowledged, not acted on; body kept");
        }
        if let Err(e) = inbox::ingest::account::keep(&state.pool, "meta", &kept, &body).await {
            return internal("meta", e.into());
        }
    }
    (StatusCode::OK, "ok").into_response()
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
    let outcome = match verify_and_parse(whapi.as_ref(), "whapi", &headers, query.as_deref(), &body)
    {
        Ok(outcome) => outcome,
        Err(res) => return *res,
    };
    for reason in &outcome.rejected {
        tracing::warn!(provider = "whapi", %reason, "part of a webhook body skipped");
    }
    if outcome.events.is_empty() && !outcome.rejected.is_empty() {
        return reject(
            StatusCode::BAD_REQUEST,
            "whapi",
            outcome.rejected.join("; "),
        );
    }
    let events = outcome.events;
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
) -> Result<whatsapp::ParseOutcome, Box<Response>> {
    provider.verify(headers, query, body).map_err(|e| {
        Box::new(reject(
            StatusCode::UNAUTHORIZED,
            name,
            format!("webhook verification failed: {e}"),
        ))
    })?;
    provider
        .parse(body)
        .map_err(|e| Box::new(reject(StatusCode::BAD_REQUEST, name, e.to_string())))
}

fn channel_key(event: &InboundEvent) -> &str {
    match event {
        InboundEvent::Message(m) => &m.channel_key,
        InboundEvent::Status(s) => &s.channel_key,
        InboundEvent::Echo(e) | InboundEvent::AppEcho(e) => &e.channel_key,
        InboundEvent::Revoked(r) => &r.channel_key,
        // Not a channel's: split off before routing.
        InboundEvent::Account(_) => "",
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
