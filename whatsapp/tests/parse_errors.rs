//! Bodies that are not JSON, not the provider's shape, or only partly valid.

use std::path::Path;

use whatsapp::{
    DeliveryState, GatewayConfig, GatewayProvider, InboundEvent, MessageKind, MetaConfig,
    MetaProvider, ParseError, Provider, QontakProvider, WahaProvider, WhapiConfig, WhapiProvider,
};

fn read(file: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata")
            .join(file),
    )
    .unwrap()
}

fn all() -> Vec<Box<dyn Provider>> {
    let c = reqwest::Client::new();
    vec![
        Box::new(MetaProvider::new(MetaConfig::default(), c.clone())),
        Box::new(WhapiProvider::new(WhapiConfig::default(), c)),
        Box::new(QontakProvider::default()),
        Box::new(WahaProvider::default()),
        // The body carries no account id: events use the configured key.
        Box::new(GatewayProvider::new(GatewayConfig {
            channel_key: "gw-1".into(),
            webhook_secret: None,
        })),
    ]
}

#[test]
fn malformed_json_is_a_parse_error_for_every_provider() {
    for p in all() {
        for body in [&b"{\"object\": "[..], b"", b"not json", b"\xff\xfe"] {
            let err = p.parse(body).unwrap_err();
            assert!(
                matches!(err, ParseError::NotJson(_)),
                "{:?}: {err}",
                p.kind()
            );
            assert!(err.to_string().starts_with("body is not valid JSON"));
        }
    }
}

#[test]
fn wrong_shape_is_a_parse_error() {
    let meta = &all()[0];
    for file in [
        "whapi_text.json",
        "waha_message.json",
        "qontak_message_from_customer.json",
    ] {
        let err = meta.parse(&read(file)).unwrap_err();
        assert!(
            matches!(
                err,
                ParseError::WrongShape {
                    provider: "Meta",
                    ..
                }
            ),
            "{file}: {err}"
        );
    }
    for body in [
        &b"[]"[..],
        b"42",
        b"{}",
        br#"{"entry": {}}"#,
        br#"{"entry": []}"#,
    ] {
        assert!(matches!(
            meta.parse(body),
            Err(ParseError::WrongShape { .. })
        ));
    }

    // Every other provider refuses a Meta body (and the other fixtures' shapes).
    let foreign = [
        ("meta_text.json", vec![1, 2, 3, 4]),
        ("whapi_text.json", vec![2, 3, 4]),
        ("qontak_message_from_customer.json", vec![1, 3, 4]),
    ];
    let providers = all();
    for (file, idxs) in foreign {
        for i in idxs {
            let res = providers[i].parse(&read(file));
            assert!(
                matches!(res, Err(ParseError::WrongShape { .. })),
                "{:?} accepted {file}: {res:?}",
                providers[i].kind()
            );
        }
    }
}

#[test]
fn meta_other_object_is_acknowledged_but_ignored() {
    let out = all()[0].parse(br#"{"object":"page","entry":[]}"#).unwrap();
    assert!(out.events.is_empty());
    assert!(out.rejected.is_empty(), "well-formed: nothing is malformed");
    assert_eq!(out.ignored.len(), 1);
    assert!(out.ignored[0].contains("page"));
}

#[test]
fn meta_half_valid_body_yields_valid_events_and_reasons() {
    let body = br#"{
      "object": "whatsapp_business_account",
      "entry": [{
        "id": "102290129340398",
        "changes": [{
          "field": "messages",
          "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "6281234500000", "phone_number_id": "106540352242922"},
            "contacts": [{"profile": {"name": "Rina Wulandari"}, "wa_id": "6281298765432"}],
            "messages": [
              {"garbage": true, "type": "text"},
              {"from": "6281298765432", "id": "wamid.OK", "timestamp": "1760000000",
               "type": "text", "text": {"body": "masih ada?"}}
            ]
          }
        }]
      }]
    }"#;
    let out = all()[0].parse(body).unwrap();
    assert_eq!(out.events.len(), 1, "{out:?}");
    assert_eq!(out.rejected.len(), 1, "{out:?}");
    assert!(
        out.rejected[0].contains("messages[0]"),
        "{}",
        out.rejected[0]
    );
    assert!(out.rejected[0].contains("id"), "{}", out.rejected[0]);
    let m = out.messages().next().unwrap();
    assert_eq!(m.provider_message_id, "wamid.OK");
    assert_eq!(m.text.as_deref(), Some("masih ada?"));
    assert_eq!(m.from_name.as_deref(), Some("Rina Wulandari"));
}

#[test]
fn meta_bad_statuses_other_fields_and_unknown_types() {
    let body = br#"{
      "object": "whatsapp_business_account",
      "entry": [
        {"id": "1", "changes": [{"field": "account_update", "value": {}}]},
        {"id": "2"},
        {"id": "3", "changes": [{"field": "messages", "value": {"metadata": {}}}]},
        {"id": "4", "changes": [{"field": "messages", "value": {
          "metadata": {"phone_number_id": "106540352242922"},
          "statuses": [
            {"id": "wamid.A", "status": "played", "timestamp": "1760000001", "recipient_id": "6281298765432",
             "biz_opaque_callback_data": "outbox-42"},
            {"id": "wamid.B", "status": "teleported", "timestamp": "1760000002"},
            {"id": "wamid.C", "status": "sent"}
          ],
          "messages": [
            {"from": "6281298765432", "id": "wamid.D", "timestamp": "1760000003", "type": "hologram",
             "hologram": {"x": 1}},
            {"id": "wamid.E", "timestamp": "1760000004", "type": "text", "text": {"body": "no sender"}}
          ],
          "errors": [{"code": 131052, "title": "Media download error"}]
        }}]}
      ]
    }"#;
    let out = all()[0].parse(body).unwrap();
    let statuses: Vec<_> = out.statuses().collect();
    assert_eq!(statuses.len(), 1);
    assert_eq!(statuses[0].state, DeliveryState::Read); // played → read
    assert_eq!(statuses[0].callback_data.as_deref(), Some("outbox-42"));
    let msgs: Vec<_> = out.messages().collect();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].kind, MessageKind::Unsupported);
    assert_eq!(msgs[0].raw["hologram"]["x"], 1);
    assert_eq!(msgs[0].from_name, None);
    // account_update is an event (even without details); entry without changes, missing
    // phone_number_id, 2 bad statuses, 1 message without sender, 1 value.errors item.
    assert_eq!(out.rejected.len(), 6, "{:#?}", out.rejected);
    assert!(out
        .events
        .iter()
        .any(|e| matches!(e, InboundEvent::Account(a) if a.account_id == "1")));
    assert!(out.rejected.iter().any(|r| r.contains("teleported")));
    assert!(out.rejected.iter().any(|r| r.contains("131052")));
}

#[test]
fn whapi_groups_bad_items_and_other_events() {
    let body = br#"{
      "messages": [
        {"id": "G1", "from_me": false, "type": "text", "chat_id": "120363041234567890@g.us",
         "timestamp": 1760000000, "from": "6281298765432", "text": {"body": "group"}},
        {"id": "L1", "from_me": false, "type": "action", "chat_id": "251556368777322@lid",
         "timestamp": 1760000200, "from": "251556368777322", "from_name": "Rina",
         "action": {"type": "reaction", "target": "yqJRppZk7BI-wNoTwl0rVw", "emoji": "\ud83d\udc4d"}},
        {"id": "X", "type": "text"},
        {"id": "I1", "from_me": false, "type": "image", "chat_id": "6281298765432@s.whatsapp.net",
         "timestamp": 1760000120, "from": "6281298765432",
         "image": {"id": "jpeg-3f9b", "mime_type": "image/jpeg", "caption": "Ini foto paketnya"}}
      ],
      "statuses": [{"id": "S1", "code": 4, "timestamp": "1760000070"},
                   {"id": "S2", "status": "failed", "timestamp": "1760000071",
                    "errors": [{"code": 470, "message": "Failed"}]}],
      "event": {"type": "messages", "event": "post"},
      "channel_id": "MANTIS-M72HC",
      "health": {"status": {"code": 3, "text": "QR"}}
    }"#;
    let out = all()[1].parse(body).unwrap();
    let msgs: Vec<_> = out.messages().collect();
    assert_eq!(msgs.len(), 2, "{out:#?}");
    assert_eq!(msgs[0].kind, MessageKind::Reaction);
    assert_eq!(msgs[0].from_phone, None);
    assert_eq!(msgs[0].from_user_id.as_deref(), Some("251556368777322@lid"));
    assert_eq!(msgs[0].text.as_deref(), Some("\u{1F44D}"));
    assert_eq!(msgs[0].reply_to.as_deref(), Some("yqJRppZk7BI-wNoTwl0rVw"));
    assert_eq!(msgs[1].kind, MessageKind::Image);
    assert_eq!(msgs[1].text.as_deref(), Some("Ini foto paketnya"));
    assert_eq!(
        msgs[1].media.as_ref().unwrap().id.as_deref().unwrap(),
        "jpeg-3f9b"
    );
    let st: Vec<_> = out.statuses().collect();
    assert_eq!(st[0].state, DeliveryState::Read); // code 4 without status string
    assert_eq!(st[1].state, DeliveryState::Failed);
    assert_eq!(st[1].error.as_ref().unwrap().code.as_deref(), Some("470"));
    // group chat, item missing fields, `health` key
    assert_eq!(out.rejected.len(), 3, "{:#?}", out.rejected);
}

#[test]
fn qontak_agent_messages_are_never_customer_messages() {
    let mut v: serde_json::Value =
        serde_json::from_slice(&read("qontak_message_from_customer.json")).unwrap();
    v["participant_type"] = "agent".into();
    v["sender_type"] = "Models::User".into();
    let p = &all()[2];
    let out = p.parse(v.to_string().as_bytes()).unwrap();
    assert!(
        matches!(out.events.as_slice(), [InboundEvent::Echo(_)]),
        "{out:?}"
    );
    v["status"] = "read".into();
    let out = p.parse(v.to_string().as_bytes()).unwrap();
    match out.events.as_slice() {
        [InboundEvent::Status(s)] => {
            assert_eq!(s.state, DeliveryState::Read);
            assert_eq!(s.recipient.as_deref(), Some("6281298765432"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn waha_and_gateway_echoes_and_acks() {
    let waha = &all()[3];
    let ack = br#"{"id":"evt_1","timestamp":1760000001000,"event":"message.ack","session":"default",
      "payload":{"id":"true_6281298765432@c.us_3EB0F1","from":"6281298765432@c.us","fromMe":true,"ack":3,"ackName":"READ"}}"#;
    let out = waha.parse(ack).unwrap();
    let s = out.statuses().next().expect("ack → status");
    assert_eq!(s.state, DeliveryState::Read);
    assert_eq!(s.at.timestamp(), 1760000001);

    let mut v: serde_json::Value = serde_json::from_slice(&read("waha_message.json")).unwrap();
    v["payload"]["fromMe"] = true.into();
    let out = waha.parse(v.to_string().as_bytes()).unwrap();
    assert_eq!(out.messages().count(), 0);
    assert_eq!(
        out.echoes().next().unwrap().to_phone.as_deref(),
        Some("6281234500000")
    );

    let status = br#"{"id":"evt_2","timestamp":1,"event":"session.status","session":"default","payload":{"status":"SCAN_QR_CODE"}}"#;
    let out = waha.parse(status).unwrap();
    assert!(out.events.is_empty() && out.rejected.len() == 1);

    let gw = &all()[4];
    let outgoing = br#"{"event":"message.out","data":{"messageId":"3EB0F1","to":"6281298765432","text":"Baik","timestamp":1760000060000},"timestamp":1760000060100}"#;
    let out = gw.parse(outgoing).unwrap();
    assert_eq!(out.messages().count(), 0);
    assert_eq!(
        out.echoes().next().unwrap().to_phone.as_deref(),
        Some("6281298765432")
    );
    let button = br#"{"event":"interaction.button","data":{"from":"6281298765432","messageId":"3EB0B1","buttonId":"track","buttonText":"Lacak pesanan","timestamp":1760000090000},"timestamp":1760000090100}"#;
    let m = gw
        .parse(button)
        .unwrap()
        .messages()
        .next()
        .cloned()
        .unwrap();
    assert_eq!(m.kind, MessageKind::InteractiveReply);
    assert_eq!(m.text.as_deref(), Some("Lacak pesanan"));
    assert_eq!(m.choice.as_deref(), Some("track"));
}

/// A Whapi button tap (`type: reply`, whapi.md §4.5) carries the button's id for the bot, and
/// its title for people.
#[test]
fn whapi_taps_carry_the_chosen_id() {
    let whapi = &all()[1];
    let body = br#"{"messages":[{"id":"tap-1","from_me":false,"type":"reply","chat_id":"6281298765432@s.whatsapp.net","timestamp":1760000090,"from":"6281298765432","from_name":"Rina","reply":{"type":"buttons_reply","buttons_reply":{"id":"ButtonsV3:track","title":"Lacak pesanan"}},"context":{"quoted_id":"our-menu"}}],"event":{"type":"messages","event":"post"},"channel_id":"MANTIS-12345"}"#;
    let m = whapi
        .parse(body)
        .unwrap()
        .messages()
        .next()
        .cloned()
        .unwrap();
    assert_eq!(m.kind, MessageKind::InteractiveReply);
    assert_eq!(m.text.as_deref(), Some("Lacak pesanan"));
    assert_eq!(m.choice.as_deref(), Some("ButtonsV3:track"));
    assert_eq!(m.reply_to.as_deref(), Some("our-menu"));
}

/// A shared place and a contact card keep their structure (the bubble links the map and offers
/// "Start chat"), besides the preview text.
#[test]
fn locations_and_contact_cards_keep_their_fields() {
    let meta = &all()[0];
    let out = meta.parse(&read("meta_location.json")).unwrap();
    let m = out.messages().next().unwrap();
    let place = m.location.as_ref().expect("a location");
    assert_eq!((place.latitude, place.longitude), (-6.1944491, 106.8229198));
    assert_eq!(place.name.as_deref(), Some("Grand Indonesia"));
    assert_eq!(
        place.address.as_deref(),
        Some("Jl. M.H. Thamrin No.1, Jakarta Pusat")
    );
    let out = meta.parse(&read("meta_contacts.json")).unwrap();
    let m = out.messages().next().unwrap();
    assert_eq!(
        m.cards,
        [whatsapp::ContactCard {
            name: Some("Dewi Lestari".into()),
            phones: vec!["6281234567890".into()],
        }]
    );

    let whapi = &all()[1];
    let body = br#"{"messages":[{"id":"card-1","from_me":false,"type":"contact","chat_id":"6281298765432@s.whatsapp.net","timestamp":1760000090,"from":"6281298765432","contact":{"name":"Andi","vcard":"BEGIN:VCARD\nVERSION:3.0\nFN:Andi\nTEL;type=CELL;waid=6281311112222:+62 813-1111-2222\nEND:VCARD"}},{"id":"loc-1","from_me":false,"type":"location","chat_id":"6281298765432@s.whatsapp.net","timestamp":1760000091,"from":"6281298765432","location":{"latitude":-6.2,"longitude":106.8,"address":"Jl. Sudirman"}}],"event":{"type":"messages","event":"post"},"channel_id":"MANTIS-1"}"#;
    let out = whapi.parse(body).unwrap();
    let ms: Vec<_> = out.messages().collect();
    assert_eq!(ms[0].cards[0].phones, ["6281311112222"]);
    assert_eq!(ms[0].cards[0].name.as_deref(), Some("Andi"));
    assert_eq!(
        ms[1].location.as_ref().unwrap().address.as_deref(),
        Some("Jl. Sudirman")
    );
}
