//! Errors of API calls, in the two wire shapes: the seed gateway's
//! `{"success": false, "error": "CODE", "message": "…"}` and ours
//! `{"error": {"code", "message", "field"}}`, from the backend's one error type.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use model::Reason;
use serde_json::{json, Value};

/// Which wire shape errors take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// The seed gateway's `{"success": false, "error": "CODE", "message": "…"}`, client errors
    /// as 400 (and 401, 403, 404, 429) as the seed answers them.
    Gateway,
    /// Ours: `{"error": {"code", "message", "field"}}` with the precise status (422, 409, …).
    Rest,
}

/// A refused or failed API call.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    /// `BUTTON_LIMIT_EXCEEDED`, `INVALID_PHONE`, …
    pub code: String,
    pub message: String,
    pub field: Option<String>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: code.to_owned(),
            message: message.into(),
            field: None,
            retry_after: None,
        }
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "A valid API key is required (X-API-KEY header, Bearer token or api_key parameter)",
        )
    }

    pub fn bad_request(code: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// The status and body in `shape`.
    pub fn parts(&self, shape: Shape) -> (StatusCode, Value) {
        match shape {
            Shape::Gateway => {
                let status = match self.status.as_u16() {
                    401 | 403 | 404 | 429 | 500.. => self.status,
                    _ => StatusCode::BAD_REQUEST,
                };
                // Exactly the seed's body: scripts may compare it whole.
                let body = json!({ "success": false, "error": self.code, "message": self.message });
                (status, body)
            }
            Shape::Rest => (
                self.status,
                json!({ "error": { "code": self.code.to_ascii_lowercase(), "message": self.message, "field": self.field } }),
            ),
        }
    }

    pub fn into_response(self, shape: Shape) -> Response {
        let retry_after = self.retry_after;
        let (status, body) = self.parts(shape);
        let mut res = (status, axum::Json(body)).into_response();
        if let Some(secs) = retry_after {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        res
    }
}

impl From<inbox::Error> for ApiError {
    fn from(e: inbox::Error) -> ApiError {
        use inbox::Error as E;
        let invalid = |code: &str, message: &str| {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
        };
        match e {
            E::Unauthenticated | E::BadCredentials => ApiError::unauthorized(),
            E::Forbidden => ApiError::new(
                StatusCode::FORBIDDEN,
                "FORBIDDEN",
                "This API key may not use that channel",
            ),
            E::NotFound => ApiError::new(StatusCode::NOT_FOUND, "NOT_FOUND", "Not found"),
            E::TooManyRequests { retry_after_secs } => ApiError {
                retry_after: Some(retry_after_secs),
                ..ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "RATE_LIMITED",
                    "Too many requests",
                )
            },
            E::Invalid { field, reason } => {
                let mut err = match reason {
                    Reason::PhoneInvalid => invalid("INVALID_PHONE", "Invalid phone number"),
                    Reason::ButtonLimitExceeded => invalid(
                        "BUTTON_LIMIT_EXCEEDED",
                        "Maximum 3 buttons allowed per message",
                    ),
                    Reason::ButtonParams => invalid(
                        "INVALID_BUTTON_PARAMS",
                        &format!("Invalid button parameters: {field}"),
                    ),
                    Reason::QuoteNotFound => ApiError::new(
                        StatusCode::NOT_FOUND,
                        "MESSAGE_NOT_FOUND",
                        "The message to reply to is not in this chat",
                    ),
                    Reason::ChannelRequired => invalid(
                        "CHANNEL_REQUIRED",
                        "Several channels are connected: name one with the channel parameter",
                    ),
                    Reason::IdempotencyKeyReused => invalid(
                        "IDEMPOTENCY_KEY_REUSED",
                        "This Idempotency-Key was used with another request body",
                    ),
                    other => invalid(
                        &other.code().to_ascii_uppercase(),
                        &format!("{field} refused: {}", other.code()),
                    ),
                };
                err.field = Some(field.into_owned());
                err
            }
            E::Conflict(reason) => match reason {
                Reason::Outside24hWindow => ApiError::new(
                    StatusCode::CONFLICT,
                    "OUTSIDE_24H_WINDOW",
                    "More than 24 hours since the customer's last message: send a template",
                ),
                Reason::ChannelDisabled => ApiError::new(
                    StatusCode::CONFLICT,
                    "CHANNEL_NOT_CONNECTED",
                    "The channel is disabled",
                ),
                other => ApiError::new(
                    StatusCode::CONFLICT,
                    &other.code().to_ascii_uppercase(),
                    other.code(),
                ),
            },
            internal @ (E::Db { .. } | E::Other(_)) => {
                tracing::error!(error = ?internal, "API call failed");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL_ERROR",
                    "Something went wrong on our side",
                )
            }
        }
    }
}

/// An API error as an axum answer in the gateway's shape.
pub struct GatewayError(pub ApiError);

impl IntoResponse for GatewayError {
    fn into_response(self) -> Response {
        self.0.into_response(Shape::Gateway)
    }
}

impl<E: Into<ApiError>> From<E> for GatewayError {
    fn from(e: E) -> Self {
        GatewayError(e.into())
    }
}

/// An API error as an axum answer in the REST API's shape.
pub struct RestError(pub ApiError);

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        self.0.into_response(Shape::Rest)
    }
}

impl<E: Into<ApiError>> From<E> for RestError {
    fn from(e: E) -> Self {
        RestError(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fourth_button_is_the_seeds_error_body() {
        let e: ApiError = inbox::Error::invalid("buttons", Reason::ButtonLimitExceeded).into();
        let (status, body) = e.parts(Shape::Gateway);
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body,
            json!({ "success": false, "error": "BUTTON_LIMIT_EXCEEDED", "message": "Maximum 3 buttons allowed per message" })
        );
        let (status, body) = e.parts(Shape::Rest);
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"]["code"], "button_limit_exceeded");
    }
}
