//! Server-side error plumbing: the backend's errors become `AppError` here, failures of the
//! server logged with their cause and sent as `AppError::Internal`; the HTTP status of a failed server function is set from
//! `AppError::status`.

use crate::AppError;
use std::future::Future;

impl From<inbox::Error> for AppError {
    /// The one conversion from the backend's error: refusals keep their meaning, failures of
    /// the server are logged with their cause and become `Internal`.
    #[track_caller]
    fn from(e: inbox::Error) -> Self {
        use inbox::Error as E;
        match e {
            E::Unauthenticated => AppError::Unauthenticated,
            E::Forbidden => AppError::Forbidden,
            E::NotFound => AppError::NotFound,
            E::Invalid { field, reason } => AppError::invalid(&field, reason),
            E::Conflict(reason) => AppError::Conflict(reason),
            E::BadCredentials => AppError::BadCredentials,
            E::TooManyRequests { retry_after_secs } => {
                AppError::TooManyRequests { retry_after_secs }
            }
            internal @ (E::Db { .. } | E::Other(_)) => {
                let at = std::panic::Location::caller();
                tracing::error!(error = ?internal, %at, "internal error");
                AppError::Internal
            }
        }
    }
}

impl From<anyhow::Error> for AppError {
    #[track_caller]
    fn from(e: anyhow::Error) -> Self {
        inbox::Error::Other(e).into()
    }
}

impl From<sqlx::Error> for AppError {
    #[track_caller]
    fn from(e: sqlx::Error) -> Self {
        inbox::Error::from(e).into()
    }
}

/// Runs a server function body and, when it fails, sets the response status from the error
/// (leptos answers every server function error with 500 otherwise).
pub async fn respond<T>(body: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let result = body.await;
    if let Err(e) = &result {
        set_status(e);
    }
    result
}

pub fn set_status(e: &AppError) {
    if let Some(opts) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        let code = http::StatusCode::from_u16(e.status())
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        opts.set_status(code);
        if let AppError::TooManyRequests { retry_after_secs } = e {
            if let Ok(v) = http::HeaderValue::from_str(&retry_after_secs.to_string()) {
                opts.insert_header(http::header::RETRY_AFTER, v);
            }
        }
    }
}

/// Axum handlers answer with the same error type as server functions: its status, and its
/// JSON encoding as the body.
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let status = http::StatusCode::from_u16(self.status())
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_string(&self).unwrap_or_else(|_| "\"Internal\"".to_string());
        (
            status,
            [(http::header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response()
    }
}
