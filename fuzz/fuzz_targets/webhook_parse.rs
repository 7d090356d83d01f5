//! Fuzz `Provider::parse` and `Provider::verify` of every adapter.
//!
//! Input layout: the first byte picks the provider (`byte % 5`), the rest is
//! the webhook body. The whole input is additionally parsed by every provider,
//! so plain JSON files (`whatsapp/testdata/*.json`) are useful seeds as-is.
//!
//! Besides "no panic", it checks the invariants of `whatsapp/tests/properties/invariants.rs`:
//! events never carry a blank `provider_message_id` / `channel_key`, reasons
//! are never blank, a correctly signed body verifies and the same signature
//! fails once one byte of the body is flipped.

#![no_main]

use std::sync::OnceLock;

use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use whatsapp::signature::{hmac_sha256_hex, hmac_sha512_hex};
use whatsapp::{
    GatewayConfig, GatewayProvider, InboundEvent, MetaConfig, MetaProvider, Provider, ProviderKind,
    QontakConfig, QontakProvider, WahaConfig, WahaProvider, WhapiConfig, WhapiProvider,
};

const META_SECRET: &str = "fixture-app-secret";
const WAHA_KEY: &str = "waha-hmac-secret";
const GATEWAY_SECRET: &str = "gateway-webhook-secret";
const SHARED_SECRET: &str = "shared-webhook-secret";

/// Headers `verify` reads, filled with fuzz bytes.
const HEADER_NAMES: &[&str] = &[
    "x-hub-signature-256",
    "x-webhook-hmac",
    "x-webhook-hmac-algorithm",
    "x-signature",
    "x-webhook-secret",
    "x-inbox-secret",
    "authorization",
];

fn providers() -> &'static [Box<dyn Provider>] {
    static PROVIDERS: OnceLock<Vec<Box<dyn Provider>>> = OnceLock::new();
    PROVIDERS.get_or_init(|| {
        let client = reqwest::Client::new();
        let shared = Some(SHARED_SECRET.to_owned());
        vec![
            Box::new(MetaProvider::new(
                MetaConfig {
                    app_secret: META_SECRET.into(),
                    ..MetaConfig::default()
                },
                client.clone(),
            )),
            Box::new(WhapiProvider::new(
                WhapiConfig {
                    webhook_secret: shared.clone(),
                    channel_id: Some("fallback".into()),
                    ..WhapiConfig::default()
                },
                client,
            )),
            Box::new(QontakProvider::new(QontakConfig {
                webhook_secret: shared,
            })),
            Box::new(WahaProvider::new(WahaConfig {
                hmac_key: Some(WAHA_KEY.into()),
            })),
            Box::new(GatewayProvider::new(GatewayConfig {
                channel_key: "gw-1".into(),
                webhook_secret: Some(GATEWAY_SECRET.into()),
            })),
        ]
    })
}

fn check_parse(p: &dyn Provider, body: &[u8]) {
    let Ok(out) = p.parse(body) else { return };
    for ev in &out.events {
        let (channel, id) = match ev {
            InboundEvent::Message(m) => (&m.channel_key, &m.provider_message_id),
            InboundEvent::Status(s) => (&s.channel_key, &s.provider_message_id),
            InboundEvent::Echo(e) => (&e.channel_key, &e.provider_message_id),
        };
        assert!(
            !channel.trim().is_empty(),
            "{:?}: blank channel_key",
            p.kind()
        );
        assert!(!id.trim().is_empty(), "{:?}: blank id", p.kind());
    }
    assert!(out.rejected.iter().all(|r| !r.trim().is_empty()));
}

/// The header carrying a valid signature / secret for `body`.
fn signed_header(kind: ProviderKind, body: &[u8]) -> (&'static str, String) {
    match kind {
        ProviderKind::Meta => (
            "x-hub-signature-256",
            format!("sha256={}", hmac_sha256_hex(META_SECRET.as_bytes(), body)),
        ),
        ProviderKind::Waha => ("x-webhook-hmac", hmac_sha512_hex(WAHA_KEY.as_bytes(), body)),
        ProviderKind::Gateway => (
            "x-signature",
            hmac_sha256_hex(GATEWAY_SECRET.as_bytes(), body),
        ),
        _ => ("x-webhook-secret", SHARED_SECRET.to_owned()),
    }
}

fuzz_target!(|data: &[u8]| {
    let all = providers();
    for p in all {
        check_parse(p.as_ref(), data);
    }
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let p = all[usize::from(selector) % all.len()].as_ref();
    check_parse(p, body);

    // Arbitrary header values and query string: must not panic.
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_bytes(&body[..body.len().min(200)]) {
        for name in HEADER_NAMES {
            headers.insert(*name, v.clone());
        }
    }
    let _ = p.verify(&headers, std::str::from_utf8(body).ok(), body);

    // A correctly signed body verifies; for HMAC providers, flipping one byte
    // of it must not.
    let (name, value) = signed_header(p.kind(), body);
    let mut headers = HeaderMap::new();
    headers.insert(name, HeaderValue::from_str(&value).expect("hex is ASCII"));
    assert_eq!(p.verify(&headers, None, body), Ok(()), "{:?}", p.kind());
    if !body.is_empty()
        && matches!(
            p.kind(),
            ProviderKind::Meta | ProviderKind::Waha | ProviderKind::Gateway
        )
    {
        let mut flipped = body.to_vec();
        let at = usize::from(selector) * 7919 % flipped.len();
        flipped[at] ^= 0x01 | selector;
        assert!(
            p.verify(&headers, None, &flipped).is_err(),
            "{:?}",
            p.kind()
        );
    }
});
