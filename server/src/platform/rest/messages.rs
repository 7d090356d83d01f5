//! `POST /api/v1/messages`, `GET /api/v1/messages/{id}`, `GET /api/v1/messages/{id}/media`.

use super::dto::{ErrorBody, InteractiveInput, Message, Queued, SendMessage, SendType};
use super::{public_url, Key};
use crate::platform::{channel, ApiError, RestError, SendRequest, Sent, Shape};
use app::ssr::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use inbox::platform::media::{Given, Source};
use inbox::platform::{Content, Outgoing, ReplyTo};
use model::MessageId;
use std::collections::HashMap;

/// Send a message
///
/// Sends text, a photo, video, audio or document (`media`), an approved template, or up to 3
/// reply buttons or a list (`interactive`) to a number, through the outbox: answered as soon
/// as it is queued (`"status": "queued"`); its final state arrives by the `message.status`
/// webhook and by `GET /api/v1/messages/{id}`.
///
/// **Idempotency**: send an `Idempotency-Key` header (any unique string, e.g. your order id and
/// the step). The same key with the same body within 24 hours answers the first answer again
/// and sends nothing; another body with the same key is refused (422). With it, a client that
/// retries after a timeout never makes a customer receive a message twice.
#[utoipa::path(
    post,
    path = "/api/v1/messages",
    tag = "messages",
    request_body = SendMessage,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the first answer is given again for 24 hours")),
    responses(
        (status = 200, description = "Queued", body = Queued),
        (status = 401, description = "No key, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "The key may not use that channel", body = ErrorBody),
        (status = 404, description = "No such channel, or the quoted message is not in the chat", body = ErrorBody),
        (status = 409, description = "Outside Meta's 24-hour window (send a template), or the channel is disabled", body = ErrorBody),
        (status = 422, description = "A part of the request is wrong (`field` names it)", body = ErrorBody),
        (status = 429, description = "Over the key's rate (see `Retry-After`)", body = ErrorBody),
    )
)]
pub async fn send(
    State(state): State<AppState>,
    Key(caller): Key,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, RestError> {
    let request: SendMessage = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "INVALID_JSON",
            format!("The body does not fit the request: {e}"),
        )
    })?;
    let keep_mode = match request.mode.as_deref() {
        None | Some("takeover") => false,
        Some("keep") => true,
        Some(_) => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "INVALID_MODE",
                "mode is \"keep\" or \"takeover\"",
            )
            .into())
        }
    };
    let content = content(&state, &request).await?;
    let channel = channel(&state, &caller, request.channel.as_deref()).await?;
    let outgoing = Outgoing {
        channel_id: channel.channel_id,
        to: request.to.clone(),
        content,
        reply_to: request.reply_to.as_deref().and_then(ReplyTo::parse),
        keep_mode,
    };
    let req = SendRequest {
        method: "POST",
        path: "/api/v1/messages",
        headers: &headers,
        body: &body,
        shape: Shape::Rest,
    };
    Ok(send_queued(&state, &caller, req, &outgoing).await)
}

async fn send_queued(
    state: &AppState,
    caller: &inbox::api_keys::ApiCaller,
    req: SendRequest<'_>,
    outgoing: &Outgoing,
) -> Response {
    crate::platform::send(state, caller, req, outgoing, |sent: Sent<'_>| {
        let ids: Vec<i64> = sent.messages.iter().map(|m| m.message_id.0).collect();
        serde_json::to_value(Queued {
            id: ids.first().copied().unwrap_or_default(),
            message_ids: ids,
            chat_id: sent.chat_id.0,
            status: "queued".into(),
            to: sent.to.to_owned(),
        })
        .unwrap_or_default()
    })
    .await
}

fn invalid(field: &str, message: &str) -> ApiError {
    ApiError {
        field: Some(field.to_owned()),
        ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "INVALID_REQUEST", message)
    }
}

/// What the request carries, its type given or taken from the field present.
async fn content(state: &AppState, r: &SendMessage) -> Result<Content, ApiError> {
    let kind = r
        .kind
        .unwrap_or(match (&r.template, &r.interactive, &r.media) {
            (Some(_), _, _) => SendType::Template,
            (None, Some(_), _) => SendType::Interactive,
            (None, None, Some(_)) => SendType::Document,
            (None, None, None) => SendType::Text,
        });
    Ok(match kind {
        SendType::Text => Content::Text(
            r.text
                .clone()
                .ok_or_else(|| invalid("text", "text is required"))?,
        ),
        SendType::Template => {
            let t = r
                .template
                .as_ref()
                .ok_or_else(|| invalid("template", "template is required"))?;
            Content::Template {
                name: t.name.clone(),
                language: t.language.clone(),
                values: t.variables.clone(),
            }
        }
        SendType::Interactive => Content::Interactive(interactive(
            r.interactive
                .as_ref()
                .ok_or_else(|| invalid("interactive", "interactive is required"))?,
        )?),
        SendType::Image | SendType::Video | SendType::Audio | SendType::Document => {
            let m = r
                .media
                .as_ref()
                .ok_or_else(|| invalid("media", "media is required"))?;
            let source = match (&m.base64, &m.url) {
                (Some(b), None) => Source::Base64(b.clone()),
                (None, Some(u)) => Source::Url(u.clone()),
                _ => return Err(invalid("media", "give media.base64 or media.url")),
            };
            let file = inbox::platform::media::keep(
                (&state.pool, &state.media),
                (
                    state.hooks.guarded_http(),
                    state.hooks.settings.allow_private,
                ),
                &Given {
                    source,
                    mime_type: m.mime_type.clone(),
                    filename: m.filename.clone(),
                },
            )
            .await?;
            Content::File {
                file,
                caption: m.caption.clone().or_else(|| r.text.clone()),
            }
        }
    })
}

fn interactive(i: &InteractiveInput) -> Result<whatsapp::Interactive, ApiError> {
    let choice = |o: &super::dto::OptionInput| whatsapp::Choice {
        id: o.id.clone().unwrap_or_else(|| o.title.clone()),
        title: o.title.clone(),
        description: o.description.clone(),
    };
    let choices = match (&i.buttons, &i.list) {
        (Some(buttons), None) => whatsapp::Choices::Buttons {
            buttons: buttons.iter().map(choice).collect(),
        },
        (None, Some(list)) => whatsapp::Choices::List {
            button: list.button.clone(),
            sections: list
                .sections
                .iter()
                .map(|s| whatsapp::Section {
                    title: s.title.clone(),
                    rows: s.rows.iter().map(choice).collect(),
                })
                .collect(),
        },
        _ => {
            return Err(invalid(
                "interactive",
                "give interactive.buttons or interactive.list",
            ))
        }
    };
    let options = whatsapp::Interactive {
        header: i.header.clone(),
        body: i.body.clone(),
        footer: i.footer.clone(),
        choices,
    };
    inbox::replies::interactive::check(&options)?;
    Ok(options)
}

/// A message
///
/// Its delivery state (`queued`, `sent`, `delivered`, `read`, or `failed` with the provider's
/// code and reason) and what it carries.
#[utoipa::path(
    get,
    path = "/api/v1/messages/{id}",
    tag = "messages",
    params(("id" = i64, Path, description = "The message's id")),
    responses(
        (status = 200, description = "OK", body = Message),
        (status = 403, description = "The key may not use that channel", body = ErrorBody),
        (status = 404, description = "Not found", body = ErrorBody),
    )
)]
pub async fn get_message(
    State(state): State<AppState>,
    Key(caller): Key,
    Path(id): Path<i64>,
) -> Result<Json<Message>, RestError> {
    let (view, _) = inbox::platform::read::message(&state.pool, &caller, MessageId(id)).await?;
    Ok(Json(Message::from_view(&public_url(&state), &view)))
}

/// A message's file
///
/// The photo, voice note, video, document or sticker of a message, once the inbox has it
/// (`media.state` = `ready`), with its type; ranges are supported. `?thumb=1` asks for a
/// photo's thumbnail.
#[utoipa::path(
    get,
    path = "/api/v1/messages/{id}/media",
    tag = "messages",
    params(
        ("id" = i64, Path, description = "The message's id"),
        ("thumb" = Option<String>, Query, description = "Any value: a photo's thumbnail"),
    ),
    responses(
        (status = 200, description = "The file's bytes", content_type = "application/octet-stream"),
        (status = 403, description = "The key may not use that channel", body = ErrorBody),
        (status = 404, description = "No such message, or its file is not ready", body = ErrorBody),
    )
)]
pub async fn media(
    State(state): State<AppState>,
    Key(caller): Key,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
    req: Request,
) -> Result<Response, RestError> {
    let file = inbox::db::attachments::ready_file(&state.pool, MessageId(id))
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                "No file for that message (yet)",
            )
        })?;
    if !caller.may_use(file.channel_id) {
        return Err(inbox::Error::Forbidden.into());
    }
    crate::media::send_file(&state, MessageId(id), file, &q, req)
        .await
        .map_err(|e| {
            RestError(ApiError::new(
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                "MEDIA_UNAVAILABLE",
                e.to_string(),
            ))
        })
        .map(IntoResponse::into_response)
}
