//! `POST /send-interactive`'s two body shapes, as the seed gateway documents them, into one
//! [`whatsapp::Interactive`] (whose `check` then applies WhatsApp's limits, so a fourth button
//! is `BUTTON_LIMIT_EXCEEDED` whichever shape brought it):
//!
//! - `interactiveButtons`: `quick_reply` buttons and `single_select` lists, each with its
//!   parameters in `buttonParamsJson` (a JSON string, or an object);
//! - the simpler `{"type": "button", "buttons": [{id, text}]}` and
//!   `{"type": "list", "buttonText", "sections": [{title, rows: [{id, title, description}]}]}`.

use inbox::Error;
use model::Reason;
use serde_json::Value;
use whatsapp::{Choice, Choices, Interactive, Section};

fn params(field: &str) -> Error {
    Error::invalid(field.to_owned(), Reason::ButtonParams)
}

/// A text field that may come as a string or a number.
pub fn text(v: &Value, names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| match v.get(*n) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

fn choice(v: &Value, field: &str, title_names: &[&str]) -> Result<Choice, Error> {
    let title = text(v, title_names).ok_or_else(|| params(&format!("{field}.title")))?;
    Ok(Choice {
        id: text(v, &["id"]).unwrap_or_else(|| title.clone()),
        title,
        description: text(v, &["description"]),
    })
}

fn sections(v: Option<&Value>, field: &str) -> Result<Vec<Section>, Error> {
    let list = v.and_then(Value::as_array).ok_or_else(|| params(field))?;
    list.iter()
        .enumerate()
        .map(|(i, s)| {
            let rows = s
                .get("rows")
                .and_then(Value::as_array)
                .ok_or_else(|| params(&format!("{field}[{i}].rows")))?
                .iter()
                .enumerate()
                .map(|(j, r)| choice(r, &format!("{field}[{i}].rows[{j}]"), &["title"]))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Section {
                title: text(s, &["title"]),
                rows,
            })
        })
        .collect()
}

/// The message's buttons or list, from either shape; `Err` names the part that is wrong.
pub fn parse(body: &Value) -> Result<Interactive, Error> {
    let text_of = text(body, &["text", "message", "body"]).ok_or_else(|| params("text"))?;
    let choices = match body.get("interactiveButtons") {
        Some(buttons) => native_flow(buttons)?,
        None => match text(body, &["type"]).as_deref() {
            Some("button" | "buttons") => {
                let buttons = body
                    .get("buttons")
                    .and_then(Value::as_array)
                    .ok_or_else(|| params("buttons"))?
                    .iter()
                    .enumerate()
                    .map(|(i, b)| {
                        choice(
                            b,
                            &format!("buttons[{i}]"),
                            &["text", "title", "displayText"],
                        )
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Choices::Buttons { buttons }
            }
            Some("list") => Choices::List {
                button: text(body, &["buttonText", "button_text", "button"])
                    .ok_or_else(|| params("buttonText"))?,
                sections: sections(body.get("sections"), "sections")?,
            },
            _ => return Err(params("type")),
        },
    };
    Ok(Interactive {
        header: text(body, &["title", "header"]),
        body: text_of,
        footer: text(body, &["footer"]),
        choices,
    })
}

/// `interactiveButtons`: all `quick_reply`, or one `single_select`.
fn native_flow(buttons: &Value) -> Result<Choices, Error> {
    let list = buttons
        .as_array()
        .filter(|l| !l.is_empty())
        .ok_or_else(|| params("interactiveButtons"))?;
    let mut quick = Vec::new();
    let mut select = None;
    for (i, b) in list.iter().enumerate() {
        let field = format!("interactiveButtons[{i}]");
        let raw = b
            .get("buttonParamsJson")
            .ok_or_else(|| params(&format!("{field}.buttonParamsJson")))?;
        let p: Value = match raw {
            Value::String(s) => {
                serde_json::from_str(s).map_err(|_| params(&format!("{field}.buttonParamsJson")))?
            }
            Value::Object(_) => raw.clone(),
            _ => return Err(params(&format!("{field}.buttonParamsJson"))),
        };
        match b.get("name").and_then(Value::as_str) {
            Some("quick_reply") => quick.push(choice(&p, &field, &["display_text", "title"])?),
            Some("single_select") if select.is_none() => {
                select = Some(Choices::List {
                    button: text(&p, &["title", "button"])
                        .ok_or_else(|| params(&format!("{field}.title")))?,
                    sections: sections(p.get("sections"), &format!("{field}.sections"))?,
                })
            }
            // Links, copy and call buttons are not reply buttons WhatsApp's APIs carry here.
            _ => return Err(params(&format!("{field}.name"))),
        }
    }
    match (select, quick.is_empty()) {
        (Some(list), true) => Ok(list),
        (None, false) => Ok(Choices::Buttons { buttons: quick }),
        _ => Err(params("interactiveButtons")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_seeds_quick_reply_buttons_and_its_simple_buttons_mean_the_same() {
        let native = parse(&json!({
            "to": "6281234567890",
            "text": "Pilih opsi:",
            "footer": "Toko Sinar",
            "interactiveButtons": [
                { "name": "quick_reply", "buttonParamsJson": "{\"display_text\":\"Ya\",\"id\":\"yes\"}" },
                { "name": "quick_reply", "buttonParamsJson": { "display_text": "Tidak", "id": "no" } }
            ]
        }))
        .unwrap();
        let simple = parse(&json!({
            "to": "6281234567890", "type": "button", "message": "Pilih opsi:", "footer": "Toko Sinar",
            "buttons": [{ "id": "yes", "text": "Ya" }, { "id": "no", "text": "Tidak" }]
        }))
        .unwrap();
        assert_eq!(native, simple);
        assert_eq!(native.options()[1].id, "no");
    }

    #[test]
    fn a_single_select_and_a_simple_list_mean_the_same() {
        let rows = json!([{ "title": "Nasi goreng", "description": "Rp 25.000", "id": "nasi" }]);
        let native = parse(&json!({
            "to": "628", "text": "Menu",
            "interactiveButtons": [{ "name": "single_select", "buttonParamsJson":
                json!({ "title": "Lihat menu", "sections": [{ "title": "Makanan", "rows": rows }] }).to_string() }]
        }))
        .unwrap();
        let simple = parse(&json!({
            "to": "628", "type": "list", "text": "Menu", "buttonText": "Lihat menu",
            "sections": [{ "title": "Makanan", "rows": rows }]
        }))
        .unwrap();
        assert_eq!(native, simple);
        assert!(inbox::replies::interactive::check(&native).is_ok());
    }

    #[test]
    fn broken_parameters_name_their_part() {
        let field = |v: Value| match parse(&v) {
            Err(Error::Invalid {
                field,
                reason: Reason::ButtonParams,
            }) => field.into_owned(),
            other => panic!("expected invalid_button_params, got {other:?}"),
        };
        assert_eq!(
            field(
                json!({ "text": "x", "interactiveButtons": [{ "name": "quick_reply", "buttonParamsJson": "{not json" }] })
            ),
            "interactiveButtons[0].buttonParamsJson"
        );
        assert_eq!(
            field(
                json!({ "text": "x", "interactiveButtons": [{ "name": "cta_url", "buttonParamsJson": "{}" }] })
            ),
            "interactiveButtons[0].name"
        );
        assert_eq!(field(json!({ "text": "x", "type": "carousel" })), "type");
        assert_eq!(field(json!({ "type": "button", "buttons": [] })), "text");
    }

    #[test]
    fn four_buttons_are_over_the_limit_in_either_shape() {
        let four: Vec<Value> = (1..=4)
            .map(|i| json!({ "name": "quick_reply", "buttonParamsJson": json!({ "display_text": format!("B{i}"), "id": format!("b{i}") }).to_string() }))
            .collect();
        let native = parse(&json!({ "text": "x", "interactiveButtons": four })).unwrap();
        assert!(matches!(
            inbox::replies::interactive::check(&native),
            Err(Error::Invalid {
                reason: Reason::ButtonLimitExceeded,
                ..
            })
        ));
    }
}
