//! Meta deliveries besides customer messages (meta-cloud.md §17): each one parses, nothing in
//! it is malformed, and the fields we act on become events.

use whatsapp::{AccountEventKind, InboundEvent, MetaConfig, MetaProvider, Provider};

fn parse(name: &str) -> whatsapp::ParseOutcome {
    let path = format!("{}/testdata/fields/{name}", env!("CARGO_MANIFEST_DIR"));
    let body = std::fs::read(&path).unwrap();
    let out = MetaProvider::new(MetaConfig::default(), reqwest::Client::new())
        .parse(&body)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(out.rejected.is_empty(), "{name}: {:?}", out.rejected);
    out
}

#[test]
fn account_and_template_updates_are_account_events() {
    let out = parse("meta_account_update_restriction.json");
    match out.events.as_slice() {
        [InboundEvent::Account(a)] => {
            assert_eq!(a.account_id, "102290129340398");
            match &a.kind {
                AccountEventKind::Alert { event, detail } => {
                    assert_eq!(event, "ACCOUNT_RESTRICTION");
                    assert!(detail
                        .as_deref()
                        .unwrap()
                        .contains("RESTRICTED_BIZ_INITIATED_MESSAGING"));
                }
                other => panic!("{other:?}"),
            }
        }
        other => panic!("{other:?}"),
    }
    let out = parse("meta_template_status_rejected.json");
    match out.events.as_slice() {
        [InboundEvent::Account(a)] => assert_eq!(
            a.kind,
            AccountEventKind::TemplateStatus {
                template_id: "1689556908129832".into(),
                name: Some("konfirmasi_pesanan".into()),
                language: Some("id".into()),
                status: "REJECTED".into(),
                reason: Some("INVALID_FORMAT".into()),
            }
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn business_app_echoes_and_revocations_are_events_about_conversations() {
    let out = parse("meta_smb_message_echo.json");
    match out.events.as_slice() {
        [InboundEvent::AppEcho(e)] => {
            assert_eq!(e.channel_key, "106540352242922");
            assert_eq!(e.to_phone.as_deref(), Some("6281298765432"));
            assert_eq!(e.text.as_deref(), Some("Siap kak, sudah kami kirim ya"));
        }
        other => panic!("{other:?}"),
    }
    let out = parse("meta_revoke.json");
    match out.events.as_slice() {
        [InboundEvent::Revoked(r)] => assert_eq!(
            r.original_message_id,
            "wamid.HBgNNjI4MTI5ODc2NTQzMhUCABIYFjNFQjBDMTI3RDdCQUNDODNENkExMjMA"
        ),
        other => panic!("{other:?}"),
    }
    // A revoke without its sender (some deliveries leave it out) is still read.
    let body = std::fs::read_to_string(format!(
        "{}/testdata/fields/meta_revoke.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .replace(r#""from":"6281298765432","#, "");
    let out = MetaProvider::new(MetaConfig::default(), reqwest::Client::new())
        .parse(body.as_bytes())
        .unwrap();
    assert!(
        matches!(out.events.as_slice(), [InboundEvent::Revoked(_)]),
        "{out:?}"
    );
}

#[test]
fn edits_and_number_changes_are_kept_as_messages() {
    for name in ["meta_edit.json", "meta_system_changed_number.json"] {
        let out = parse(name);
        assert_eq!(out.events.len(), 1, "{name}: {out:?}");
    }
}
