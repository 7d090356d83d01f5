//! Property tests: whatever arrives at a webhook, `parse` and `verify` never
//! panic, and every `Ok` outcome is well-formed:
//!
//! - every event has a non-blank `provider_message_id` and `channel_key`
//!   (they are the exactly-once dedupe key downstream);
//! - every item of the body is accounted for: it became exactly one event or
//!   one `rejected` reason (nothing is dropped silently), and every reason is
//!   non-blank;
//! - `parse` is deterministic.
//!
//! Inputs: arbitrary bytes, arbitrary JSON (keys biased towards the
//! providers' field names), and mutations of every fixture in `testdata/`
//! (delete keys, replace values, duplicate array elements, truncate, flip a
//! byte). Each property runs against every adapter, including the edge
//! configurations (no Whapi fallback channel, empty fallback channel, no
//! gateway channel key).
//!
//! Case counts are kept modest for the normal suite; set `PROPTEST_CASES=N`
//! for a longer run. For open-ended fuzzing see `fuzz/README.md` at the
//! workspace root.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use http::{HeaderMap, HeaderName, HeaderValue};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::test_runner::TestCaseError;
use serde_json::{Number, Value};
use whatsapp::signature::{hmac_sha256_hex, hmac_sha512_hex};
use whatsapp::{
    GatewayConfig, GatewayProvider, InboundEvent, MetaConfig, MetaProvider, ParseOutcome, Provider,
    ProviderKind, QontakConfig, QontakProvider, VerifyError, WahaConfig, WahaProvider, WhapiConfig,
    WhapiProvider,
};

const META_SECRET: &str = "fixture-app-secret";
const WAHA_KEY: &str = "waha-hmac-secret";
const GATEWAY_SECRET: &str = "gateway-webhook-secret";
const SHARED_SECRET: &str = "shared-webhook-secret";

/// `cases` per property unless `PROPTEST_CASES` asks for more (or fewer).
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------
// Fixtures and providers
// ---------------------------------------------------------------------------

struct Fixture {
    name: String,
    raw: Vec<u8>,
    json: Value,
}

/// Every `testdata/*.json`, sorted by name (new fixtures join automatically).
fn fixtures() -> &'static [Fixture] {
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

fn fixture(i: &Index) -> &'static Fixture {
    let all = fixtures();
    &all[i.index(all.len())]
}

/// Every adapter, in normal and edge configurations. Secrets do not matter
/// for `parse`, but are set so the same list serves `verify`.
fn providers() -> &'static [Box<dyn Provider>] {
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
// The invariants
// ---------------------------------------------------------------------------

fn keys(ev: &InboundEvent) -> (&str, &str) {
    match ev {
        InboundEvent::Message(m) => (&m.channel_key, &m.provider_message_id),
        InboundEvent::Status(s) => (&s.channel_key, &s.provider_message_id),
        InboundEvent::Echo(e) => (&e.channel_key, &e.provider_message_id),
    }
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// Parse `body` with every provider and check the invariants.
fn check_all(body: &[u8]) -> Result<(), TestCaseError> {
    for p in providers() {
        check_parse(p.as_ref(), body)?;
    }
    Ok(())
}

fn check_parse(p: &dyn Provider, body: &[u8]) -> Result<(), TestCaseError> {
    let res = p.parse(body);
    prop_assert_eq!(
        &res,
        &p.parse(body),
        "{:?}: parse is not deterministic",
        p.kind()
    );
    let out = match res {
        Ok(out) => out,
        Err(e) => {
            prop_assert!(!blank(&e.to_string()));
            return Ok(());
        }
    };
    for ev in &out.events {
        let (channel, id) = keys(ev);
        prop_assert!(
            !blank(channel),
            "{:?}: blank channel_key in {:?}",
            p.kind(),
            ev
        );
        prop_assert!(
            !blank(id),
            "{:?}: blank provider_message_id in {:?}",
            p.kind(),
            ev
        );
        if let InboundEvent::Message(m) = ev {
            prop_assert!(m.raw.is_object(), "{:?}: raw is not an object", p.kind());
        }
    }
    for r in &out.rejected {
        prop_assert!(!blank(r), "{:?}: blank rejection reason", p.kind());
    }
    // `Ok` means the body was JSON, so the accounting can look at it.
    let json: Value = serde_json::from_slice(body).expect("Ok implies valid JSON");
    match p.kind() {
        ProviderKind::Meta => account_meta(&json, &out),
        ProviderKind::Whapi => account_whapi(&json, &out),
        // One message object per body: one event or one reason.
        _ => {
            prop_assert_eq!(
                out.events.len() + out.rejected.len(),
                1,
                "{:?}: single-item body not accounted for: {:?}",
                p.kind(),
                out
            );
            Ok(())
        }
    }
}

/// A non-blank id-like field, as the parsers read it (numbers are stringified).
fn id_like(v: &Value) -> bool {
    match v {
        Value::String(s) => !blank(s),
        Value::Number(_) => true,
        _ => false,
    }
}

fn len_if_array(v: &Value, key: &str) -> usize {
    v.get(key).and_then(Value::as_array).map_or(0, Vec::len)
}

fn present_not_array(v: &Value, key: &str) -> bool {
    v.get(key).is_some_and(|x| !x.is_array())
}

/// Meta: a skipped entry/change has a reason naming its path; every element
/// of `messages[]`/`statuses[]` in a handled change is one event or one
/// reason naming `….messages[k]` / `….statuses[k]`.
fn account_meta(body: &Value, out: &ParseOutcome) -> Result<(), TestCaseError> {
    if body.get("object").and_then(Value::as_str) != Some("whatsapp_business_account") {
        prop_assert!(
            out.events.is_empty() && out.rejected.len() == 1,
            "{:?}",
            out
        );
        return Ok(());
    }
    let has_reason = |prefix: &str| out.rejected.iter().any(|r| r.starts_with(prefix));
    let mut items = 0;
    for (i, entry) in body["entry"].as_array().into_iter().flatten().enumerate() {
        let Some(changes) = entry.get("changes").and_then(Value::as_array) else {
            prop_assert!(has_reason(&format!("entry[{i}]: ")), "{:?}", out);
            continue;
        };
        for (j, change) in changes.iter().enumerate() {
            let at = format!("entry[{i}].changes[{j}]");
            let value = change.get("value").filter(|v| v.is_object());
            let channel = value.and_then(|v| v.get("metadata")?.get("phone_number_id"));
            let handled = change.get("field").and_then(Value::as_str) == Some("messages")
                && channel.is_some_and(id_like);
            if !handled {
                prop_assert!(
                    has_reason(&format!("{at}: ")),
                    "{} skipped silently: {:?}",
                    at,
                    out
                );
                continue;
            }
            let value = value.expect("handled implies a value object");
            for key in ["messages", "statuses", "errors", "contacts"] {
                if present_not_array(value, key) {
                    prop_assert!(
                        has_reason(&format!("{at}: value.{key} ")),
                        "{}.{} not an array, no reason: {:?}",
                        at,
                        key,
                        out
                    );
                }
            }
            items += len_if_array(value, "messages") + len_if_array(value, "statuses");
        }
    }
    let item_reasons = out
        .rejected
        .iter()
        .filter(|r| {
            let head = r.split(": ").next().unwrap_or_default();
            head.contains(".messages[") || head.contains(".statuses[")
        })
        .count();
    prop_assert_eq!(
        out.events.len() + item_reasons,
        items,
        "Meta items not accounted for: {:?}",
        out
    );
    Ok(())
}

/// Whapi: every `messages[]`/`statuses[]` element, every non-array
/// `messages`/`statuses` and every unknown top-level key is one event or one
/// reason.
fn account_whapi(body: &Value, out: &ParseOutcome) -> Result<(), TestCaseError> {
    let obj = body.as_object().expect("Ok implies an object");
    let mut items = 0;
    for key in ["messages", "statuses"] {
        items += len_if_array(body, key) + usize::from(present_not_array(body, key));
    }
    items += obj
        .keys()
        .filter(|k| !matches!(k.as_str(), "messages" | "statuses" | "event" | "channel_id"))
        .count();
    prop_assert_eq!(
        out.events.len() + out.rejected.len(),
        items,
        "Whapi items not accounted for: {:?}",
        out
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

/// Field names the adapters look at, so generated objects reach deep code.
const KEYS: &[&str] = &[
    "object",
    "entry",
    "id",
    "changes",
    "field",
    "value",
    "metadata",
    "phone_number_id",
    "contacts",
    "wa_id",
    "user_id",
    "profile",
    "name",
    "messages",
    "statuses",
    "errors",
    "from",
    "from_user_id",
    "timestamp",
    "type",
    "text",
    "body",
    "image",
    "caption",
    "filename",
    "mime_type",
    "interactive",
    "button_reply",
    "list_reply",
    "nfm_reply",
    "title",
    "reaction",
    "emoji",
    "message_id",
    "context",
    "location",
    "latitude",
    "longitude",
    "address",
    "status",
    "recipient_id",
    "biz_opaque_callback_data",
    "code",
    "error_data",
    "details",
    "channel_id",
    "event",
    "chat_id",
    "from_me",
    "from_name",
    "link",
    "quoted_id",
    "list",
    "action",
    "target",
    "participant_type",
    "sender_type",
    "room",
    "channel_integration_id",
    "room_id",
    "account_uniq_id",
    "created_at",
    "file",
    "url",
    "reply",
    "sender",
    "session",
    "payload",
    "fromMe",
    "to",
    "hasMedia",
    "media",
    "mimetype",
    "vCards",
    "_data",
    "notifyName",
    "ack",
    "replyTo",
    "messageId",
    "data",
    "fromJid",
    "isGroup",
    "pushName",
    "buttonText",
    "rowTitle",
];

/// Values the adapters branch on.
const STRINGS: &[&str] = &[
    "whatsapp_business_account",
    "page",
    "messages",
    "text",
    "image",
    "audio",
    "video",
    "document",
    "sticker",
    "location",
    "contacts",
    "contact",
    "contact_list",
    "interactive",
    "button_reply",
    "list_reply",
    "nfm_reply",
    "button",
    "reaction",
    "system",
    "unsupported",
    "reply",
    "action",
    "voice",
    "link_preview",
    "sent",
    "delivered",
    "read",
    "played",
    "failed",
    "pending",
    "accepted",
    "created",
    "error",
    "customer",
    "agent",
    "Models::Contact",
    "message",
    "message.any",
    "message.ack",
    "message.reaction",
    "message.in",
    "message.out",
    "interaction.button",
    "interaction.list",
    "6281298765432",
    "+6281298765432",
    "6281298765432@s.whatsapp.net",
    "6281298765432@c.us",
    "6281298765432:12@s.whatsapp.net",
    "251556368777322@lid",
    "120363041234567890@g.us",
    "status@broadcast",
    "1@newsletter",
    "1760000000",
    "1760000000000",
    "-1",
    "2025-10-09T08:53:20Z",
    "not-a-date",
    "image/webp",
    "image/jpeg",
    "audio/ogg",
    "application/pdf",
    "/",
    "sha512",
    "MANTIS-M72HC",
];

/// Whitespace-only strings (must never become ids or channel keys).
const BLANKS: &[&str] = &[" ", "\t", "\n ", "\u{a0}", "\u{3000}"];

const INTS: &[i64] = &[0, 1, 2, 3, 4, -1, 1_760_000_000, 1_760_000_000_000];

/// Envelope keys of the five providers.
const TOP_KEYS: &[&str] = &[
    "object",
    "entry",
    "channel_id",
    "event",
    "messages",
    "statuses",
    "participant_type",
    "sender_type",
    "id",
    "room",
    "created_at",
    "session",
    "payload",
    "data",
    "timestamp",
];

fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(KEYS).prop_map(str::to_owned),
        1 => "[a-zA-Z_.]{0,8}",
    ]
}

fn arb_string() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(STRINGS).prop_map(str::to_owned),
        1 => Just(String::new()),
        1 => select(BLANKS).prop_map(str::to_owned),
        2 => "\\PC{0,16}",
        1 => "[0-9]{1,20}",
    ]
}

fn arb_number() -> impl Strategy<Value = Number> {
    prop_oneof![
        select(INTS).prop_map(Number::from),
        any::<i64>().prop_map(Number::from),
        any::<u64>().prop_map(Number::from),
        any::<f64>().prop_filter_map("finite", Number::from_f64),
    ]
}

fn arb_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        arb_number().prop_map(Value::Number),
        arb_string().prop_map(Value::String),
    ]
}

/// Arbitrary JSON, bounded: depth ≤ 4, ~48 nodes, ≤ 6 items per level.
fn arb_json() -> BoxedStrategy<Value> {
    arb_leaf()
        .prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                vec(inner.clone(), 0..6).prop_map(Value::Array),
                btree_map(arb_key(), inner, 0..6).prop_map(object),
            ]
        })
        .boxed()
}

fn object(m: BTreeMap<String, Value>) -> Value {
    Value::Object(m.into_iter().collect())
}

/// Top-level bodies: arbitrary JSON, or an object whose keys are the
/// providers' envelope keys (more likely to get past the shape checks).
fn arb_body() -> impl Strategy<Value = Value> {
    let top = select(TOP_KEYS).prop_map(str::to_owned);
    prop_oneof![
        arb_json(),
        btree_map(top, arb_json(), 1..6).prop_map(object),
    ]
}

// ---------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    Idx(usize),
}

/// Paths of every node below the root, in document order.
fn paths(v: &Value) -> Vec<Vec<Seg>> {
    fn walk(v: &Value, here: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    here.push(Seg::Key(k.clone()));
                    out.push(here.clone());
                    walk(child, here, out);
                    here.pop();
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    here.push(Seg::Idx(i));
                    out.push(here.clone());
                    walk(child, here, out);
                    here.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

fn node_mut<'a>(v: &'a mut Value, path: &[Seg]) -> &'a mut Value {
    path.iter().fold(v, |cur, seg| match seg {
        Seg::Key(k) => &mut cur[k.as_str()],
        Seg::Idx(i) => &mut cur[*i],
    })
}

/// What replaces a node: mostly the values that break parsers (empty,
/// blank, wrong type), otherwise arbitrary JSON.
fn arb_replacement() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => Just(Value::String(String::new())),
        1 => select(BLANKS).prop_map(|s| Value::String(s.to_owned())),
        1 => Just(Value::from(-1)),
        1 => Just(Value::Bool(true)),
        1 => Just(Value::Array(vec![])),
        1 => Just(Value::Object(Default::default())),
        4 => arb_json(),
    ]
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Remove one object member.
    DeleteKey(Index),
    /// Replace one node (any depth) with arbitrary JSON.
    Replace(Index, Value),
    /// Insert 1–3 extra copies of one array element right after it.
    Duplicate(Index, usize),
}

fn arb_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<Index>().prop_map(Mutation::DeleteKey),
        (any::<Index>(), arb_replacement()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        (any::<Index>(), 1..=3usize).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
    ]
}

fn apply(doc: &mut Value, m: &Mutation) {
    let all = paths(doc);
    match m {
        Mutation::DeleteKey(i) => {
            let members: Vec<_> = all
                .iter()
                .filter(|p| matches!(p.last(), Some(Seg::Key(_))))
                .collect();
            if members.is_empty() {
                return;
            }
            let path = members[i.index(members.len())];
            let (Some(Seg::Key(k)), parent) = (path.last(), &path[..path.len() - 1]) else {
                unreachable!()
            };
            if let Some(obj) = node_mut(doc, parent).as_object_mut() {
                obj.remove(k);
            }
        }
        Mutation::Replace(i, v) => {
            if !all.is_empty() {
                *node_mut(doc, &all[i.index(all.len())]) = v.clone();
            }
        }
        Mutation::Duplicate(i, n) => {
            let elements: Vec<_> = all
                .iter()
                .filter(|p| matches!(p.last(), Some(Seg::Idx(_))))
                .collect();
            if elements.is_empty() {
                return;
            }
            let path = elements[i.index(elements.len())];
            let (Some(Seg::Idx(k)), parent) = (path.last(), &path[..path.len() - 1]) else {
                unreachable!()
            };
            if let Some(arr) = node_mut(doc, parent).as_array_mut() {
                let copy = arr[*k].clone();
                for _ in 0..*n {
                    arr.insert(k + 1, copy.clone());
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Properties: parse
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn arbitrary_bytes_never_panic(body in vec(any::<u8>(), 0..512)) {
        check_all(&body)?;
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn arbitrary_json_is_well_formed(body in arb_body()) {
        check_all(body.to_string().as_bytes())?;
    }

    /// 1–4 stacked structural mutations (delete key / replace value /
    /// duplicate array element) of one fixture.
    #[test]
    fn mutated_fixtures_are_well_formed(
        f in any::<Index>(),
        muts in vec(arb_mutation(), 1..=4),
    ) {
        let mut doc = fixture(&f).json.clone();
        for m in &muts {
            apply(&mut doc, m);
        }
        check_all(doc.to_string().as_bytes())?;
    }

    #[test]
    fn fixture_with_key_deleted(f in any::<Index>(), i in any::<Index>()) {
        let mut doc = fixture(&f).json.clone();
        apply(&mut doc, &Mutation::DeleteKey(i));
        check_all(doc.to_string().as_bytes())?;
    }

    #[test]
    fn fixture_with_value_replaced(
        f in any::<Index>(),
        i in any::<Index>(),
        v in arb_replacement(),
    ) {
        let mut doc = fixture(&f).json.clone();
        apply(&mut doc, &Mutation::Replace(i, v));
        check_all(doc.to_string().as_bytes())?;
    }

    #[test]
    fn fixture_with_array_element_duplicated(
        f in any::<Index>(),
        i in any::<Index>(),
        n in 1..=3usize,
    ) {
        let mut doc = fixture(&f).json.clone();
        apply(&mut doc, &Mutation::Duplicate(i, n));
        check_all(doc.to_string().as_bytes())?;
    }

    #[test]
    fn truncated_fixture(f in any::<Index>(), at in any::<Index>()) {
        let raw = &fixture(&f).raw;
        check_all(&raw[..at.index(raw.len())])?;
    }

    #[test]
    fn byte_flipped_fixture(f in any::<Index>(), at in any::<Index>(), mask in 1..=255u8) {
        let mut raw = fixture(&f).raw.clone();
        let at = at.index(raw.len());
        raw[at] ^= mask;
        check_all(&raw)?;
    }
}

/// The mutation machinery itself: the unmutated fixtures pass the invariants
/// (so a failing property is about the mutation, not the harness).
#[test]
fn unmutated_fixtures_satisfy_the_invariants() {
    for f in fixtures() {
        check_all(&f.raw).unwrap_or_else(|e| panic!("{}: {e}", f.name));
    }
}

// ---------------------------------------------------------------------------
// Properties: verify
// ---------------------------------------------------------------------------

const HEADER_NAMES: &[&str] = &[
    "x-hub-signature-256",
    "x-webhook-hmac",
    "x-webhook-hmac-algorithm",
    "x-signature",
    "x-webhook-secret",
    "x-inbox-secret",
    "authorization",
    "content-type",
];

const HEADER_STRINGS: &[&str] = &["sha512", "SHA512", "sha256", SHARED_SECRET, "", " "];

fn arb_header_value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        vec(any::<u8>(), 0..80),
        "sha256=[0-9a-fA-F]{0,66}".prop_map(String::into_bytes),
        "[0-9a-f]{62,130}".prop_map(String::into_bytes),
        "(Bearer |bearer )?\\PC{0,24}".prop_map(String::into_bytes),
        select(HEADER_STRINGS).prop_map(|s| s.as_bytes().to_vec()),
    ]
}

fn arb_headers() -> impl Strategy<Value = HeaderMap> {
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

fn arb_query() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        "\\PC{0,40}".prop_map(Some),
        "(a=1&)?secret=[%+A-Za-z0-9-]{0,30}(&b=2)?".prop_map(Some),
    ]
}

/// A signed-body case: the provider, the header it reads, and how to sign.
struct Signed {
    provider: Box<dyn Provider>,
    header: &'static str,
    sign: fn(&[u8]) -> String,
    files: &'static str,
}

fn signed_providers() -> &'static [Signed] {
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

fn signed_headers(s: &Signed, body: &[u8]) -> HeaderMap {
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
// Regressions the properties found (kept as plain examples)
// ---------------------------------------------------------------------------

fn parse_with(i: usize, body: &str) -> ParseOutcome {
    providers()[i].parse(body.as_bytes()).expect("parses")
}

/// A whitespace-only id or channel key is rejected with a reason, never
/// emitted (it would be a useless exactly-once key).
#[test]
fn blank_ids_are_rejected_with_a_reason() {
    let meta = r#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages",
        "value":{"metadata":{"phone_number_id":"PNID"},
        "messages":[{"from":"6281298765432","id":" ","timestamp":"1760000000","type":"text"}],
        "statuses":[{"id":"\t","status":"read","timestamp":"1760000000"}]}}]}]}"#;
    let out = parse_with(0, meta);
    assert!(out.events.is_empty(), "{out:?}");
    assert_eq!(out.rejected.len(), 2, "{out:?}");
    assert!(out.rejected.iter().all(|r| r.contains("blank `id`")));

    let blank_channel = meta.replace(r#""PNID""#, r#"" ""#);
    let out = parse_with(0, &blank_channel);
    assert!(out.events.is_empty() && out.rejected.len() == 1, "{out:?}");
    assert!(out.rejected[0].contains("phone_number_id"));

    let whapi = r#"{"channel_id":"C","messages":[{"id":" ","chat_id":"6281298765432@s.whatsapp.net",
        "from_me":false,"timestamp":1760000000,"type":"text"}]}"#;
    let out = parse_with(2, whapi);
    assert!(out.events.is_empty() && out.rejected[0].contains("blank `id`"));

    let qontak = r#"{"id":" ","participant_type":"customer","room":{"channel_integration_id":"Q"},
        "created_at":"2025-10-09T08:53:20Z"}"#;
    let out = parse_with(5, qontak);
    assert!(out.events.is_empty() && out.rejected[0].contains("blank `id`"));
    let qontak = qontak
        .replace(r#""id":" ""#, r#""id":"q1""#)
        .replace(r#""Q""#, r#""  ""#);
    assert!(parse_with(5, &qontak).events.is_empty());

    let waha = r#"{"event":"message","session":"default","payload":{"id":"\n","timestamp":1760000000,
        "from":"6281298765432@c.us","body":"hi"}}"#;
    let out = parse_with(7, waha);
    assert!(out.events.is_empty() && out.rejected[0].contains("blank `payload.id`"));
    let blank_session = waha.replace(r#""default""#, r#"" ""#);
    assert!(providers()[7].parse(blank_session.as_bytes()).is_err());

    let gw = r#"{"event":"message.in","data":{"messageId":" ","from":"6281298765432",
        "text":"hi","timestamp":1760000000000}}"#;
    let out = parse_with(9, gw);
    assert!(out.events.is_empty() && out.rejected[0].contains("blank `data.messageId`"));
}

/// Config without a channel key (gateway) or with a blank Whapi fallback
/// channel: no events with a blank `channel_key`.
#[test]
fn blank_configured_channel_is_not_used() {
    let gw = &fixtures()
        .iter()
        .find(|f| f.name == "gateway_message_in.json")
        .unwrap()
        .raw;
    let out = providers()[10].parse(gw).unwrap();
    assert!(out.events.is_empty(), "{out:?}");
    assert!(out.rejected[0].contains("no channel_key configured"));
    assert_eq!(providers()[9].parse(gw).unwrap().events.len(), 1);

    let no_channel = r#"{"messages":[]}"#;
    assert!(providers()[4].parse(no_channel.as_bytes()).is_err());
    assert!(parse_with(3, no_channel).rejected.is_empty());
}

/// Whapi `messages`/`statuses` that are not arrays used to vanish silently.
#[test]
fn whapi_non_array_items_are_reported() {
    let out = parse_with(2, r#"{"channel_id":"C","messages":"x","statuses":{}}"#);
    assert!(out.events.is_empty());
    assert_eq!(
        out.rejected,
        ["`messages` is not an array", "`statuses` is not an array"]
    );
}
