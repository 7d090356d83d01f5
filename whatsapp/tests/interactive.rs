//! Buttons and lists: WhatsApp's limits (counted in characters), Meta's and Whapi's bodies, and
//! the numbered menu a customer answers with a number.
use serde_json::json;
use whatsapp::interactive::*;
use whatsapp::{Choice, Choices, Interactive, InteractiveRefusal, Section};

fn list(rows: usize) -> Interactive {
    Interactive {
        header: None,
        body: "Pilih topik".into(),
        footer: None,
        choices: Choices::List {
            button: "Lihat topik".into(),
            sections: vec![Section {
                title: None,
                rows: (1..=rows)
                    .map(|i| Choice {
                        id: format!("t{i}"),
                        title: format!("Topik {i}"),
                        description: Some("ket".into()),
                    })
                    .collect(),
            }],
        },
    }
}

#[test]
fn three_buttons_pass_and_a_fourth_is_refused() {
    let three = Interactive::buttons("Sudah diterima?", ["Ya", "Belum", "Agen"]);
    assert_eq!(three.check(), Ok(()));
    let four = Interactive::buttons("Sudah diterima?", ["Ya", "Belum", "Agen", "Lain"]);
    let refusal = four.check().unwrap_err();
    assert_eq!(refusal, InteractiveRefusal::ButtonLimitExceeded(4));
    assert_eq!(refusal.code(), "BUTTON_LIMIT_EXCEEDED");
    assert_eq!(
        refusal.to_string(),
        "Maximum 3 buttons allowed per message (got 4)"
    );
}

#[test]
fn limits_count_characters_not_bytes() {
    // 20 characters, 40 bytes: allowed.
    let ok = Interactive::buttons("Halo", ["éééééééééééééééééééé"]);
    assert_eq!(ok.check(), Ok(()));
    let long = Interactive::buttons("Halo", ["a title of 21 chars!!"]);
    let e = long.check().unwrap_err();
    assert_eq!(e.code(), "INVALID_BUTTON_PARAMS");
    assert_eq!(e.field(), "buttons[0].title");
    assert_eq!(
        Interactive::buttons("Halo", ["Ya", "Ya"])
            .check()
            .unwrap_err()
            .field(),
        "id"
    );
    assert_eq!(
        Interactive::buttons(" ", ["Ya"])
            .check()
            .unwrap_err()
            .field(),
        "body"
    );
    assert_eq!(list(10).check(), Ok(()));
    assert_eq!(list(11).check().unwrap_err().field(), "sections");
}

#[test]
fn meta_and_whapi_bodies_follow_their_wire_formats() {
    let mut m = Interactive::buttons("Paketnya sudah diterima?", ["Sudah diterima"]);
    m.footer = Some("Toko Sinar".into());
    assert_eq!(
        m.meta_object(),
        json!({
            "type": "button",
            "body": { "text": "Paketnya sudah diterima?" },
            "footer": { "text": "Toko Sinar" },
            "action": { "buttons": [
                { "type": "reply", "reply": { "id": "Sudah diterima", "title": "Sudah diterima" } }
            ] }
        })
    );
    assert_eq!(
        m.whapi_body("628123")["action"]["buttons"][0],
        json!({ "type": "quick_reply", "title": "Sudah diterima", "id": "Sudah diterima" })
    );
    let l = list(2).meta_object();
    assert_eq!(l["action"]["button"], "Lihat topik");
    assert_eq!(l["action"]["sections"][0]["title"], "Lihat topik");
    assert_eq!(l["action"]["sections"][0]["rows"][1]["id"], "t2");
    assert_eq!(
        list(2).whapi_body("62")["action"]["list"]["label"],
        "Lihat topik"
    );
}

#[test]
fn numbered_menu_round_trips_through_the_customers_number() {
    let m = Interactive::buttons("Mau tanya apa?", ["Harga", "Ongkir"]);
    assert_eq!(
        m.numbered_text(),
        "Mau tanya apa?\n\n1. Harga\n2. Ongkir\n\nBalas dengan angkanya."
    );
    assert_eq!(
        m.option_for_number(" 2 ").map(|c| c.id.as_str()),
        Some("Ongkir")
    );
    assert_eq!(
        m.option_for_number("1.").map(|c| c.id.as_str()),
        Some("Harga")
    );
    assert_eq!(m.option_for_number("3"), None);
    assert_eq!(m.option_for_number("0"), None);
    assert_eq!(m.option_for_number("harga"), None);
}

#[test]
fn only_a_bare_number_answers_a_menu() {
    assert_eq!(menu_number(" 2. "), Some(2));
    assert_eq!(menu_number("10)"), Some(10));
    assert_eq!(menu_number("123"), None);
    assert_eq!(menu_number("2 ya"), None);
    assert_eq!(menu_number(""), None);
}
