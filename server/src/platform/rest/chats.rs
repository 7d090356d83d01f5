//! `/api/v1/chats`: the list (newest activity first, keyset-paginated), a chat, its messages
//! (pages going back), and its mode and assignee.

use super::dto::{Chat, ChatChange, ErrorBody, Message, Page};
use super::{limit, public_url, Key};
use crate::platform::{ApiError, RestError};
use app::ssr::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use inbox::platform::read::{self, ChatQuery};
use model::{ChannelId, ChatId, MessageId, Mode, UserId};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `bot`, `agent`, `paused` or `closed`.
    pub mode: Option<String>,
    /// A channel's id.
    pub channel: Option<i64>,
    /// A user's id, or `none` for unassigned chats.
    pub assignee: Option<String>,
    /// Name, number or message text contains this.
    pub search: Option<String>,
    /// `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// 1 to 200 (default 50).
    pub limit: Option<i64>,
}

fn bad(field: &str, message: &str) -> ApiError {
    ApiError {
        field: Some(field.to_owned()),
        ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "INVALID_REQUEST", message)
    }
}

fn mode(asked: Option<&str>) -> Result<Option<Mode>, ApiError> {
    asked
        .map(|m| Mode::parse(m).ok_or_else(|| bad("mode", "mode is bot, agent, paused or closed")))
        .transpose()
}

/// A chat-list cursor: the last chat's activity (microseconds) and id.
fn encode_cursor((at, id): (DateTime<Utc>, ChatId)) -> String {
    format!("{}_{}", at.timestamp_micros(), id.0)
}

fn decode_cursor(c: &str) -> Result<(DateTime<Utc>, ChatId), ApiError> {
    let bad_cursor = || bad("cursor", "not a cursor this API gave");
    let (at, id) = c.split_once('_').ok_or_else(bad_cursor)?;
    let at = DateTime::<Utc>::from_timestamp_micros(at.parse().map_err(|_| bad_cursor())?)
        .ok_or_else(bad_cursor)?;
    Ok((at, ChatId(id.parse().map_err(|_| bad_cursor())?)))
}

/// Chats
///
/// Newest activity first. Pass `next_cursor` back as `cursor` for the next page: as fast at
/// page 1000 as at page 1.
#[utoipa::path(
    get,
    path = "/api/v1/chats",
    tag = "chats",
    params(ListParams),
    responses((status = 200, description = "OK", body = Page<Chat>), (status = 422, description = "A part of the request is wrong (`field` names it)", body = ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    Key(caller): Key,
    Query(p): Query<ListParams>,
) -> Result<Json<Page<Chat>>, RestError> {
    let assigned = match p.assignee.as_deref() {
        None => None,
        Some("none") => Some(None),
        Some(id) => Some(Some(UserId(
            id.parse()
                .map_err(|_| bad("assignee", "a user id, or none"))?,
        ))),
    };
    let query = ChatQuery {
        mode: mode(p.mode.as_deref())?,
        channel: p.channel.map(ChannelId),
        assigned,
        search: p.search,
        before: p.cursor.as_deref().map(decode_cursor).transpose()?,
    };
    let page = read::chats(&state.pool, &caller, query, limit(p.limit)).await?;
    Ok(Json(Page {
        data: page.items.iter().map(Chat::from).collect(),
        next_cursor: page.next.map(encode_cursor),
    }))
}

/// A chat
#[utoipa::path(
    get,
    path = "/api/v1/chats/{id}",
    tag = "chats",
    params(("id" = i64, Path)),
    responses((status = 200, description = "OK", body = Chat), (status = 403, description = "The key may not use that channel", body = ErrorBody), (status = 404, description = "Not found", body = ErrorBody))
)]
pub async fn get_chat(
    State(state): State<AppState>,
    Key(caller): Key,
    Path(id): Path<i64>,
) -> Result<Json<Chat>, RestError> {
    let chat = read::chat(&state.pool, &caller, ChatId(id)).await?;
    Ok(Json(Chat::from(&chat)))
}

/// Change a chat's mode or assignee
///
/// As an admin may: `mode` (`bot` hands it to the bot, `agent` to the agents, `paused`,
/// `closed`) and `assignee_id` (a user's id, or `null` to unassign). The conversation shows the
/// change with the key's name, and the `chat.mode_changed` / `chat.assigned` webhooks follow.
#[utoipa::path(
    patch,
    path = "/api/v1/chats/{id}",
    tag = "chats",
    params(("id" = i64, Path)),
    request_body = ChatChange,
    responses((status = 200, description = "OK", body = Chat), (status = 403, description = "The key may not use that channel", body = ErrorBody), (status = 404, description = "Not found", body = ErrorBody), (status = 422, description = "A part of the request is wrong (`field` names it)", body = ErrorBody))
)]
pub async fn change(
    State(state): State<AppState>,
    Key(caller): Key,
    Path(id): Path<i64>,
    Json(c): Json<ChatChange>,
) -> Result<Json<Chat>, RestError> {
    let chat = read::change_chat(
        &state.pool,
        &caller,
        ChatId(id),
        mode(c.mode.as_deref())?,
        c.assignee_id.map(|a| a.map(UserId)),
    )
    .await?;
    Ok(Json(Chat::from(&chat)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessagesParams {
    /// `next_cursor` of the page after (the page before it in time).
    pub cursor: Option<String>,
    /// 1 to 200 (default 50).
    pub limit: Option<i64>,
}

/// A chat's messages
///
/// Oldest first: the newest page, then `next_cursor` gives the page before it.
#[utoipa::path(
    get,
    path = "/api/v1/chats/{id}/messages",
    tag = "chats",
    params(("id" = i64, Path), MessagesParams),
    responses((status = 200, description = "OK", body = Page<Message>), (status = 403, description = "The key may not use that channel", body = ErrorBody), (status = 404, description = "Not found", body = ErrorBody))
)]
pub async fn messages(
    State(state): State<AppState>,
    Key(caller): Key,
    Path(id): Path<i64>,
    Query(p): Query<MessagesParams>,
) -> Result<Json<Page<Message>>, RestError> {
    let before = p
        .cursor
        .as_deref()
        .map(|c| {
            c.parse()
                .map(MessageId)
                .map_err(|_| bad("cursor", "not a cursor this API gave"))
        })
        .transpose()?;
    let page = read::messages(&state.pool, &caller, ChatId(id), before, limit(p.limit)).await?;
    let url = public_url(&state);
    Ok(Json(Page {
        data: page
            .items
            .iter()
            .map(|m| Message::from_view(&url, m))
            .collect(),
        next_cursor: page.next.map(|id| id.0.to_string()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_comes_back_as_it_went() {
        let at = DateTime::<Utc>::from_timestamp_micros(1_760_000_000_123_456).unwrap();
        let c = encode_cursor((at, ChatId(42)));
        assert_eq!(decode_cursor(&c).unwrap(), (at, ChatId(42)));
        assert!(decode_cursor("garbage").is_err());
    }
}
