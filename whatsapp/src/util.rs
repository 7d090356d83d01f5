//! Crate-private helpers shared by the adapters: lenient JSON field access,
//! timestamp conversion, HTTP response plumbing for senders.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::error::{ParseError, SendError};

/// Per-request timeout applied to every send (the caller's client may have none).
pub(crate) const DEFAULT_SEND_TIMEOUT: Duration = Duration::from_secs(15);

/// Parse a body as JSON, mapping failure to [`ParseError::NotJson`]. Every adapter starts here,
/// so this is where text PostgreSQL would refuse is made storable: U+0000 (valid JSON, but
/// refused by `text` and `jsonb`) is removed from every string and key, and the rest of the
/// message is kept.
pub(crate) fn parse_json(raw_body: &[u8]) -> Result<Value, ParseError> {
    let mut body =
        serde_json::from_slice(raw_body).map_err(|e| ParseError::NotJson(e.to_string()))?;
    strip_nul(&mut body);
    Ok(body)
}

/// Removes U+0000 from every string and object key in `v`.
pub(crate) fn strip_nul(v: &mut Value) {
    match v {
        Value::String(s) if s.contains('\0') => s.retain(|c| c != '\0'),
        Value::Array(items) => items.iter_mut().for_each(strip_nul),
        Value::Object(map) if map.keys().any(|k| k.contains('\0')) => {
            let old = std::mem::take(map);
            for (k, mut item) in old {
                strip_nul(&mut item);
                map.insert(k.replace('\0', ""), item);
            }
        }
        Value::Object(map) => map.values_mut().for_each(strip_nul),
        _ => {}
    }
}

/// `v[key]` as a non-empty string (numbers are stringified: ids sometimes
/// arrive as numbers).
pub(crate) fn str_field(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `v[key]` as an identifier (message id, channel key): like [`str_field`],
/// but a whitespace-only string counts as absent. Ids are the exactly-once
/// dedupe key downstream, so a blank one must be rejected, never stored.
pub(crate) fn id_field(v: &Value, key: &str) -> Option<String> {
    str_field(v, key).filter(|s| !s.trim().is_empty())
}

/// Nested [`id_field`]: `v[a][b]...` as a non-blank identifier.
pub(crate) fn id_path(v: &Value, path: &[&str]) -> Option<String> {
    str_path(v, path).filter(|s| !s.trim().is_empty())
}

/// Nested lookup `v[a][b]...` as a non-empty string.
pub(crate) fn str_path(v: &Value, path: &[&str]) -> Option<String> {
    let (last, init) = path.split_last()?;
    let mut cur = v;
    for k in init {
        cur = cur.get(*k)?;
    }
    str_field(cur, last)
}

/// `v[key]` as bool (absent → `None`).
pub(crate) fn bool_field(v: &Value, key: &str) -> Option<bool> {
    v.get(key)?.as_bool()
}

/// `v[key]` as an array slice (absent or not an array → empty).
pub(crate) fn array_field<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// An integer given as a JSON number or a numeric string.
pub(crate) fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Unix seconds (number or string) → UTC.
pub(crate) fn unix_seconds(v: &Value) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(int_of(v)?, 0)
}

/// Unix milliseconds (number or string) → UTC.
pub(crate) fn unix_millis(v: &Value) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(int_of(v)?)
}

/// RFC 3339 / ISO-8601 string → UTC.
pub(crate) fn rfc3339(v: &Value) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(v.as_str()?)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// Join the non-empty parts with `sep`; `None` when nothing is left.
pub(crate) fn join_non_empty<I, S>(parts: I, sep: &str) -> Option<String>
where
    I: IntoIterator<Item = Option<S>>,
    S: AsRef<str>,
{
    let parts: Vec<String> = parts
        .into_iter()
        .flatten()
        .map(|s| s.as_ref().trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(sep))
}

/// Strip a leading `+` from a webhook phone field; anything that is not then
/// all digits is not treated as a phone. (Webhook numbers are never "fixed"
/// with national rules — README "Phone numbers".)
pub(crate) fn webhook_digits(s: &str) -> Option<String> {
    let d = s.trim().trim_start_matches('+');
    (!d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())).then(|| d.to_owned())
}

/// Retry-After header in seconds (the HTTP-date form is ignored).
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    v.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// A finished HTTP exchange: status, headers we care about, body.
pub(crate) struct HttpReply {
    pub status: reqwest::StatusCode,
    pub retry_after: Option<Duration>,
    pub body: Value,
    pub body_text: String,
}

/// Send a prepared request and collect the reply; transport failures become
/// [`SendError::from_transport`].
pub(crate) async fn execute(req: reqwest::RequestBuilder) -> Result<HttpReply, SendError> {
    let resp = req
        .send()
        .await
        .map_err(|e| SendError::from_transport(&e))?;
    let status = resp.status();
    let retry_after = retry_after(resp.headers());
    let body_text = resp
        .text()
        .await
        .map_err(|e| SendError::from_transport(&e))?;
    let body = serde_json::from_str(&body_text).unwrap_or(Value::Null);
    Ok(HttpReply {
        status,
        retry_after,
        body,
        body_text,
    })
}

/// First ~200 chars of a body for error messages.
pub(crate) fn snippet(s: &str) -> String {
    let t: String = s.chars().take(200).collect();
    if t.is_empty() {
        "<empty body>".to_owned()
    } else {
        t
    }
}

/// Whether `url` is on the same scheme, host and port as `base`: the only place a provider's
/// token may be sent along with a link the provider's payload named.
pub(crate) fn same_origin(url: &str, base: &str) -> bool {
    match (reqwest::Url::parse(url), reqwest::Url::parse(base)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin(),
        _ => false,
    }
}

/// A `location` object's place (`latitude`/`longitude` as numbers, or as numeric strings).
pub(crate) fn location_of(v: &Value) -> Option<crate::event::Location> {
    let coordinate = |k: &str| {
        let c = v.get(k)?;
        c.as_f64()
            .or_else(|| c.as_str().and_then(|s| s.trim().parse().ok()))
            .filter(|x: &f64| x.is_finite())
    };
    Some(crate::event::Location {
        latitude: coordinate("latitude").filter(|x| x.abs() <= 90.0)?,
        longitude: coordinate("longitude").filter(|x| x.abs() <= 180.0)?,
        name: str_field(v, "name"),
        address: str_field(v, "address"),
    })
}

/// The numbers of a vCard's `TEL` lines: the `waid=` digits where WhatsApp put them, else the
/// number as written (digits and a leading `+`).
pub(crate) fn vcard_phones(vcard: &str) -> Vec<String> {
    vcard
        .lines()
        .filter(|l| l.trim_start().to_ascii_uppercase().starts_with("TEL"))
        .filter_map(|l| {
            let (params, value) = l.split_once(':')?;
            let waid = params
                .split(';')
                .find_map(|p| p.trim().strip_prefix("waid="))
                .and_then(webhook_digits);
            waid.or_else(|| {
                let written: String = value
                    .chars()
                    .filter(|c| c.is_ascii_digit() || *c == '+')
                    .collect();
                (written.trim_start_matches('+').len() >= 6).then_some(written)
            })
        })
        .collect()
}

#[cfg(test)]
mod card_tests {
    use super::*;

    #[test]
    fn vcard_numbers_prefer_whatsapps_id() {
        let card = "BEGIN:VCARD\nVERSION:3.0\nFN:Budi\nTEL;type=CELL;waid=6281298765432:+62 812-9876-5432\nTEL;type=WORK:(021) 555-0100\nEND:VCARD";
        assert_eq!(vcard_phones(card), ["6281298765432", "0215550100"]);
        let place = serde_json::json!({ "latitude": "-6.2", "longitude": 106.8, "name": "Toko" });
        let loc = location_of(&place).unwrap();
        assert_eq!((loc.latitude, loc.longitude), (-6.2, 106.8));
        assert!(location_of(&serde_json::json!({ "latitude": 91, "longitude": 0 })).is_none());
    }
}
