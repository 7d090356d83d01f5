//! `/api/v1`: our own REST API, JSON, every route documented by the OpenAPI 3.1 document
//! generated from the same code that routes it (`utoipa` and `utoipa-axum`: a handler without
//! its `#[utoipa::path]` is not routed at all), served at `/api/v1/openapi.json`, with a
//! readable page at `/api/docs` ([`docs`]).
//!
//! - [`messages`]: send (text, a file, a template, buttons or a list; `Idempotency-Key`), a
//!   message's state, its file.
//! - [`chats`]: the chat list (keyset-paginated), a chat, its messages, its mode and assignee.
//! - [`contacts`]: list, read, make or rename by number.
//! - [`channels`]: the channels the key may use, with their state.

pub mod channels;
pub mod chats;
pub mod contacts;
pub mod docs;
pub mod dto;
pub mod messages;

use super::{caller, RestError};
use app::ssr::AppState;
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::routing::get;
use axum::{Json, Router};
use inbox::api_keys::ApiCaller;
use std::collections::HashMap;
use std::sync::LazyLock;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Inbox API",
        description = "Send and read WhatsApp messages through the inbox with an API key. \
                       Every send goes through the inbox's outbox (the same retries and honest \
                       states as an agent's reply) and is answered as soon as it is queued; \
                       its final state arrives by webhook (`message.status`) and by GET. \
                       See /api/docs for authentication, idempotency, rate limits and webhooks."
    ),
    modifiers(&Security),
    tags(
        (name = "messages", description = "Send messages and follow them"),
        (name = "chats", description = "Conversations, their messages, mode and assignee"),
        (name = "contacts", description = "Customers"),
        (name = "channels", description = "The WhatsApp numbers this inbox serves"),
    )
)]
struct ApiDoc;

/// The key schemes: `X-API-KEY`, `Authorization: Bearer`, `?api_key=`; every operation takes
/// any one of them.
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-API-KEY"))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "api_key_query",
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::new("api_key"))),
        );
        openapi.security = Some(
            ["api_key", "bearer", "api_key_query"]
                .into_iter()
                .map(|s| {
                    utoipa::openapi::security::SecurityRequirement::new(s, Vec::<String>::new())
                })
                .collect(),
        );
    }
}

/// The router and its document, built together.
fn parts() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(messages::send))
        .routes(routes!(messages::get_message))
        .routes(routes!(messages::media))
        .routes(routes!(chats::list))
        .routes(routes!(chats::get_chat, chats::change))
        .routes(routes!(chats::messages))
        .routes(routes!(contacts::list, contacts::upsert))
        .routes(routes!(contacts::get_contact))
        .routes(routes!(channels::list))
        .split_for_parts()
}

/// The document, made once.
pub static OPENAPI: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(|| parts().1);

pub fn routes() -> Router<AppState> {
    parts()
        .0
        .route("/api/v1/openapi.json", get(|| async { Json(&*OPENAPI) }))
        .route("/api/docs", get(docs::page))
}

/// The caller of a `/api/v1` request (its key in a header or the query; 401, 429 otherwise).
pub struct Key(pub ApiCaller);

impl FromRequestParts<AppState> for Key {
    type Rejection = RestError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Key, RestError> {
        let Query(query) = Query::<HashMap<String, String>>::try_from_uri(&parts.uri)
            .unwrap_or_else(|_| Query(HashMap::new()));
        Ok(Key(caller(state, &parts.headers, &query).await?))
    }
}

/// Where links in answers point.
pub fn public_url(state: &AppState) -> String {
    state.hooks.settings.public_url.clone()
}

/// A page size: 50 by default, 1 to 200.
pub fn limit(asked: Option<i64>) -> i64 {
    asked.unwrap_or(50).clamp(1, 200)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_in_the_document_with_its_operation() {
        let doc = &*OPENAPI;
        for path in [
            "/api/v1/messages",
            "/api/v1/messages/{id}",
            "/api/v1/messages/{id}/media",
            "/api/v1/chats",
            "/api/v1/chats/{id}",
            "/api/v1/chats/{id}/messages",
            "/api/v1/contacts",
            "/api/v1/contacts/{id}",
            "/api/v1/channels",
        ] {
            assert!(doc.paths.paths.contains_key(path), "{path} is documented");
        }
        let json = serde_json::to_value(doc).unwrap();
        assert_eq!(json["openapi"], "3.1.0");
    }
}
