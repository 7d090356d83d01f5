//! Webhook verification against the vectors in `testdata/README.md`, plus the
//! negative cases: flipped byte, missing header, wrong secret, missing
//! `sha256=` prefix, re-serialised body. (Shared-secret checks: `secrets.rs`.)

use std::path::Path;

use http::HeaderMap;
use whatsapp::{
    GatewayConfig, GatewayProvider, MetaConfig, MetaProvider, Provider, VerifyError, WahaConfig,
    WahaProvider,
};

const META_SECRET: &str = "fixture-app-secret";

/// (file, hex signature) — testdata/README.md "Signature test vectors".
const META_VECTORS: &[(&str, &str)] = &[
    (
        "meta_text.json",
        "dd97068c54a1fd06677917f7fcedf9c0cdedc750874435bd5595e599df770aee",
    ),
    (
        "meta_image.json",
        "201ab5c5895f65fc8d36a6f8283e169e25a4ef5319479157939d3422f7a922be",
    ),
    (
        "meta_audio_voice.json",
        "051b1b1f5175044328ae2b96073ef98f4850d74b7a7e4b0a12d4e14ad93127dd",
    ),
    (
        "meta_location.json",
        "3d4b3a34dc30835296f3a98f3f42937dfea94f02af4c9d9997e699cfba735bcb",
    ),
    (
        "meta_contacts.json",
        "8421dc100ea33a5dfc61116125a841e7cbb4b31c4b7884a195c6c9973ffb89c0",
    ),
    (
        "meta_interactive_button_reply.json",
        "3c475b9716dae79ff8b635fb702f4dc7b93b14a8acc57538e13fde0c28de0c12",
    ),
    (
        "meta_interactive_list_reply.json",
        "76a5b57f642acec678486950370b99a0c48207102b9bdd08056898604e4c9917",
    ),
    (
        "meta_button_quick_reply.json",
        "5452a8b948a112e58c97697cdb8b66e71da669655a8aef7804f91bb0abf7f78e",
    ),
    (
        "meta_reaction.json",
        "59d49a5025fc15a1bae784a52b43eb2ed69d35bc50b5b06bd7328ab9a7770d82",
    ),
    (
        "meta_unsupported.json",
        "d3b85bfe0d33a89a8c5144688d8495566726a6878c94fd39b177d9247f0c4e8d",
    ),
    (
        "meta_status_read.json",
        "fc69a615ab806ae32349f5647a3fc70f8228c0776b9ebc4b984f72235521ce2c",
    ),
    (
        "meta_status_failed_131047.json",
        "920386b9d1c7acd53c3f728a4c33f935eba40c0fa92b7b49f3ab7a74720e68e2",
    ),
    (
        "meta_multi_entry_batch.json",
        "0b16376465a598c603ea28a86d2976b6fc977cd31817073e4b176d9746870e2a",
    ),
    (
        "meta_text_username_no_phone.json",
        "46c2407f495a58322a823012ade723556d257a762cbdec58c9989110c9931e6e",
    ),
];

const WAHA_SIG: &str = "35314e21138b1b3ff583f13a52903ed4140860c8f77ab0bb94d012f55fff07a69dcf86d933dd91741366c3e5362c04f966b83818586cf885a0a7017dfed23bc4";
const GATEWAY_SIG: &str = "c747bd550cb0c4ef0f0b73d815915e29e0be0d9a8072108356af01e9be735beb";

fn read(file: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata")
            .join(file),
    )
    .unwrap()
}

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.insert(*k, v.parse().unwrap());
    }
    h
}

fn meta(secret: &str) -> MetaProvider {
    MetaProvider::new(
        MetaConfig {
            app_secret: secret.into(),
            verify_token: "vibecoding".into(),
            ..MetaConfig::default()
        },
        reqwest::Client::new(),
    )
}

fn meta_header(hex: &str) -> HeaderMap {
    headers(&[("X-Hub-Signature-256", &format!("sha256={hex}"))])
}

#[test]
fn meta_vectors_verify() {
    let p = meta(META_SECRET);
    for (file, sig) in META_VECTORS {
        let body = read(file);
        assert_eq!(p.verify(&meta_header(sig), None, &body), Ok(()), "{file}");
        // Upper-case hex is the same signature.
        let upper = meta_header(&sig.to_uppercase());
        assert_eq!(p.verify(&upper, None, &body), Ok(()), "{file} upper-case");
        assert_eq!(
            whatsapp::signature::hmac_sha256_hex(META_SECRET.as_bytes(), &body),
            *sig
        );
    }
}

#[test]
fn meta_rejects_one_flipped_byte_in_every_vector() {
    let p = meta(META_SECRET);
    for (file, sig) in META_VECTORS {
        let mut body = read(file);
        let mid = body.len() / 2;
        body[mid] ^= 0x01;
        assert_eq!(
            p.verify(&meta_header(sig), None, &body),
            Err(VerifyError::Mismatch("X-Hub-Signature-256")),
            "{file}"
        );
    }
}

#[test]
fn meta_rejects_flipped_signature_missing_header_wrong_secret_and_prefix() {
    let body = read("meta_text.json");
    let (_, sig) = META_VECTORS[0];
    let p = meta(META_SECRET);

    let mut flipped = sig.to_owned().into_bytes();
    flipped[0] = if flipped[0] == b'd' { b'e' } else { b'd' };
    let flipped = String::from_utf8(flipped).unwrap();
    assert!(matches!(
        p.verify(&meta_header(&flipped), None, &body),
        Err(VerifyError::Mismatch(_))
    ));

    assert_eq!(
        p.verify(&HeaderMap::new(), None, &body),
        Err(VerifyError::Missing("X-Hub-Signature-256"))
    );
    // The legacy SHA-1 header alone is not enough.
    let sha1_only = headers(&[("X-Hub-Signature", &format!("sha1={}", &sig[..40]))]);
    assert!(matches!(
        p.verify(&sha1_only, None, &body),
        Err(VerifyError::Missing(_))
    ));

    assert!(matches!(
        meta("another-apps-secret").verify(&meta_header(sig), None, &body),
        Err(VerifyError::Mismatch(_))
    ));

    let no_prefix = headers(&[("X-Hub-Signature-256", sig)]);
    assert_eq!(
        p.verify(&no_prefix, None, &body),
        Err(VerifyError::Malformed("X-Hub-Signature-256"))
    );
    let bad_hex = headers(&[("X-Hub-Signature-256", "sha256=zz")]);
    assert!(matches!(
        p.verify(&bad_hex, None, &body),
        Err(VerifyError::Malformed(_))
    ));
    let truncated = meta_header(&sig[..62]);
    assert!(matches!(
        p.verify(&truncated, None, &body),
        Err(VerifyError::Mismatch(_))
    ));

    // No app secret configured: refuse instead of accepting unsigned data.
    assert!(matches!(
        meta("").verify(&meta_header(sig), None, &body),
        Err(VerifyError::NotConfigured(_))
    ));
}

#[test]
fn meta_reserialised_reaction_body_fails() {
    let raw = read("meta_reaction.json");
    let (_, sig) = META_VECTORS
        .iter()
        .find(|(f, _)| *f == "meta_reaction.json")
        .unwrap();
    let p = meta(META_SECRET);
    assert_eq!(p.verify(&meta_header(sig), None, &raw), Ok(()));
    let value: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    for reser in [
        serde_json::to_vec(&value).unwrap(),
        serde_json::to_vec_pretty(&value).unwrap(),
        [serde_json::to_vec_pretty(&value).unwrap(), b"\n".to_vec()].concat(),
    ] {
        assert_ne!(reser, raw);
        assert!(matches!(
            p.verify(&meta_header(sig), None, &reser),
            Err(VerifyError::Mismatch(_))
        ));
    }
}

#[test]
fn meta_subscription_handshake() {
    let p = meta(META_SECRET);
    assert_eq!(
        p.verify_subscription("subscribe", "vibecoding", "1158201444")
            .as_deref(),
        Some("1158201444")
    );
    assert_eq!(
        p.verify_subscription("subscribe", "wrong", "1158201444"),
        None
    );
    assert_eq!(
        p.verify_subscription("unsubscribe", "vibecoding", "1"),
        None
    );
    assert_eq!(p.verify_subscription("subscribe", "", "1"), None);
    let no_token = MetaProvider::new(MetaConfig::default(), reqwest::Client::new());
    assert_eq!(no_token.verify_subscription("subscribe", "", "1"), None);
}

#[test]
fn waha_vector() {
    let body = read("waha_message.json");
    let p = WahaProvider::new(WahaConfig {
        hmac_key: Some("waha-hmac-secret".into()),
    });
    let good = headers(&[
        ("X-Webhook-Hmac", WAHA_SIG),
        ("X-Webhook-Hmac-Algorithm", "sha512"),
    ]);
    assert_eq!(p.verify(&good, None, &body), Ok(()));
    assert_eq!(
        p.verify(&headers(&[("X-Webhook-Hmac", WAHA_SIG)]), None, &body),
        Ok(())
    );

    let mut flipped = body.clone();
    flipped[10] ^= 0x20;
    assert!(matches!(
        p.verify(&good, None, &flipped),
        Err(VerifyError::Mismatch(_))
    ));
    assert_eq!(
        p.verify(&HeaderMap::new(), None, &body),
        Err(VerifyError::Missing("X-Webhook-Hmac"))
    );
    let wrong_alg = headers(&[
        ("X-Webhook-Hmac", WAHA_SIG),
        ("X-Webhook-Hmac-Algorithm", "sha256"),
    ]);
    assert!(matches!(
        p.verify(&wrong_alg, None, &body),
        Err(VerifyError::Malformed(_))
    ));
    let other = WahaProvider::new(WahaConfig {
        hmac_key: Some("other".into()),
    });
    assert!(matches!(
        other.verify(&good, None, &body),
        Err(VerifyError::Mismatch(_))
    ));
    // No key configured: WAHA signing is optional, accept.
    assert_eq!(
        WahaProvider::default().verify(&HeaderMap::new(), None, &body),
        Ok(())
    );
}

#[test]
fn gateway_vector() {
    let body = read("gateway_message_in.json");
    let p = GatewayProvider::new(GatewayConfig {
        channel_key: "gw-1".into(),
        webhook_secret: Some("gateway-webhook-secret".into()),
    });
    assert_eq!(
        p.verify(&headers(&[("X-Signature", GATEWAY_SIG)]), None, &body),
        Ok(())
    );
    let mut flipped = body.clone();
    let last = flipped.len() - 3;
    flipped[last] ^= 0x01;
    assert!(matches!(
        p.verify(&headers(&[("X-Signature", GATEWAY_SIG)]), None, &flipped),
        Err(VerifyError::Mismatch(_))
    ));
    assert_eq!(
        p.verify(&HeaderMap::new(), None, &body),
        Err(VerifyError::Missing("X-Signature"))
    );
    let other = GatewayProvider::new(GatewayConfig {
        channel_key: "gw-1".into(),
        webhook_secret: Some("nope".into()),
    });
    assert!(matches!(
        other.verify(&headers(&[("X-Signature", GATEWAY_SIG)]), None, &body),
        Err(VerifyError::Mismatch(_))
    ));
}
