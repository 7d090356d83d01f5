//! Graph API errors: which codes are worth retrying (meta-cloud.md §6.2, §7), a failed send's
//! [`SendError`], and a failed "Test connection"'s [`CheckFailure`].

use std::time::Duration;

use serde_json::Value;

use crate::check::CheckFailure;
use crate::error::{SendError, SendErrorKind};
use crate::util::{snippet, str_field, str_path, HttpReply};

/// Meta error codes that are worth retrying (meta-cloud.md §6.2, §7).
fn retryable_code(code: i64) -> Option<Option<Duration>> {
    match code {
        // 131056 pair rate limit: 1 msg / 6 s per user (§7).
        131056 => Some(Some(Duration::from_secs(6))),
        // 131057 maintenance / throughput upgrade, takes ≤ 1 min (§7).
        131057 => Some(Some(Duration::from_secs(60))),
        130429 | 4 | 80007 | 131000 | 1 | 2 | 131016 | 133004 => Some(None),
        _ => None,
    }
}

/// Meta error codes documented as not retryable (meta-cloud.md §6.2).
fn permanent_code(code: i64) -> bool {
    matches!(
        code,
        0 | 3
            | 10
            | 100
            | 190
            | 200..=299
            | 368
            | 130403
            | 130472
            | 131005
            | 131008
            | 131009
            | 131021
            | 131026
            | 131031
            | 131037
            | 131045
            | 131047
            | 131048
            | 131049
            | 131050
            | 131051
            | 131052
            | 131053
            | 131062
            | 131064
            | 132000..=132999
            | 133010
            | 135000
    )
}

/// Turn a non-2xx Graph reply into a [`SendError`] (see the table on
/// [`Provider::send_text`]).
pub(super) fn classify_graph_error(reply: &HttpReply) -> SendError {
    let status = reply.status;
    let err = reply.body.get("error");
    let code = err.and_then(|e| e.get("code")).and_then(Value::as_i64);
    let reason = err
        .and_then(|e| str_field(e, "message"))
        .unwrap_or_else(|| format!("HTTP {status}: {}", snippet(&reply.body_text)));
    let detail = err.and_then(|e| str_path(e, &["error_data", "details"]));

    let http_fallback = || {
        if status.as_u16() == 429 || status.is_server_error() {
            SendErrorKind::Retryable
        } else {
            SendErrorKind::Permanent
        }
    };
    let (kind, min_wait) = match code {
        Some(c) => match retryable_code(c) {
            Some(wait) => (SendErrorKind::Retryable, wait),
            None if permanent_code(c) => (SendErrorKind::Permanent, None),
            None => (http_fallback(), None),
        },
        None => (http_fallback(), None),
    };
    let retry_after = match (reply.retry_after, min_wait) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    SendError {
        kind,
        code: Some(code.map_or_else(|| status.as_u16().to_string(), |c| c.to_string())),
        reason,
        detail,
        http_status: Some(status.as_u16()),
        retry_after: retry_after.filter(|_| kind == SendErrorKind::Retryable),
        maybe_sent: status.is_server_error(),
    }
}

/// A failed connection test, by Graph error code (meta-cloud.md §15.2), then HTTP status.
pub(super) fn classify_check_error(
    status: reqwest::StatusCode,
    body: &Value,
    text: &str,
) -> CheckFailure {
    let err = body.get("error");
    let code = err.and_then(|e| e.get("code")).and_then(Value::as_i64);
    let subcode = err
        .and_then(|e| e.get("error_subcode"))
        .and_then(Value::as_i64);
    let reason = err
        .and_then(|e| str_field(e, "message"))
        .unwrap_or_else(|| format!("HTTP {status}: {}", snippet(text)));
    match (code, subcode) {
        (Some(190), _) | (Some(0), _) => CheckFailure::WrongToken { reason },
        (Some(100), Some(33)) => CheckFailure::WrongNumber { reason },
        (Some(10), _) | (Some(200..=299), _) => CheckFailure::MissingPermission { reason },
        (Some(4 | 80007 | 130429), _) => CheckFailure::RateLimited { reason },
        (None, _) if status == reqwest::StatusCode::UNAUTHORIZED => {
            CheckFailure::WrongToken { reason }
        }
        (None, _) if status == reqwest::StatusCode::TOO_MANY_REQUESTS => {
            CheckFailure::RateLimited { reason }
        }
        _ => CheckFailure::Other { reason },
    }
}
