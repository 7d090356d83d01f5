//! Properties of `verify`.

use super::*;

// Properties: verify
// ---------------------------------------------------------------------------

pub(crate) const HEADER_NAMES: &[&str] = &[
    "x-hub-signature-256",
    "x-webhook-hmac",
    "x-webhook-hmac-algorithm",
    "x-signature",
    "x-webhook-secret",
    "x-inbox-secret",
    "authorization",
    "content-type",
];

pub(crate) const HEADER_STRINGS: &[&str] = &["sha512", "SHA512", "sha256", SHARED_SECRET, "", " "];

pub(crate) fn arb_header_value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        vec(any::<u8>(), 0..80),
        "sha256=[0-9a-fA-F]{0,66}".prop_map(String::into_bytes),
        "[0-9a-f]{62,130}".prop_map(String::into_bytes),
        "(Bearer |bearer )?\\PC{0,24}".prop_map(String::into_bytes),
        select(HEADER_STRINGS).prop_map(|s| s.as_bytes().to_vec()),
    ]
}

pub(crate) fn arb_headers() -> impl Strategy<Value = HeaderMap> {
    let name = prop_oneof![
        4 => select(HEADER_NAMES).prop_map(str::to_owned),
        1 => "[a-z0-9-]{1,16}",
    ];
    vec((name, arb_header_value()), 0..6).prop_map(|pairs| {
        let mut h = HeaderMap::new();
        for (n, v) in pairs {
            // Skip what `http` itself refuses; a server never hands us those.
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(n.as_bytes()),
                HeaderValue::from_bytes(&v),
            ) {
                h.append(n, v);
            }
        }
        h
    })
}

pub(crate) fn arb_query() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        "\\PC{0,40}".prop_map(Some),
        "(a=1&)?secret=[%+A-Za-z0-9-]{0,30}(&b=2)?".prop_map(Some),
    ]
}

/// A signed-body case: the provider, the header it reads, and how to sign.
pub(crate) struct Signed {
    provider: Box<dyn Provider>,
    header: &'static str,
    sign: fn(&[u8]) -> String,
    files: &'static str,
}

pub(crate) fn signed_providers() -> &'static [Signed] {
    static SIGNED: OnceLock<Vec<Signed>> = OnceLock::new();
    SIGNED.get_or_init(|| {
        vec![
            Signed {
                provider: Box::new(MetaProvider::new(
                    MetaConfig {
                        app_secret: META_SECRET.into(),
                        ..MetaConfig::default()
                    },
                    reqwest::Client::new(),
                )),
                header: "x-hub-signature-256",
                sign: |b| format!("sha256={}", hmac_sha256_hex(META_SECRET.as_bytes(), b)),
                files: "meta_",
            },
            Signed {
                provider: Box::new(WahaProvider::new(WahaConfig {
                    hmac_key: Some(WAHA_KEY.into()),
                })),
                header: "x-webhook-hmac",
                sign: |b| hmac_sha512_hex(WAHA_KEY.as_bytes(), b),
                files: "waha_",
            },
            Signed {
                provider: Box::new(GatewayProvider::new(GatewayConfig {
                    channel_key: "gw-1".into(),
                    webhook_secret: Some(GATEWAY_SECRET.into()),
                })),
                header: "x-signature",
                sign: |b| hmac_sha256_hex(GATEWAY_SECRET.as_bytes(), b),
                files: "gateway_",
            },
        ]
    })
}

pub(crate) fn signed_headers(s: &Signed, body: &[u8]) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(s.header, (s.sign)(body).parse().unwrap());
    h
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn verify_never_panics(
        headers in arb_headers(),
        query in arb_query(),
        body in prop_oneof![
            vec(any::<u8>(), 0..256),
            any::<Index>().prop_map(|i| fixture(&i).raw.clone()),
        ],
    ) {
        for p in providers() {
            if let Err(e) = p.verify(&headers, query.as_deref(), &body) {
                let text = e.to_string();
                prop_assert!(!blank(&text));
                for secret in [META_SECRET, WAHA_KEY, GATEWAY_SECRET, SHARED_SECRET] {
                    prop_assert!(!text.contains(secret), "{:?} leaks a secret: {}", p, text);
                }
            }
        }
    }

    /// Meta (`X-Hub-Signature-256`, secret "fixture-app-secret"), and likewise
    /// WAHA and the gateway: the fixture verifies with its own signature, and
    /// flipping any one byte makes that signature a mismatch.
    #[test]
    fn flipped_byte_never_verifies(f in any::<Index>(), at in any::<Index>(), mask in 1..=255u8) {
        for s in signed_providers() {
            let files: Vec<&Fixture> =
                fixtures().iter().filter(|x| x.name.starts_with(s.files)).collect();
            prop_assert!(!files.is_empty());
            let raw = &files[f.index(files.len())].raw;
            let headers = signed_headers(s, raw);
            prop_assert_eq!(s.provider.verify(&headers, None, raw), Ok(()));

            let mut flipped = raw.clone();
            flipped[at.index(raw.len())] ^= mask;
            let res = s.provider.verify(&headers, None, &flipped);
            prop_assert!(
                matches!(res, Err(VerifyError::Mismatch(_))),
                "{:?} accepted a flipped body: {:?}",
                s.provider.kind(),
                res
            );
            // Truncating is no better than flipping.
            let cut = &raw[..at.index(raw.len())];
            prop_assert!(s.provider.verify(&headers, None, cut).is_err());
        }
    }
}

// ---------------------------------------------------------------------------
