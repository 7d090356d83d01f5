//! Regressions the properties found, kept as plain examples.

use super::*;

// Regressions the properties found (kept as plain examples)
// ---------------------------------------------------------------------------

pub(crate) fn parse_with(i: usize, body: &str) -> ParseOutcome {
    providers()[i].parse(body.as_bytes()).expect("parses")
}

/// A whitespace-only id or channel key is rejected with a reason, never
/// emitted (it would be a useless exactly-once key).
#[test]
pub(crate) fn blank_ids_are_rejected_with_a_reason() {
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
pub(crate) fn blank_configured_channel_is_not_used() {
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
pub(crate) fn whapi_non_array_items_are_reported() {
    let out = parse_with(2, r#"{"channel_id":"C","messages":"x","statuses":{}}"#);
    assert!(out.events.is_empty());
    assert_eq!(
        out.rejected,
        ["`messages` is not an array", "`statuses` is not an array"]
    );
}
