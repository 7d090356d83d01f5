//! Strategies: arbitrary JSON biased towards the providers' field names.

use super::*;

// Strategies
// ---------------------------------------------------------------------------

/// Field names the adapters look at, so generated objects reach deep code.
pub(crate) const KEYS: &[&str] = &[
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
pub(crate) const STRINGS: &[&str] = &[
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
pub(crate) const BLANKS: &[&str] = &[" ", "\t", "\n ", "\u{a0}", "\u{3000}"];

pub(crate) const INTS: &[i64] = &[0, 1, 2, 3, 4, -1, 1_760_000_000, 1_760_000_000_000];

/// Envelope keys of the five providers.
pub(crate) const TOP_KEYS: &[&str] = &[
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

pub(crate) fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(KEYS).prop_map(str::to_owned),
        1 => "[a-zA-Z_.]{0,8}",
    ]
}

pub(crate) fn arb_string() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(STRINGS).prop_map(str::to_owned),
        1 => Just(String::new()),
        1 => select(BLANKS).prop_map(str::to_owned),
        2 => "\\PC{0,16}",
        1 => "[0-9]{1,20}",
    ]
}

pub(crate) fn arb_number() -> impl Strategy<Value = Number> {
    prop_oneof![
        select(INTS).prop_map(Number::from),
        any::<i64>().prop_map(Number::from),
        any::<u64>().prop_map(Number::from),
        any::<f64>().prop_filter_map("finite", Number::from_f64),
    ]
}

pub(crate) fn arb_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        arb_number().prop_map(Value::Number),
        arb_string().prop_map(Value::String),
    ]
}

/// Arbitrary JSON, bounded: depth ≤ 4, ~48 nodes, ≤ 6 items per level.
pub(crate) fn arb_json() -> BoxedStrategy<Value> {
    arb_leaf()
        .prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                vec(inner.clone(), 0..6).prop_map(Value::Array),
                btree_map(arb_key(), inner, 0..6).prop_map(object),
            ]
        })
        .boxed()
}

pub(crate) fn object(m: BTreeMap<String, Value>) -> Value {
    Value::Object(m.into_iter().collect())
}

/// Top-level bodies: arbitrary JSON, or an object whose keys are the
/// providers' envelope keys (more likely to get past the shape checks).
pub(crate) fn arb_body() -> impl Strategy<Value = Value> {
    let top = select(TOP_KEYS).prop_map(str::to_owned);
    prop_oneof![
        arb_json(),
        btree_map(top, arb_json(), 1..6).prop_map(object),
    ]
}

// ---------------------------------------------------------------------------
