//! Shared-secret webhook checks for providers without signatures (Whapi,
//! Qontak) and `Debug` redaction of every config's secrets.

use std::path::Path;

use http::HeaderMap;
use whatsapp::{
    GatewayConfig, MetaConfig, MetaProvider, Provider, QontakConfig, QontakProvider, VerifyError,
    WahaConfig, WhapiConfig, WhapiProvider,
};

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

fn whapi(secret: Option<&str>) -> WhapiProvider {
    WhapiProvider::new(
        WhapiConfig {
            webhook_secret: secret.map(str::to_owned),
            ..WhapiConfig::default()
        },
        reqwest::Client::new(),
    )
}

#[test]
fn whapi_shared_secret() {
    let body = read("whapi_text.json");
    let p = whapi(Some("s3cr3t/+x"));
    assert_eq!(
        p.verify(&headers(&[("X-Webhook-Secret", "s3cr3t/+x")]), None, &body),
        Ok(())
    );
    assert_eq!(
        p.verify(&headers(&[("X-Inbox-Secret", "s3cr3t/+x")]), None, &body),
        Ok(())
    );
    assert_eq!(
        p.verify(
            &headers(&[("Authorization", "Bearer s3cr3t/+x")]),
            None,
            &body
        ),
        Ok(())
    );
    assert_eq!(
        p.verify(&HeaderMap::new(), Some("a=1&secret=s3cr3t%2F%2Bx"), &body),
        Ok(())
    );

    assert_eq!(
        p.verify(&HeaderMap::new(), None, &body),
        Err(VerifyError::Missing("webhook secret"))
    );
    assert_eq!(
        p.verify(&HeaderMap::new(), Some("token=s3cr3t"), &body),
        Err(VerifyError::Missing("webhook secret"))
    );
    assert_eq!(
        p.verify(&headers(&[("X-Webhook-Secret", "s3cr3t")]), None, &body),
        Err(VerifyError::Mismatch("webhook secret"))
    );
    assert_eq!(
        p.verify(&HeaderMap::new(), Some("secret=S3CR3T%2F%2Bx"), &body),
        Err(VerifyError::Mismatch("webhook secret"))
    );
    assert!(matches!(
        p.verify(&headers(&[("Authorization", "Basic abc")]), None, &body),
        Err(VerifyError::Malformed(_))
    ));
    // Not configured: accept.
    assert_eq!(whapi(None).verify(&HeaderMap::new(), None, &body), Ok(()));
}

#[test]
fn qontak_shared_secret() {
    let body = read("qontak_message_from_customer.json");
    let p = QontakProvider::new(QontakConfig {
        webhook_secret: Some("q-secret".into()),
    });
    assert_eq!(
        p.verify(&HeaderMap::new(), Some("secret=q-secret"), &body),
        Ok(())
    );
    assert!(p
        .verify(&HeaderMap::new(), Some("secret=x"), &body)
        .is_err());
    assert!(p.verify(&HeaderMap::new(), None, &body).is_err());
    assert_eq!(
        QontakProvider::default().verify(&HeaderMap::new(), None, &body),
        Ok(())
    );
}

#[test]
fn debug_output_redacts_secrets() {
    let cfg = MetaConfig {
        access_token: "EAAG-token-value".into(),
        app_secret: "app-secret-value".into(),
        verify_token: "verify-token-value".into(),
        phone_number_id: "106540352242922".into(),
        ..MetaConfig::default()
    };
    let s = format!("{:?}", MetaProvider::new(cfg, reqwest::Client::new()));
    for secret in ["EAAG-token-value", "app-secret-value", "verify-token-value"] {
        assert!(!s.contains(secret), "{s}");
    }
    assert!(s.contains("106540352242922"));

    let s = format!(
        "{:?}",
        WhapiConfig {
            token: "whapi-token".into(),
            webhook_secret: Some("hook".into()),
            ..WhapiConfig::default()
        }
    );
    assert!(!s.contains("whapi-token") && !s.contains("hook\""), "{s}");
    let s = format!(
        "{:?}",
        WahaConfig {
            hmac_key: Some("waha-key".into())
        }
    );
    assert!(!s.contains("waha-key"), "{s}");
    let s = format!(
        "{:?}",
        GatewayConfig {
            channel_key: "gw".into(),
            webhook_secret: Some("gw-secret".into())
        }
    );
    assert!(!s.contains("gw-secret"), "{s}");
    let s = format!(
        "{:?}",
        QontakConfig {
            webhook_secret: Some("q-secret".into())
        }
    );
    assert!(!s.contains("q-secret"), "{s}");
}
