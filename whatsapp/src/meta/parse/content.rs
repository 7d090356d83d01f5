//! What a Meta message's content carries besides text (meta-cloud.md §3.1): a file's
//! reference, a place as text, contact cards and their names.

use serde_json::Value;

use crate::event::{ContactCard, MediaRef};
use crate::util::{array_field, join_non_empty, str_field, str_path, webhook_digits};

pub(super) fn media_ref(content: &Value) -> Option<MediaRef> {
    let id = str_field(content, "id");
    let url = str_field(content, "url");
    if id.is_none() && url.is_none() {
        return None;
    }
    Some(MediaRef {
        id,
        url,
        mime_type: str_field(content, "mime_type"),
        sha256: str_field(content, "sha256"),
        filename: str_field(content, "filename"),
        size: None,
        voice: content
            .get("voice")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    })
}

pub(super) fn location_text(loc: &Value) -> Option<String> {
    join_non_empty([str_field(loc, "name"), str_field(loc, "address")], ", ").or_else(|| {
        let lat = loc.get("latitude")?.as_f64()?;
        let lon = loc.get("longitude")?.as_f64()?;
        Some(format!("{lat}, {lon}"))
    })
}

/// §3.1 `contacts[]`: each card's name and numbers (`wa_id` where WhatsApp knows the number).
pub(super) fn contact_cards(cards: &Value) -> Vec<ContactCard> {
    let Some(cards) = cards.as_array() else {
        return Vec::new();
    };
    cards
        .iter()
        .map(|c| ContactCard {
            name: card_name(c),
            phones: array_field(c, "phones")
                .iter()
                .filter_map(|p| {
                    str_field(p, "wa_id")
                        .and_then(|w| webhook_digits(&w))
                        .or_else(|| str_field(p, "phone"))
                })
                .collect(),
        })
        .collect()
}

fn card_name(c: &Value) -> Option<String> {
    str_path(c, &["name", "formatted_name"]).or_else(|| {
        join_non_empty(
            [
                str_path(c, &["name", "first_name"]),
                str_path(c, &["name", "last_name"]),
            ],
            " ",
        )
    })
}

pub(super) fn contacts_text(cards: &Value) -> Option<String> {
    let names = cards.as_array()?.iter().map(card_name);
    join_non_empty(names, ", ")
}
