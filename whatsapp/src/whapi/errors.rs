//! Whapi's error answers: the HTTP status decides (§2.1), the `ResponseError` body (§5) names
//! the code and the reason.

use crate::error::{SendError, SendErrorKind};
use crate::util::{snippet, str_field, HttpReply};

/// The reply, or the error a non-2xx answer carries (`what` names the call in the log).
pub(super) fn succeeded(reply: HttpReply, what: &str) -> Result<HttpReply, SendError> {
    if reply.status.is_success() {
        return Ok(reply);
    }
    let err = classify_whapi_error(&reply);
    tracing::warn!(code = ?err.code, kind = ?err.kind, "whapi {what} failed");
    Err(err)
}

/// Whapi errors: HTTP status decides (§2.1 table); `ResponseError` body
/// `{"error": {code, message, details}}` (§5) supplies code and text.
fn classify_whapi_error(reply: &HttpReply) -> SendError {
    let status = reply.status;
    let err = reply.body.get("error");
    let retryable = status.as_u16() == 429 || status.is_server_error();
    let kind = if retryable {
        SendErrorKind::Retryable
    } else {
        SendErrorKind::Permanent
    };
    SendError {
        kind,
        code: Some(
            err.and_then(|e| str_field(e, "code"))
                .unwrap_or_else(|| status.as_u16().to_string()),
        ),
        reason: err
            .and_then(|e| str_field(e, "message"))
            .unwrap_or_else(|| format!("HTTP {status}: {}", snippet(&reply.body_text))),
        detail: err.and_then(|e| str_field(e, "details")),
        http_status: Some(status.as_u16()),
        retry_after: reply.retry_after.filter(|_| retryable),
        maybe_sent: status.is_server_error(),
    }
}
