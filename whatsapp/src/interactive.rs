//! Reply buttons and lists ([`Interactive`]): checked against WhatsApp's limits before anything
//! is stored or sent ([`Interactive::check`], counting Unicode scalar values), turned into
//! Meta's and Whapi's send bodies, and into a numbered text menu for providers that carry no
//! buttons ([`Interactive::numbered_text`]), whose numbers the bot matches like taps
//! ([`Interactive::option_for_number`]).
//!
//! Reference: meta-cloud.md §10.1 (buttons), §10.2 (lists), §10.4 (how a tap arrives);
//! whapi.md §8.2.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The most reply buttons one message carries.
pub const MAX_BUTTONS: usize = 3;
/// The longest button title (Meta; Whapi takes 25).
pub const MAX_BUTTON_TITLE: usize = 20;
/// The longest button id; it comes back verbatim with the tap.
pub const MAX_BUTTON_ID: usize = 256;
/// The most rows a list carries, over all its sections.
pub const MAX_ROWS: usize = 10;
/// The most sections of a list.
pub const MAX_SECTIONS: usize = 10;
pub const MAX_ROW_TITLE: usize = 24;
pub const MAX_ROW_DESCRIPTION: usize = 72;
pub const MAX_ROW_ID: usize = 200;
/// The list's button (that opens it) and a section's title.
pub const MAX_LIST_BUTTON: usize = 20;
pub const MAX_SECTION_TITLE: usize = 24;
/// Meta's current page allows 4096 for lists; 1024 is safe for both kinds.
pub const MAX_BODY: usize = 1024;
pub const MAX_HEADER: usize = 60;
pub const MAX_FOOTER: usize = 60;

/// A message with reply buttons or a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interactive {
    /// Text above the body (bold on the phone).
    #[serde(default)]
    pub header: Option<String>,
    pub body: String,
    #[serde(default)]
    pub footer: Option<String>,
    pub choices: Choices,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Choices {
    /// Up to three buttons under the message; a tap answers with the button's id.
    Buttons { buttons: Vec<Choice> },
    /// One button that opens a list of up to ten rows in sections.
    List {
        button: String,
        sections: Vec<Section>,
    },
}

/// A button, or a row of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// What the tap answers with (the bot matches it).
    pub id: String,
    /// What the customer reads (and what their answer shows).
    pub title: String,
    /// Rows only: a line under the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    #[serde(default)]
    pub title: Option<String>,
    pub rows: Vec<Choice>,
}

/// Why buttons or a list cannot go out as they are. `field` names the part
/// (`buttons[3]`, `sections[0].rows[1].title`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InteractiveRefusal {
    /// More than [`MAX_BUTTONS`] buttons.
    #[error("Maximum {MAX_BUTTONS} buttons allowed per message (got {0})")]
    ButtonLimitExceeded(usize),
    /// Anything else: empty, too long, repeated, too many rows.
    #[error("{field}: {problem}")]
    Invalid { field: String, problem: String },
}

impl InteractiveRefusal {
    /// The seed gateway's error code: `BUTTON_LIMIT_EXCEEDED` or `INVALID_BUTTON_PARAMS`.
    pub fn code(&self) -> &'static str {
        match self {
            InteractiveRefusal::ButtonLimitExceeded(_) => "BUTTON_LIMIT_EXCEEDED",
            InteractiveRefusal::Invalid { .. } => "INVALID_BUTTON_PARAMS",
        }
    }

    /// The part refused (`buttons` for too many buttons).
    pub fn field(&self) -> &str {
        match self {
            InteractiveRefusal::ButtonLimitExceeded(_) => "buttons",
            InteractiveRefusal::Invalid { field, .. } => field,
        }
    }
}

fn invalid(field: impl Into<String>, problem: impl Into<String>) -> InteractiveRefusal {
    InteractiveRefusal::Invalid {
        field: field.into(),
        problem: problem.into(),
    }
}

/// `text` is not blank and at most `max` characters.
fn text_within(field: &str, text: &str, max: usize) -> Result<(), InteractiveRefusal> {
    if text.trim().is_empty() {
        return Err(invalid(field, "is empty"));
    }
    let n = text.chars().count();
    if n > max {
        return Err(invalid(
            field,
            format!("is {n} characters; at most {max} are allowed"),
        ));
    }
    Ok(())
}

fn optional_within(
    field: &str,
    text: &Option<String>,
    max: usize,
) -> Result<(), InteractiveRefusal> {
    match text {
        Some(t) if !t.trim().is_empty() => text_within(field, t, max),
        _ => Ok(()),
    }
}

impl Interactive {
    /// Buttons under `body`, each with its title as its id.
    pub fn buttons<'a>(body: &str, titles: impl IntoIterator<Item = &'a str>) -> Interactive {
        Interactive {
            header: None,
            body: body.to_owned(),
            footer: None,
            choices: Choices::Buttons {
                buttons: titles
                    .into_iter()
                    .map(|t| Choice {
                        id: t.to_owned(),
                        title: t.to_owned(),
                        description: None,
                    })
                    .collect(),
            },
        }
    }

    /// Every button or row, in order: what the numbers of [`numbered_text`](Self::numbered_text)
    /// count.
    pub fn options(&self) -> Vec<&Choice> {
        match &self.choices {
            Choices::Buttons { buttons } => buttons.iter().collect(),
            Choices::List { sections, .. } => sections.iter().flat_map(|s| &s.rows).collect(),
        }
    }

    /// Checks every limit WhatsApp sets (meta-cloud.md §10.1, §10.2), the stricter of Meta's
    /// and Whapi's where they differ; ids and titles must be unique within the message.
    pub fn check(&self) -> Result<(), InteractiveRefusal> {
        text_within("body", &self.body, MAX_BODY)?;
        optional_within("header", &self.header, MAX_HEADER)?;
        optional_within("footer", &self.footer, MAX_FOOTER)?;
        match &self.choices {
            Choices::Buttons { buttons } => {
                if buttons.is_empty() {
                    return Err(invalid("buttons", "at least one button is needed"));
                }
                if buttons.len() > MAX_BUTTONS {
                    return Err(InteractiveRefusal::ButtonLimitExceeded(buttons.len()));
                }
                for (i, b) in buttons.iter().enumerate() {
                    text_within(&format!("buttons[{i}].title"), &b.title, MAX_BUTTON_TITLE)?;
                    text_within(&format!("buttons[{i}].id"), &b.id, MAX_BUTTON_ID)?;
                    if b.description.is_some() {
                        return Err(invalid(
                            format!("buttons[{i}].description"),
                            "buttons have no description (a list row has)",
                        ));
                    }
                }
            }
            Choices::List { button, sections } => {
                text_within("button", button, MAX_LIST_BUTTON)?;
                if sections.is_empty() || sections.len() > MAX_SECTIONS {
                    return Err(invalid(
                        "sections",
                        format!("a list has 1 to {MAX_SECTIONS} sections"),
                    ));
                }
                let rows: usize = sections.iter().map(|s| s.rows.len()).sum();
                if rows == 0 || rows > MAX_ROWS {
                    return Err(invalid(
                        "sections",
                        format!("a list has 1 to {MAX_ROWS} rows in all (got {rows})"),
                    ));
                }
                for (i, s) in sections.iter().enumerate() {
                    if sections.len() > 1 || s.title.is_some() {
                        text_within(
                            &format!("sections[{i}].title"),
                            s.title.as_deref().unwrap_or_default(),
                            MAX_SECTION_TITLE,
                        )?;
                    }
                    if s.rows.is_empty() {
                        return Err(invalid(format!("sections[{i}].rows"), "is empty"));
                    }
                    for (j, r) in s.rows.iter().enumerate() {
                        let at = format!("sections[{i}].rows[{j}]");
                        text_within(&format!("{at}.title"), &r.title, MAX_ROW_TITLE)?;
                        text_within(&format!("{at}.id"), &r.id, MAX_ROW_ID)?;
                        optional_within(
                            &format!("{at}.description"),
                            &r.description,
                            MAX_ROW_DESCRIPTION,
                        )?;
                    }
                }
            }
        }
        let options = self.options();
        for (i, a) in options.iter().enumerate() {
            for b in &options[..i] {
                if a.id == b.id {
                    return Err(invalid("id", format!("{:?} is used twice", a.id)));
                }
                if a.title.trim() == b.title.trim() {
                    return Err(invalid("title", format!("{:?} is used twice", a.title)));
                }
            }
        }
        Ok(())
    }

    /// Meta's `interactive` object (meta-cloud.md §10.1, §10.2).
    pub fn meta_object(&self) -> Value {
        let mut object = match &self.choices {
            Choices::Buttons { buttons } => json!({
                "type": "button",
                "action": { "buttons": buttons.iter().map(|b| json!({
                    "type": "reply", "reply": { "id": b.id, "title": b.title }
                })).collect::<Vec<_>>() },
            }),
            Choices::List { button, sections } => json!({
                "type": "list",
                "action": {
                    "button": button,
                    "sections": sections.iter().map(|s| {
                        let mut section = json!({ "rows": s.rows.iter().map(row).collect::<Vec<_>>() });
                        // Always sent: the current page requires a title (§10.2).
                        section["title"] = json!(s.title.clone().unwrap_or_else(|| button.clone()));
                        section
                    }).collect::<Vec<_>>(),
                },
            }),
        };
        object["body"] = json!({ "text": self.body });
        if let Some(h) = self.header.as_deref().filter(|h| !h.trim().is_empty()) {
            object["header"] = json!({ "type": "text", "text": h });
        }
        if let Some(f) = self.footer.as_deref().filter(|f| !f.trim().is_empty()) {
            object["footer"] = json!({ "text": f });
        }
        object
    }

    /// Whapi's `POST /messages/interactive` body for `to` (whapi.md §8.2, the support page's
    /// form).
    pub fn whapi_body(&self, to: &str) -> Value {
        let mut body = match &self.choices {
            Choices::Buttons { buttons } => json!({
                "type": "button",
                "action": { "buttons": buttons.iter().map(|b| json!({
                    "type": "quick_reply", "title": b.title, "id": b.id
                })).collect::<Vec<_>>() },
            }),
            Choices::List { button, sections } => json!({
                "type": "list",
                "action": { "list": {
                    "label": button,
                    "sections": sections.iter().map(|s| json!({
                        "title": s.title.clone().unwrap_or_else(|| button.clone()),
                        "rows": s.rows.iter().map(row).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                } },
            }),
        };
        body["to"] = json!(to);
        body["body"] = json!({ "text": self.body });
        if let Some(h) = self.header.as_deref().filter(|h| !h.trim().is_empty()) {
            body["header"] = json!({ "text": h });
        }
        if let Some(f) = self.footer.as_deref().filter(|f| !f.trim().is_empty()) {
            body["footer"] = json!({ "text": f });
        }
        body
    }

    /// The same as plain text, for providers without buttons: the body, then one numbered line
    /// per option ("1. Harga"), then "Balas dengan angkanya." ("Reply with its number").
    pub fn numbered_text(&self) -> String {
        let mut text = String::new();
        if let Some(h) = self.header.as_deref().filter(|h| !h.trim().is_empty()) {
            text.push_str(h.trim());
            text.push_str("\n\n");
        }
        text.push_str(self.body.trim());
        text.push('\n');
        for (i, option) in self.options().iter().enumerate() {
            text.push_str(&format!("\n{}. {}", i + 1, option.title.trim()));
            if let Some(d) = option
                .description
                .as_deref()
                .filter(|d| !d.trim().is_empty())
            {
                text.push_str(&format!(" ({})", d.trim()));
            }
        }
        text.push_str("\n\nBalas dengan angkanya.");
        if let Some(f) = self.footer.as_deref().filter(|f| !f.trim().is_empty()) {
            text.push_str("\n\n");
            text.push_str(f.trim());
        }
        text
    }

    /// The option a customer's bare number ("2", " 2. ") picks from
    /// [`numbered_text`](Self::numbered_text), if the text is one.
    pub fn option_for_number(&self, text: &str) -> Option<&Choice> {
        let n = menu_number(text)?;
        self.options().get(n.checked_sub(1)?).copied()
    }
}

/// The number in a customer's answer to a numbered menu ("2", " 2. ", "2)"), if that is all
/// the text is: one or two digits.
pub fn menu_number(text: &str) -> Option<usize> {
    let digits = text.trim().trim_end_matches(['.', ')']).trim();
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn row(r: &Choice) -> Value {
    let mut row = json!({ "id": r.id, "title": r.title });
    if let Some(d) = r.description.as_deref().filter(|d| !d.trim().is_empty()) {
        row["description"] = json!(d);
    }
    row
}
