//! How each provider authenticates its webhook calls: Meta signs the body with the app secret
//! (`X-Hub-Signature-256: sha256=<hex HMAC-SHA256>`), Whapi sends a shared secret in
//! `X-Webhook-Secret` when one is configured. Also the requests themselves, posted where the
//! server listens for each provider.

use hmac::Mac;

/// Where the server takes Meta's webhooks.
pub const META_WEBHOOK_PATH: &str = "/api/webhooks/whatsapp";
/// Where the server takes Whapi's webhooks.
pub const WHAPI_WEBHOOK_PATH: &str = "/webhook/whapi";

/// `sha256=<hex HMAC-SHA256 of body under secret>`, as Meta puts in `X-Hub-Signature-256`.
pub fn meta_signature(secret: &str, body: &[u8]) -> String {
    let mut mac =
        hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// A Meta webhook call to the server at `base`: `body` as JSON, signed with `secret`.
pub fn meta_request(
    client: &reqwest::Client,
    base: &str,
    secret: &str,
    body: Vec<u8>,
) -> reqwest::RequestBuilder {
    let signature = meta_signature(secret, &body);
    client
        .post(format!("{base}{META_WEBHOOK_PATH}"))
        .header("content-type", "application/json")
        .header("x-hub-signature-256", signature)
        .body(body)
}

/// A Whapi webhook call to the server at `base`: `body` as JSON, with `X-Webhook-Secret` when
/// `secret` is given.
pub fn whapi_request(
    client: &reqwest::Client,
    base: &str,
    secret: Option<&str>,
    body: Vec<u8>,
) -> reqwest::RequestBuilder {
    let request = client
        .post(format!("{base}{WHAPI_WEBHOOK_PATH}"))
        .header("content-type", "application/json");
    match secret {
        Some(secret) => request.header("x-webhook-secret", secret),
        None => request,
    }
    .body(body)
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc_4231_case_2() {
        // HMAC-SHA256 with key "Jefe" over "what do ya want for nothing?".
        assert_eq!(
            super::meta_signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
