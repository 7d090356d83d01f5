//! Webhook authentication primitives: HMAC verification over the **raw body
//! bytes** (never a re-serialisation) and constant-time shared-secret checks.
//!
//! | Provider | Header | Algorithm |
//! |---|---|---|
//! | Meta (and GOWA) | `X-Hub-Signature-256: sha256=<hex>` | HMAC-SHA256, app secret (meta-cloud.md §2.2) |
//! | WAHA | `X-Webhook-Hmac: <hex>` (+ `X-Webhook-Hmac-Algorithm: sha512`) | HMAC-SHA512 (gateways.md §1.5) |
//! | generic gateway | `X-Signature: <hex>` | HMAC-SHA256 (gateways.md §4.4) |
//! | Whapi, Qontak | none — shared secret in a custom header or `?secret=` | constant-time compare |
//!
//! All comparisons go through `hmac::Mac::verify_slice` or `subtle`, so timing
//! does not reveal how much of a signature matched.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256, Sha512};
use subtle::ConstantTimeEq;

use crate::error::VerifyError;

/// Hex-encode bytes (lower case).
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    s
}

/// Decode hex (either case). `None` on odd length or a non-hex character.
pub fn from_hex(s: &str) -> Option<Vec<u8>> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    b.chunks_exact(2)
        .map(|p| Some(nibble(p[0])? << 4 | nibble(p[1])?))
        .collect()
}

/// `hex(HMAC-SHA256(secret, body))` — what Meta, GOWA and the generic gateway send.
pub fn hmac_sha256_hex(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts any key length");
    mac.update(body);
    to_hex(&mac.finalize().into_bytes())
}

/// `hex(HMAC-SHA512(secret, body))` — what WAHA sends.
pub fn hmac_sha512_hex(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha512>::new_from_slice(secret).expect("HMAC accepts any key length");
    mac.update(body);
    to_hex(&mac.finalize().into_bytes())
}

/// Which HMAC a header carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HmacAlgorithm {
    Sha256,
    Sha512,
}

/// Constant-time check of a hex HMAC over `body`. `name` is used in errors.
pub fn verify_hmac_hex(
    alg: HmacAlgorithm,
    secret: &[u8],
    body: &[u8],
    hex_sig: &str,
    name: &'static str,
) -> Result<(), VerifyError> {
    let sig = from_hex(hex_sig.trim()).ok_or(VerifyError::Malformed(name))?;
    let ok = match alg {
        HmacAlgorithm::Sha256 => {
            let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("any key length");
            mac.update(body);
            mac.verify_slice(&sig).is_ok()
        }
        HmacAlgorithm::Sha512 => {
            let mut mac = Hmac::<Sha512>::new_from_slice(secret).expect("any key length");
            mac.update(body);
            mac.verify_slice(&sig).is_ok()
        }
    };
    if ok {
        Ok(())
    } else {
        Err(VerifyError::Mismatch(name))
    }
}

/// Verify a Meta-style `X-Hub-Signature-256` header (`sha256=<hex>`).
/// The `sha256=` prefix is required; hex case is not significant.
pub fn verify_hub_signature_256(
    headers: &http::HeaderMap,
    secret: &[u8],
    body: &[u8],
) -> Result<(), VerifyError> {
    const NAME: &str = "X-Hub-Signature-256";
    let value = header_str(headers, NAME)?.ok_or(VerifyError::Missing(NAME))?;
    let hex = value
        .trim()
        .strip_prefix("sha256=")
        .ok_or(VerifyError::Malformed(NAME))?;
    verify_hmac_hex(HmacAlgorithm::Sha256, secret, body, hex, NAME)
}

/// Header value as `&str`; a non-ASCII value counts as malformed.
pub(crate) fn header_str<'a>(
    headers: &'a http::HeaderMap,
    name: &'static str,
) -> Result<Option<&'a str>, VerifyError> {
    match headers.get(name) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .map(Some)
            .map_err(|_| VerifyError::Malformed(name)),
    }
}

/// Constant-time string equality that also hides the length (both sides are
/// hashed first).
pub fn secret_eq(expected: &str, given: &str) -> bool {
    let a = Sha256::digest(expected.as_bytes());
    let b = Sha256::digest(given.as_bytes());
    a.ct_eq(&b).into()
}

/// Value of `name` in a raw query string (`a=1&secret=x`), percent-decoded.
pub fn query_param(query: &str, name: &str) -> Option<String> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .find(|(k, _)| percent_decode(k) == name)
        .map(|(_, v)| percent_decode(v))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let decoded = (b[i] == b'%')
            .then(|| s.get(i + 1..i + 3).and_then(from_hex))
            .flatten();
        match (b[i], decoded) {
            (_, Some(v)) => {
                out.push(v[0]);
                i += 3;
            }
            (b'+', None) => {
                out.push(b' ');
                i += 1;
            }
            (c, None) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Shared-secret check for providers without signatures (Whapi, Qontak).
///
/// Accepted carriers, first present wins: header `X-Webhook-Secret`, header
/// `X-Inbox-Secret` (the name used in whapi.md §4.1), `Authorization: Bearer
/// <secret>`, query parameter `secret=`.
pub fn verify_shared_secret(
    expected: &str,
    headers: &http::HeaderMap,
    query: Option<&str>,
) -> Result<(), VerifyError> {
    const NAME: &str = "webhook secret";
    let given = if let Some(v) = header_str(headers, "x-webhook-secret")? {
        Some(v.trim().to_owned())
    } else if let Some(v) = header_str(headers, "x-inbox-secret")? {
        Some(v.trim().to_owned())
    } else if let Some(v) = header_str(headers, "authorization")? {
        let token = v
            .trim()
            .strip_prefix("Bearer ")
            .or_else(|| v.trim().strip_prefix("bearer "))
            .ok_or(VerifyError::Malformed("Authorization header"))?;
        Some(token.trim().to_owned())
    } else {
        query.and_then(|q| query_param(q, "secret"))
    };
    let given = given.ok_or(VerifyError::Missing(NAME))?;
    if secret_eq(expected, &given) {
        Ok(())
    } else {
        Err(VerifyError::Mismatch(NAME))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        assert_eq!(to_hex(&[0, 15, 255]), "000fff");
        assert_eq!(from_hex("000fFF"), Some(vec![0, 15, 255]));
        assert_eq!(from_hex("abc"), None);
        assert_eq!(from_hex("zz"), None);
    }

    #[test]
    fn waha_official_vector() {
        // gateways.md §1.5
        let body = br#"{"event":"message","session":"default","engine":"WEBJS"}"#;
        let sig = "208f8a55dde9e05519e898b10b89bf0d0b3b0fdf11fdbf09b6b90476301b98d8097c462b2b17a6ce93b6b47a136cf2e78a33a63f6752c2c1631777076153fa89";
        assert_eq!(hmac_sha512_hex(b"my-secret-key", body), sig);
        assert!(verify_hmac_hex(HmacAlgorithm::Sha512, b"my-secret-key", body, sig, "x").is_ok());
        assert!(verify_hmac_hex(HmacAlgorithm::Sha512, b"other", body, sig, "x").is_err());
    }

    #[test]
    fn gowa_vector_uses_hub_signature_format() {
        // gateways.md §2.4
        let body = br#"{"event":"message","device_id":"6281234500000@s.whatsapp.net","payload":{"id":"3EB0C127D7BACC83D6A1","chat_id":"6281298765432@s.whatsapp.net","from":"6281298765432@s.whatsapp.net","from_name":"Rina Wulandari","timestamp":"2025-10-09T08:53:20Z","is_from_me":false,"body":"Halo, pesanan saya sudah sampai?"}}"#;
        let mut h = http::HeaderMap::new();
        h.insert(
            "x-hub-signature-256",
            "sha256=72b2a4cad40fbef585f3041bb8d3e1dc4b09d6803565656b4ce8f578b1cde879"
                .parse()
                .unwrap(),
        );
        assert!(verify_hub_signature_256(&h, b"secret", body).is_ok());
        assert_eq!(
            verify_hub_signature_256(&h, b"gowa-webhook-secret", body),
            Err(VerifyError::Mismatch("X-Hub-Signature-256"))
        );
    }

    #[test]
    fn query_params_are_decoded() {
        assert_eq!(
            query_param("a=1&secret=s%2F3+x", "secret").as_deref(),
            Some("s/3 x")
        );
        assert_eq!(query_param("?secret=abc", "secret").as_deref(), Some("abc"));
        assert_eq!(query_param("secretx=1", "secret"), None);
        assert_eq!(
            query_param("secret=%zz%4", "secret").as_deref(),
            Some("%zz%4")
        );
    }

    #[test]
    fn secret_eq_is_exact() {
        assert!(secret_eq("abc", "abc"));
        assert!(!secret_eq("abc", "abcd"));
        assert!(!secret_eq("abc", "ABC"));
    }
}
