//! Table-driven test over every webhook fixture in `testdata/`: counts of
//! messages / statuses / echoes / rejected parts and the key fields of each
//! event, with values copied from the fixture files. The table itself is in
//! `common/fixture_cases.rs`.

#[path = "common/fixture_cases.rs"]
mod cases;
use cases::cases;

use std::path::Path;

use chrono::{DateTime, Utc};
use whatsapp::{
    DeliveryState, GatewayConfig, GatewayProvider, MessageKind, MetaConfig, MetaProvider,
    ParseOutcome, Provider, ProviderKind, QontakProvider, WahaProvider, WhapiConfig, WhapiProvider,
};

const META_CH: &str = "106540352242922";
const WHAPI_CH: &str = "MANTIS-M72HC";
const RINA: &str = "6281298765432";
const BUDI: &str = "6285712345678";

fn ts(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap()
}

#[derive(Debug, Default)]
struct Msg {
    id: &'static str,
    channel: &'static str,
    from_phone: Option<&'static str>,
    from_user_id: Option<&'static str>,
    from_name: Option<&'static str>,
    sent_at: i64,
    kind: Option<MessageKind>,
    text: Option<&'static str>,
    media_id: Option<&'static str>,
    mime: Option<&'static str>,
    reply_to: Option<&'static str>,
    /// The tapped button's or row's id.
    choice: Option<&'static str>,
}

#[derive(Debug)]
struct Status {
    id: &'static str,
    channel: &'static str,
    state: DeliveryState,
    at: i64,
    error_code: Option<&'static str>,
    recipient: Option<&'static str>,
}

#[derive(Debug)]
struct Echo {
    id: &'static str,
    channel: &'static str,
    to_phone: Option<&'static str>,
    text: Option<&'static str>,
    sent_at: i64,
}

struct Case {
    file: &'static str,
    provider: ProviderKind,
    messages: Vec<Msg>,
    statuses: Vec<Status>,
    echoes: Vec<Echo>,
    rejected: usize,
}

fn provider(kind: ProviderKind) -> Box<dyn Provider> {
    let client = reqwest::Client::new();
    match kind {
        ProviderKind::Meta => Box::new(MetaProvider::new(MetaConfig::default(), client)),
        ProviderKind::Whapi => Box::new(WhapiProvider::new(WhapiConfig::default(), client)),
        ProviderKind::Qontak => Box::new(QontakProvider::default()),
        ProviderKind::Waha => Box::new(WahaProvider::default()),
        ProviderKind::Gateway => Box::new(GatewayProvider::new(GatewayConfig {
            channel_key: "gw-1".into(),
            webhook_secret: None,
        })),
        ProviderKind::Sandbox => unreachable!("no sandbox fixtures"),
    }
}

/// A Meta customer message on the main test number.
fn meta_msg(
    id: &'static str,
    phone: &'static str,
    name: &'static str,
    t: i64,
    kind: MessageKind,
) -> Msg {
    Msg {
        id,
        channel: META_CH,
        from_phone: Some(phone),
        from_name: Some(name),
        sent_at: t,
        kind: Some(kind),
        ..Msg::default()
    }
}

fn meta(file: &'static str, messages: Vec<Msg>) -> Case {
    Case {
        file,
        provider: ProviderKind::Meta,
        messages,
        statuses: vec![],
        echoes: vec![],
        rejected: 0,
    }
}

fn read(file: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn check(case: &Case, out: &ParseOutcome) {
    let f = case.file;
    assert_eq!(
        out.rejected.len(),
        case.rejected,
        "{f}: rejected = {:?}",
        out.rejected
    );
    let msgs: Vec<_> = out.messages().collect();
    let stats: Vec<_> = out.statuses().collect();
    let echoes: Vec<_> = out.echoes().collect();
    assert_eq!(msgs.len(), case.messages.len(), "{f}: message count");
    assert_eq!(stats.len(), case.statuses.len(), "{f}: status count");
    assert_eq!(echoes.len(), case.echoes.len(), "{f}: echo count");

    for (got, want) in msgs.iter().zip(&case.messages) {
        let ctx = format!("{f} / {}", want.id);
        assert_eq!(got.provider_message_id, want.id, "{ctx}");
        assert_eq!(got.channel_key, want.channel, "{ctx}");
        assert_eq!(
            got.from_phone.as_deref(),
            want.from_phone.filter(|p| !p.is_empty()),
            "{ctx}"
        );
        assert_eq!(got.from_user_id.as_deref(), want.from_user_id, "{ctx}");
        assert_eq!(got.from_name.as_deref(), want.from_name, "{ctx}");
        assert_eq!(got.sent_at, ts(want.sent_at), "{ctx}");
        assert_eq!(Some(got.kind), want.kind, "{ctx}");
        assert_eq!(got.text.as_deref(), want.text, "{ctx}");
        assert_eq!(got.reply_to.as_deref(), want.reply_to, "{ctx}");
        assert_eq!(got.choice.as_deref(), want.choice, "{ctx}");
        assert_eq!(
            got.media
                .as_ref()
                .and_then(|m| m.id.as_deref().or(m.url.as_deref())),
            want.media_id,
            "{ctx}"
        );
        assert_eq!(
            got.media.as_ref().and_then(|m| m.mime_type.as_deref()),
            want.mime,
            "{ctx}"
        );
        assert!(
            got.raw.is_object(),
            "{ctx}: raw must keep the provider object"
        );
    }
    for (got, want) in stats.iter().zip(&case.statuses) {
        let ctx = format!("{f} / status {} {:?}", want.id, want.state);
        assert_eq!(got.provider_message_id, want.id, "{ctx}");
        assert_eq!(got.channel_key, want.channel, "{ctx}");
        assert_eq!(got.state, want.state, "{ctx}");
        assert_eq!(got.at, ts(want.at), "{ctx}");
        assert_eq!(
            got.error.as_ref().and_then(|e| e.code.as_deref()),
            want.error_code,
            "{ctx}"
        );
        assert_eq!(got.recipient.as_deref(), want.recipient, "{ctx}");
    }
    for (got, want) in echoes.iter().zip(&case.echoes) {
        let ctx = format!("{f} / echo {}", want.id);
        assert_eq!(got.provider_message_id, want.id, "{ctx}");
        assert_eq!(got.channel_key, want.channel, "{ctx}");
        assert_eq!(got.to_phone.as_deref(), want.to_phone, "{ctx}");
        assert_eq!(got.text.as_deref(), want.text, "{ctx}");
        assert_eq!(got.sent_at, ts(want.sent_at), "{ctx}");
    }
}

#[test]
fn every_fixture_parses_to_the_expected_events() {
    for case in cases() {
        let p = provider(case.provider);
        assert_eq!(p.kind(), case.provider);
        let out = p
            .parse(&read(case.file))
            .unwrap_or_else(|e| panic!("{}: {e}", case.file));
        check(&case, &out);
    }
}

#[test]
fn table_covers_every_fixture_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".json"))
        .collect();
    on_disk.sort();
    let mut in_table: Vec<String> = cases().iter().map(|c| c.file.to_owned()).collect();
    in_table.sort();
    assert_eq!(on_disk, in_table);
    assert_eq!(on_disk.len(), 20);
}

#[test]
fn meta_details_beyond_the_table() {
    let p = provider(ProviderKind::Meta);
    let out = p.parse(&read("meta_image.json")).unwrap();
    let m = out.messages().next().unwrap();
    let media = m.media.as_ref().unwrap();
    assert_eq!(
        media.sha256.as_deref(),
        Some("SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=")
    );

    let out = p.parse(&read("meta_multi_entry_batch.json")).unwrap();
    let doc = out.messages().next().unwrap();
    assert_eq!(
        doc.media.as_ref().unwrap().filename.as_deref(),
        Some("bukti-transfer.pdf")
    );

    let out = p.parse(&read("meta_status_failed_131047.json")).unwrap();
    let err = out.statuses().next().unwrap().error.clone().unwrap();
    assert_eq!(err.title.as_deref(), Some("Re-engagement message"));
    assert_eq!(
        err.detail.as_deref(),
        Some(
            "More than 24 hours have passed since the recipient last replied to the sender number."
        )
    );

    // Unknown/unsupported content is kept raw, never dropped.
    let out = p.parse(&read("meta_unsupported.json")).unwrap();
    let m = out.messages().next().unwrap();
    assert_eq!(m.raw["unsupported"]["type"], "poll_update");
    assert_eq!(m.raw["errors"][0]["code"], 131051);
}

#[test]
fn events_serialise_round_trip() {
    let p = provider(ProviderKind::Meta);
    let out = p.parse(&read("meta_multi_entry_batch.json")).unwrap();
    let json = serde_json::to_string(&out).unwrap();
    let back: ParseOutcome = serde_json::from_str(&json).unwrap();
    assert_eq!(back, out);
    assert!(json.contains("\"kind\":\"document\""));
    assert!(json.contains("\"state\":\"delivered\""));
}
