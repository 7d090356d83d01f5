//! Server-side error plumbing: internal errors are logged here with their cause and become
//! `AppError::Internal` on the wire; the HTTP status of a failed server function is set from
//! `AppError::status`.

use crate::AppError;
use std::future::Future;

impl From<sqlx::Error> for AppError {
    #[track_caller]
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => AppError::NotFound,
            other => {
                let at = std::panic::Location::caller();
                tracing::error!(error = %other, %at, "database error");
                AppError::Internal
            }
        }
    }
}

impl From<anyhow::Error> for AppError {
    #[track_caller]
    fn from(e: anyhow::Error) -> Self {
        let at = std::panic::Location::caller();
        tracing::error!(error = ?e, %at, "internal error");
        AppError::Internal
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
