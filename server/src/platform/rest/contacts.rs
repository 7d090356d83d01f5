//! `/api/v1/contacts`: customers, newest first; one by id; made or renamed by number.

use super::dto::{Contact, ContactInput, ErrorBody, Page};
use super::{limit, Key};
use crate::platform::{ApiError, RestError};
use app::ssr::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use inbox::platform::read;
use model::ContactId;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Name or number contains this.
    pub search: Option<String>,
    /// `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// 1 to 200 (default 50).
    pub limit: Option<i64>,
}

/// Contacts
///
/// Newest first. A key limited to channels sees only customers with a chat on them.
#[utoipa::path(
    get,
    path = "/api/v1/contacts",
    tag = "contacts",
    params(ListParams),
    responses((status = 200, description = "OK", body = Page<Contact>), (status = 422, description = "A part of the request is wrong (`field` names it)", body = ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    Key(caller): Key,
    Query(p): Query<ListParams>,
) -> Result<Json<Page<Contact>>, RestError> {
    let before = p
        .cursor
        .as_deref()
        .map(|c| {
            c.parse().map(ContactId).map_err(|_| ApiError {
                field: Some("cursor".into()),
                ..ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "INVALID_REQUEST",
                    "not a cursor this API gave",
                )
            })
        })
        .transpose()?;
    let page = read::contacts(
        &state.pool,
        &caller,
        p.search.as_deref(),
        before,
        limit(p.limit),
    )
    .await?;
    Ok(Json(Page {
        data: page.items.into_iter().map(Contact::from).collect(),
        next_cursor: page.next.map(|id| id.0.to_string()),
    }))
}

/// A contact
#[utoipa::path(
    get,
    path = "/api/v1/contacts/{id}",
    tag = "contacts",
    params(("id" = i64, Path)),
    responses((status = 200, description = "OK", body = Contact), (status = 404, description = "Not found", body = ErrorBody))
)]
pub async fn get_contact(
    State(state): State<AppState>,
    Key(caller): Key,
    Path(id): Path<i64>,
) -> Result<Json<Contact>, RestError> {
    Ok(Json(
        read::contact(&state.pool, &caller, ContactId(id))
            .await?
            .into(),
    ))
}

/// Make or rename a contact
///
/// By number (normalised as sends are: `0812…` is `62812…`): a new number makes a contact
/// (201), a known one is renamed when `name` is given (200).
#[utoipa::path(
    put,
    path = "/api/v1/contacts",
    tag = "contacts",
    request_body = ContactInput,
    responses((status = 200, description = "OK", body = Contact), (status = 201, description = "Made", body = Contact), (status = 403, description = "A known customer of another channel than the key's", body = ErrorBody), (status = 422, description = "A part of the request is wrong (`field` names it)", body = ErrorBody))
)]
pub async fn upsert(
    State(state): State<AppState>,
    Key(caller): Key,
    Json(c): Json<ContactInput>,
) -> Result<(StatusCode, Json<Contact>), RestError> {
    let (row, created) =
        read::upsert_contact(&state.pool, &caller, &c.phone, c.name.as_deref()).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(row.into())))
}
