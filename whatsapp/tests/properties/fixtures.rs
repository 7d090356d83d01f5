//! Fixtures and providers: every `testdata/` file, every adapter in every edge configuration.

use super::*;

pub(crate) struct Fixture {
    pub(crate) name: String,
    pub(crate) raw: Vec<u8>,
    pub(crate) json: Value,
}

/// Every `testdata/*.json`, sorted by name (new fixtures join automatically).
pub(crate) fn fixtures() -> &'static [Fixture] {
    static FIXTURES: OnceLock<Vec<Fixture>> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
        let mut out: Vec<Fixture> = std::fs::read_dir(&dir)
            .expect("testdata/ exists")
            .map(|e| e.expect("readable dir entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .map(|p| {
                let raw = std::fs::read(&p).expect("readable fixture");
                let json = serde_json::from_slice(&raw).expect("fixtures are valid JSON");
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                Fixture { name, raw, json }
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        assert!(
            out.len() >= 20,
            "expected the 20 fixtures, found {}",
            out.len()
        );
        out
    })
}

pub(crate) fn fixture(i: &Index) -> &'static Fixture {
    let all = fixtures();
    &all[i.index(all.len())]
}

/// Every adapter, in normal and edge configurations. Secrets do not matter
/// for `parse`, but are set so the same list serves `verify`.
pub(crate) fn providers() -> &'static [Box<dyn Provider>] {
    static PROVIDERS: OnceLock<Vec<Box<dyn Provider>>> = OnceLock::new();
    PROVIDERS.get_or_init(|| {
        let client = reqwest::Client::new();
        let shared = Some(SHARED_SECRET.to_owned());
        vec![
            Box::new(MetaProvider::new(
                MetaConfig {
                    app_secret: META_SECRET.into(),
                    phone_number_id: "106540352242922".into(),
                    ..MetaConfig::default()
                },
                client.clone(),
            )),
            Box::new(MetaProvider::new(MetaConfig::default(), client.clone())),
            Box::new(WhapiProvider::new(
                WhapiConfig {
                    webhook_secret: shared.clone(),
                    ..WhapiConfig::default()
                },
                client.clone(),
            )),
            Box::new(WhapiProvider::new(
                WhapiConfig {
                    channel_id: Some("MANTIS-FALLBACK".into()),
                    ..WhapiConfig::default()
                },
                client.clone(),
            )),
            // A blank fallback must not become a blank channel key.
            Box::new(WhapiProvider::new(
                WhapiConfig {
                    channel_id: Some(" ".into()),
                    ..WhapiConfig::default()
                },
                client,
            )),
            Box::new(QontakProvider::new(QontakConfig {
                webhook_secret: shared.clone(),
            })),
            Box::new(QontakProvider::default()),
            Box::new(WahaProvider::new(WahaConfig {
                hmac_key: Some(WAHA_KEY.into()),
            })),
            Box::new(WahaProvider::default()),
            Box::new(GatewayProvider::new(GatewayConfig {
                channel_key: "gw-1".into(),
                webhook_secret: Some(GATEWAY_SECRET.into()),
            })),
            // No channel key configured: must not produce blank channel keys.
            Box::new(GatewayProvider::new(GatewayConfig::default())),
        ]
    })
}

// ---------------------------------------------------------------------------
