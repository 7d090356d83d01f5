//! A filled template: the text the customer reads and the `template` object of Meta's send.

use super::{placeholders, Filled, Header};
use serde_json::{json, Value};

impl Filled<'_> {
    fn value(&self, key: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(v, _)| v.key == key)
            .map(|(_, s)| s.as_str())
    }

    fn substitute(&self, part: &str, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            let Some(len) = rest[start + 2..].find("}}") else {
                break;
            };
            let name = rest[start + 2..start + 2 + len].trim();
            out.push_str(&rest[..start]);
            match self.value(&format!("{part}.{name}")) {
                Some(v) => out.push_str(v),
                None => out.push_str(&rest[start..start + 4 + len]),
            }
            rest = &rest[start + 4 + len..];
        }
        out.push_str(rest);
        out
    }

    /// What the customer reads: the header's text, the body, the footer, and the buttons, one
    /// paragraph each (a media header is shown by its link).
    pub fn text(&self) -> String {
        let t = self.template;
        let mut parts = Vec::new();
        match &t.header {
            Some(Header::Text(h)) => parts.push(self.substitute("header", h)),
            // An attached file shows in the bubble itself.
            Some(Header::Media(_)) if self.header_file => {}
            Some(Header::Media(_)) => parts.extend(self.value("header.media").map(str::to_owned)),
            _ => {}
        }
        parts.push(self.substitute("body", &t.body));
        if let Some(f) = &t.footer {
            parts.push(f.clone());
        }
        let buttons: Vec<String> = t.buttons.iter().map(|b| format!("[{}]", b.text)).collect();
        if !buttons.is_empty() {
            parts.push(buttons.join(" "));
        }
        parts.retain(|p| !p.trim().is_empty());
        parts.join("\n\n")
    }

    /// The `template` object of Meta's send (meta-cloud.md §12.2): lower-case component types,
    /// body parameters in order (named ones with `parameter_name`), the media header by link,
    /// each URL button's suffix percent-encoded.
    pub fn send_object(&self) -> Value {
        let t = self.template;
        let param = |part: &str, name: &str| {
            let text = self.value(&format!("{part}.{name}")).unwrap_or_default();
            if t.named {
                json!({ "type": "text", "parameter_name": name, "text": text })
            } else {
                json!({ "type": "text", "text": text })
            }
        };
        let mut components = Vec::new();
        match &t.header {
            Some(Header::Text(h)) if !placeholders(h).is_empty() => components.push(json!({
                "type": "header",
                "parameters": placeholders(h).iter().map(|n| param("header", n)).collect::<Vec<_>>(),
            })),
            Some(Header::Media(format)) => {
                let kind = format.as_str();
                let media = if self.header_file {
                    json!({ "id": "" })
                } else {
                    json!({ "link": self.value("header.media").unwrap_or_default() })
                };
                components.push(json!({ "type": "header", "parameters": [{ "type": kind, kind: media }] }));
            }
            _ => {}
        }
        let body = placeholders(&t.body);
        if !body.is_empty() {
            components.push(json!({
                "type": "body",
                "parameters": body.iter().map(|n| param("body", n)).collect::<Vec<_>>(),
            }));
        }
        for (i, _) in t.buttons.iter().enumerate() {
            if let Some(suffix) = self.value(&format!("button.{i}")) {
                let encoded = percent_encoding::utf8_percent_encode(
                    suffix,
                    percent_encoding::NON_ALPHANUMERIC,
                )
                .to_string();
                components.push(json!({
                    "type": "button", "sub_type": "url", "index": i.to_string(),
                    "parameters": [{ "type": "text", "text": encoded }],
                }));
            }
        }
        json!({ "name": t.name, "language": { "code": t.language }, "components": components })
    }
}

/// Whether a template's send object waits for the id of an attached header file
/// ([`set_header_media`]).
pub fn waits_for_header_media(object: &Value) -> bool {
    object["components"].as_array().is_some_and(|cs| {
        cs.iter().any(|c| {
            c["type"] == "header"
                && ["image", "video", "document"]
                    .iter()
                    .any(|k| c["parameters"][0][k]["id"] == "")
        })
    })
}

/// Puts the provider's id of the uploaded header file into a template's send object made with
/// [`super::Template::fill_with_header_file`] (and a document's file name, which WhatsApp shows).
/// `false` when the object has no media header waiting for one.
pub fn set_header_media(object: &mut Value, media_id: &str, filename: Option<&str>) -> bool {
    let Some(components) = object.get_mut("components").and_then(Value::as_array_mut) else {
        return false;
    };
    for c in components {
        if c["type"] != "header" {
            continue;
        }
        let Some(param) = c
            .get_mut("parameters")
            .and_then(|p| p.get_mut(0))
            .filter(|p| matches!(p["type"].as_str(), Some("image" | "video" | "document")))
        else {
            continue;
        };
        let kind = param["type"].as_str().unwrap_or_default().to_owned();
        let mut media = json!({ "id": media_id });
        if let (Some(name), "document") = (filename, kind.as_str()) {
            media["filename"] = json!(name);
        }
        param[kind.as_str()] = media;
        return true;
    }
    false
}
