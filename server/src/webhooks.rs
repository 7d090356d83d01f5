//! Provider webhooks: authenticate, parse, store in one transaction, and only then acknowledge.
//! Nothing here calls another service, so answers are fast. Every route goes through one path,
//! [`receive`], with the channel's own adapter.
//!
//! - `GET /webhooks/{webhook_key}`: the channel's subscription handshake (Meta's `hub.*`).
//! - `POST /webhooks/{webhook_key}`: a channel's deliveries. The key (unguessable, made with
//!   the channel) names the channel; providers that sign (Meta) are verified with the channel's
//!   secret over the raw body as well; for providers that do not, the key is the secret.
//! - `GET`/`POST /api/webhooks/whatsapp`: the environment's Meta channel (`X-Hub-Signature-256`).
//! - `POST /webhook/whapi`, `POST /webhook/whapi/messages`: the environment's Whapi channel (its
//!   shared secret, configured or generated: never optional).
//!
//! Answers: 200 once stored; 400 with the reason for a body we cannot parse (for signed
//! providers only a body that is not theirs at all: every signed, well-formed delivery is
//! acknowledged, and what we do not act on is kept raw in `webhook_kept`); 401 for a bad or
//! missing signature or secret (nothing stored from either); 404 for an unknown channel; 503
//! when the channel's credentials cannot be read (the provider retries); 500 when the database
//! failed (the provider retries). A disabled channel's webhooks are stored all the same.

use app::ssr::AppState;
use inbox::channels::{Channel, Channels};
use inbox::ingest::queue::{Body, IngestQueue};

use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use bytes::Bytes;
use std::collections::HashMap;
use std::sync::Arc;
use whatsapp::InboundEvent;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/webhooks/{webhook_key}",
            get(channel_handshake).post(channel_receive),
        )
        .route(
            "/api/webhooks/whatsapp",
            get(meta_handshake).post(meta_receive),
        )
        .route("/webhook/whapi", post(whapi_receive))
        .route("/webhook/whapi/messages", post(whapi_receive))
        .layer(axum::middleware::from_fn(count))
}

/// The channel kind a webhook answer was for, for the metrics.
#[derive(Clone, Copy)]
struct Provider(&'static str);

/// Every delivery counted by provider and answer (`inbox_webhooks_total`).
async fn count(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let is_delivery = req.method() == axum::http::Method::POST;
    let res = next.run(req).await;
    if is_delivery {
        let provider = res
            .extensions()
            .get::<Provider>()
            .map_or("unknown", |p| p.0);
        crate::metrics::webhook(provider, res.status());
    }
    res
}

fn reject(status: StatusCode, provider: &'static str, reason: String) -> Response {
    tracing::warn!(%provider, status = status.as_u16(), %reason, "webhook rejected");
    labeled(provider, (status, reason).into_response())
}

fn labeled(provider: &'static str, mut res: Response) -> Response {
    res.extensions_mut().insert(Provider(provider));
    res
}

fn not_configured(what: &str) -> Response {
    reject(
        StatusCode::NOT_FOUND,
        "unknown",
        format!("{what} is not configured on this server"),
    )
}

async fn channel_handshake(
    Extension(channels): Extension<Arc<Channels>>,
    Path(webhook_key): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match channels.by_webhook_key(&webhook_key) {
        Some(channel) => handshake(&channel, &q),
        None => not_configured("no channel with this webhook URL"),
    }
}

async fn meta_handshake(
    Extension(channels): Extension<Arc<Channels>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match channels.env_meta() {
        Some(channel) => handshake(&channel, &q),
        None => not_configured("the Meta WhatsApp channel"),
    }
}

fn handshake(channel: &Channel, q: &HashMap<String, String>) -> Response {
    let provider = channel.kind.as_str();
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or_default();
    let answer = channel.adapter().ok().and_then(|adapter| {
        adapter.handshake(
            get("hub.mode"),
            get("hub.verify_token"),
            get("hub.challenge"),
        )
    });
    match answer {
        Some(challenge) => (StatusCode::OK, challenge).into_response(),
        None => reject(
            StatusCode::FORBIDDEN,
            provider,
            "verification failed: wrong hub.verify_token or hub.mode".into(),
        ),
    }
}

async fn channel_receive(
    State(state): State<AppState>,
    Extension(ingest): Extension<IngestQueue>,
    Extension(channels): Extension<Arc<Channels>>,
    Path(webhook_key): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let Some(channel) = channels.by_webhook_key(&webhook_key) else {
        return not_configured("no channel with this webhook URL");
    };
    // The key named the channel (and is the secret of providers that do not sign).
    let signed = channel.adapter().is_ok_and(|a| a.signs_webhooks());
    let delivery = Delivery {
        verify: signed,
        ..Delivery::verified(&headers, query.as_deref(), &body)
    };
    receive(&state, &ingest, &channels, &channel, delivery).await
}

async fn meta_receive(
    State(state): State<AppState>,
    Extension(ingest): Extension<IngestQueue>,
    Extension(channels): Extension<Arc<Channels>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let Some(channel) = channels.env_meta() else {
        return not_configured("the Meta WhatsApp channel");
    };
    let delivery = Delivery::verified(&headers, query.as_deref(), &body);
    receive(&state, &ingest, &channels, &channel, delivery).await
}

async fn whapi_receive(
    State(state): State<AppState>,
    Extension(ingest): Extension<IngestQueue>,
    Extension(channels): Extension<Arc<Channels>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let Some(channel) = channels.env_whapi() else {
        return not_configured("the Whapi channel");
    };
    let delivery = Delivery::verified(&headers, query.as_deref(), &body);
    receive(&state, &ingest, &channels, &channel, delivery).await
}

/// One webhook request as received.
struct Delivery<'a> {
    headers: &'a HeaderMap,
    query: Option<&'a str>,
    body: &'a [u8],
    /// Check the signature or shared secret (not needed when the URL's key is the secret).
    verify: bool,
}

impl<'a> Delivery<'a> {
    /// A delivery whose signature or shared secret must be checked.
    fn verified(headers: &'a HeaderMap, query: Option<&'a str>, body: &'a [u8]) -> Delivery<'a> {
        Delivery {
            headers,
            query,
            body,
            verify: true,
        }
    }
}

/// Every authenticated, well-formed delivery is acknowledged, whatever its parts: a provider
/// retries a failed delivery for days and then disables the webhook, so one part we do not act
/// on must not cost the customer messages after it. What we do not act on is kept raw.
async fn receive(
    state: &AppState,
    ingest: &IngestQueue,
    channels: &Channels,
    channel: &Channel,
    delivery: Delivery<'_>,
) -> Response {
    let provider = channel.kind.as_str();
    let adapter = match channel.adapter() {
        Ok(adapter) => adapter,
        Err(e) => {
            return reject(StatusCode::SERVICE_UNAVAILABLE, provider, e.to_string());
        }
    };
    if delivery.verify {
        if let Err(e) = adapter.verify(delivery.headers, delivery.query, delivery.body) {
            return reject(
                StatusCode::UNAUTHORIZED,
                provider,
                format!("webhook verification failed: {e}"),
            );
        }
    }
    let outcome = match adapter.parse(delivery.body) {
        Ok(outcome) => outcome,
        Err(e) => return reject(StatusCode::BAD_REQUEST, provider, e.to_string()),
    };
    if !adapter.signs_webhooks() && outcome.events.is_empty() && !outcome.rejected.is_empty() {
        // Nothing in it could be read: the provider's dashboard shows why.
        return reject(
            StatusCode::BAD_REQUEST,
            provider,
            outcome.rejected.join("; "),
        );
    }
    let mut kept: Vec<String> = outcome
        .rejected
        .iter()
        .chain(&outcome.ignored)
        .cloned()
        .collect();
    let mut account = Vec::new();
    let mut routed: Body = Vec::with_capacity(outcome.events.len());
    for event in outcome.events {
        if let InboundEvent::Account(a) = event {
            account.push(a);
            continue;
        }
        let key = channel_key(&event).to_string();
        match channels.route(channel, &key).await {
            Ok(Some(channel_id)) => routed.push((channel_id, event)),
            Ok(None) => kept.push(format!("an event for an unknown number {key}")),
            Err(e) => return internal(provider, e),
        }
    }
    if !routed.is_empty() {
        let mut seen: Vec<model::ChannelId> = routed.iter().map(|(id, _)| *id).collect();
        seen.sort();
        seen.dedup();
        let stored = store(ingest, provider, routed).await;
        if stored.status() != StatusCode::OK {
            return stored;
        }
        for id in seen {
            channels.activity.webhook(id);
        }
    }
    let account: Vec<&whatsapp::AccountEvent> = account.iter().collect();
    if let Err(e) = inbox::ingest::account::record(&state.pool, provider, &account).await {
        return internal(provider, e.into());
    }
    if !kept.is_empty() {
        for reason in &kept {
            tracing::warn!(%provider, %reason, "acknowledged, not acted on; body kept");
        }
        if let Err(e) =
            inbox::ingest::account::keep(&state.pool, provider, &kept, delivery.body).await
        {
            return internal(provider, e.into());
        }
    }
    labeled(provider, (StatusCode::OK, "ok").into_response())
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

async fn store(ingest: &IngestQueue, provider: &'static str, body: Body) -> Response {
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
            labeled(provider, (StatusCode::OK, "ok").into_response())
        }
        Err(e) => {
            tracing::error!(%provider, error = %e, "webhook not stored; the provider will retry");
            labeled(
                provider,
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "not stored, please retry",
                )
                    .into_response(),
            )
        }
    }
}

fn internal(provider: &'static str, e: anyhow::Error) -> Response {
    tracing::error!(%provider, error = %format!("{e:#}"), "webhook not stored; the provider will retry");
    labeled(
        provider,
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "not stored, please retry",
        )
            .into_response(),
    )
}
