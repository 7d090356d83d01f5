//! `AppError`: the only error type that crosses the wire, for server functions and axum
//! handlers alike. Internal details (SQL, provider bodies) never go into it: the backend's
//! `inbox::Error` is converted once, at the edge, and its cause is logged there
//! (`ssr::error`).

use crate::model::Reason;
use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// No valid session: the browser must sign in (HTTP 401).
    #[error("sign in required")]
    Unauthenticated,
    /// Signed in, but the role or assignment does not allow this (HTTP 403).
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// Input that failed validation; `field` names the form field.
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: Reason },
    /// The request conflicts with the current state (HTTP 409).
    #[error("{0}")]
    Conflict(Reason),
    /// Wrong username or password: one answer for both, on purpose (HTTP 401).
    #[error("wrong username or password")]
    BadCredentials,
    /// Too many failed attempts (HTTP 429).
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    TooManyRequests { retry_after_secs: u64 },
    /// Something failed on the server; the details are in the server log (HTTP 500).
    #[error("internal error")]
    Internal,
    /// Transport-level errors from the server function machinery.
    #[error("{0}")]
    ServerFn(ServerFnErrorErr),
}

impl AppError {
    pub fn invalid(field: &str, reason: Reason) -> Self {
        AppError::Invalid {
            field: field.to_string(),
            reason,
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated | AppError::BadCredentials => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Invalid { .. } => 422,
            AppError::Conflict(_) => 409,
            AppError::TooManyRequests { .. } => 429,
            AppError::Internal => 500,
            AppError::ServerFn(e) => match e {
                ServerFnErrorErr::Args(_) | ServerFnErrorErr::Deserialization(_) => 400,
                ServerFnErrorErr::MissingArg(_) => 400,
                _ => 500,
            },
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::ServerFn(value)
    }
}
