//! The backend's one error type. It keeps the cause (a database error, a provider failure, a
//! context chain) and where it was raised; each edge (server function, HTTP handler, webhook)
//! converts it once into the wire error, logging what the caller must not see.

use model::Reason;
use std::panic::Location;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No valid session.
    #[error("sign in required")]
    Unauthenticated,
    /// Signed in, but the role or assignment does not allow this.
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// Input that failed validation; `field` names the form field.
    #[error("{field}: {reason}")]
    Invalid {
        field: std::borrow::Cow<'static, str>,
        reason: Reason,
    },
    /// The request conflicts with the current state.
    #[error("conflict: {0}")]
    Conflict(Reason),
    /// Wrong username or password (one answer for both, on purpose).
    #[error("wrong username or password")]
    BadCredentials,
    /// Too many failed attempts.
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    TooManyRequests { retry_after_secs: u64 },
    /// The database failed; `at` is where the query was awaited.
    #[error("database error at {at}: {source}")]
    Db {
        source: sqlx::Error,
        at: &'static Location<'static>,
    },
    /// Anything else, with its context chain.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl Error {
    pub fn invalid(field: impl Into<std::borrow::Cow<'static, str>>, reason: Reason) -> Self {
        Error::Invalid {
            field: field.into(),
            reason,
        }
    }

    /// True for failures of the server itself (database, internal), as opposed to a refusal
    /// of the request: these are logged with their cause and answered as "internal error".
    pub fn is_internal(&self) -> bool {
        matches!(self, Error::Db { .. } | Error::Other(_))
    }
}

impl From<sqlx::Error> for Error {
    /// `RowNotFound` is "not found" for the caller; every other database error keeps its cause
    /// and the call site.
    #[track_caller]
    fn from(source: sqlx::Error) -> Self {
        match source {
            sqlx::Error::RowNotFound => Error::NotFound,
            source => Error::Db {
                source,
                at: Location::caller(),
            },
        }
    }
}
