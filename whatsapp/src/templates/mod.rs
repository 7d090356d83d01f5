//! Message templates (meta-cloud.md §12): a template as Meta's list gives it ([`Template`]),
//! the values an agent fills in ([`Template::variables`]), the check that none is missing and
//! the text the customer will read ([`Template::fill`] → [`Filled`]), and the `template` object
//! of the send ([`Filled::send_object`]). Only `APPROVED` templates can be sent.

mod filled;

pub use filled::{set_header_media, waits_for_header_media};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A message template of a WhatsApp Business Account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub id: String,
    pub name: String,
    /// Exactly as created (`id`, `en_US`): a send must use the same code.
    pub language: String,
    /// `APPROVED`, `PENDING`, `REJECTED`, `PAUSED`, `DISABLED`, …
    pub status: String,
    /// `MARKETING`, `UTILITY`, `AUTHENTICATION`.
    pub category: String,
    /// `{{first_name}}` variables (`parameter_format: NAMED`) rather than `{{1}}`.
    #[serde(default)]
    pub named: bool,
    pub header: Option<Header>,
    pub body: String,
    pub footer: Option<String>,
    #[serde(default)]
    pub buttons: Vec<Button>,
    /// Sample values Meta keeps with the template, by variable key ("body.1", "header.1", …).
    #[serde(default)]
    pub examples: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Header {
    Text(String),
    /// A photo, video or document, given at send time (a public link).
    Media(MediaFormat),
    /// A location, given at send time (not offered by the composer).
    Location,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaFormat {
    Image,
    Video,
    Document,
}

impl MediaFormat {
    fn as_str(self) -> &'static str {
        match self {
            MediaFormat::Image => "image",
            MediaFormat::Video => "video",
            MediaFormat::Document => "document",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Button {
    /// `QUICK_REPLY`, `URL`, `PHONE_NUMBER`, `COPY_CODE`, …
    pub kind: String,
    pub text: String,
    /// A URL button's address, maybe ending in `{{1}}`.
    pub url: Option<String>,
}

/// One value the agent fills in, in the order the send needs them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variable {
    /// `header.1`, `header.media`, `body.1`, `body.first_name`, `button.0`.
    pub key: String,
    /// What the form calls it: `{{1}}`, `{{first_name}}`, the button's text.
    pub label: String,
    /// Meta's sample value, for the placeholder.
    pub example: Option<String>,
}

/// Why a template cannot be sent as filled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateRefusal {
    #[error("the template is {0}, not approved")]
    NotApproved(String),
    #[error("{0} is empty")]
    Missing(String),
    #[error("{expected} values are needed, {given} were given")]
    Count { expected: usize, given: usize },
    #[error("the template's header needs a location, which cannot be sent from here")]
    LocationHeader,
    /// A file attached to a template whose header takes no file, or a file of another kind.
    #[error("the attached file does not fit the template's header (it takes {})", expected.unwrap_or("no file"))]
    HeaderFile { expected: Option<&'static str> },
}

/// A template with every variable filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filled<'a> {
    pub template: &'a Template,
    values: Vec<(Variable, String)>,
    /// The media header is a file the agent attached (sent by the provider's media id, which
    /// [`set_header_media`] puts in once the file is uploaded), not a link.
    header_file: bool,
}

impl Template {
    /// A template from Meta's `GET /{waba-id}/message_templates` (`data[]`); `None` for an
    /// entry without a name, language or body.
    pub fn from_graph(v: &Value) -> Option<Template> {
        let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        let mut t = Template {
            id: s(v, "id").unwrap_or_default(),
            name: s(v, "name")?,
            language: s(v, "language")?,
            status: s(v, "status").unwrap_or_else(|| "UNKNOWN".into()),
            category: s(v, "category").unwrap_or_default(),
            named: s(v, "parameter_format").as_deref() == Some("NAMED"),
            header: None,
            body: String::new(),
            footer: None,
            buttons: Vec::new(),
            examples: Vec::new(),
        };
        let mut has_body = false;
        for c in v
            .get("components")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let example = c.get("example");
            match s(c, "type")
                .unwrap_or_default()
                .to_ascii_uppercase()
                .as_str()
            {
                "HEADER" => {
                    t.header = match s(c, "format")
                        .unwrap_or_default()
                        .to_ascii_uppercase()
                        .as_str()
                    {
                        "TEXT" | "" => {
                            let text = s(c, "text").unwrap_or_default();
                            t.add_examples(
                                "header",
                                &text,
                                example,
                                "header_text",
                                "header_text_named_params",
                            );
                            Some(Header::Text(text))
                        }
                        "IMAGE" | "GIF" => Some(Header::Media(MediaFormat::Image)),
                        "VIDEO" => Some(Header::Media(MediaFormat::Video)),
                        "DOCUMENT" => Some(Header::Media(MediaFormat::Document)),
                        _ => Some(Header::Location),
                    }
                }
                "BODY" => {
                    t.body = s(c, "text").unwrap_or_default();
                    has_body = true;
                    let body = t.body.clone();
                    t.add_examples(
                        "body",
                        &body,
                        example,
                        "body_text",
                        "body_text_named_params",
                    );
                }
                "FOOTER" => t.footer = s(c, "text"),
                "BUTTONS" => {
                    for (i, b) in c
                        .get("buttons")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .enumerate()
                    {
                        let button = Button {
                            kind: s(b, "type").unwrap_or_default(),
                            text: s(b, "text").unwrap_or_default(),
                            url: s(b, "url"),
                        };
                        if let Some(e) = b
                            .get("example")
                            .and_then(|e| e.get(0).or(Some(e)))
                            .and_then(Value::as_str)
                        {
                            t.examples.push((format!("button.{i}"), e.to_owned()));
                        }
                        t.buttons.push(button);
                    }
                }
                _ => {}
            }
        }
        has_body.then_some(t)
    }

    fn add_examples(
        &mut self,
        part: &str,
        text: &str,
        example: Option<&Value>,
        positional: &str,
        named: &str,
    ) {
        let Some(example) = example else { return };
        if let Some(named) = example.get(named).and_then(Value::as_array) {
            for p in named {
                if let (Some(n), Some(e)) = (
                    p.get("param_name").and_then(Value::as_str),
                    p.get("example").and_then(Value::as_str),
                ) {
                    self.examples.push((format!("{part}.{n}"), e.to_owned()));
                }
            }
            return;
        }
        // `body_text` is an array of one array; `header_text` a flat array.
        let values = example.get(positional).and_then(Value::as_array);
        let values = match values.and_then(|v| v.first()).and_then(Value::as_array) {
            Some(inner) => Some(inner),
            None => values,
        };
        for (name, e) in placeholders(text).iter().zip(values.into_iter().flatten()) {
            if let Some(e) = e.as_str() {
                self.examples.push((format!("{part}.{name}"), e.to_owned()));
            }
        }
    }

    pub fn approved(&self) -> bool {
        self.status.eq_ignore_ascii_case("APPROVED")
    }

    /// Every value the agent fills in: a text header's variable or a media header's link,
    /// the body's variables, each URL button's suffix.
    pub fn variables(&self) -> Vec<Variable> {
        let example = |key: &str| {
            self.examples
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, e)| e.clone())
        };
        let mut vars = Vec::new();
        match &self.header {
            Some(Header::Text(text)) => {
                for name in placeholders(text) {
                    let key = format!("header.{name}");
                    vars.push(Variable {
                        example: example(&key),
                        key,
                        label: format!("{{{{{name}}}}}"),
                    });
                }
            }
            Some(Header::Media(format)) => vars.push(Variable {
                key: "header.media".into(),
                label: format!("{} URL", format.as_str()),
                example: None,
            }),
            Some(Header::Location) | None => {}
        }
        for name in placeholders(&self.body) {
            let key = format!("body.{name}");
            vars.push(Variable {
                example: example(&key),
                key,
                label: format!("{{{{{name}}}}}"),
            });
        }
        for (i, b) in self.buttons.iter().enumerate() {
            if b.url
                .as_deref()
                .is_some_and(|u| !placeholders(u).is_empty())
            {
                let key = format!("button.{i}");
                vars.push(Variable {
                    example: example(&key),
                    key,
                    label: b.text.clone(),
                });
            }
        }
        vars
    }

    /// The template with `values` (one per [`variables`](Self::variables), in order), or why it
    /// cannot be sent: not approved, a value missing or empty (naming it), a location header.
    pub fn fill(&self, values: &[String]) -> Result<Filled<'_>, TemplateRefusal> {
        if !self.approved() {
            return Err(TemplateRefusal::NotApproved(self.status.clone()));
        }
        if matches!(self.header, Some(Header::Location)) {
            return Err(TemplateRefusal::LocationHeader);
        }
        let vars = self.variables();
        if vars.len() != values.len() {
            return Err(TemplateRefusal::Count {
                expected: vars.len(),
                given: values.len(),
            });
        }
        let mut filled = Vec::new();
        for (var, value) in vars.into_iter().zip(values) {
            let value = value.trim();
            if value.is_empty() {
                return Err(TemplateRefusal::Missing(var.label));
            }
            filled.push((var, value.to_owned()));
        }
        Ok(Filled {
            template: self,
            values: filled,
            header_file: false,
        })
    }

    /// As [`fill`](Self::fill), with an attached file of `format` as the media header: `values`
    /// are the other variables (every one but `header.media`), in order.
    pub fn fill_with_header_file(
        &self,
        values: &[String],
        format: MediaFormat,
    ) -> Result<Filled<'_>, TemplateRefusal> {
        match &self.header {
            Some(Header::Media(f)) if *f == format => {}
            Some(Header::Media(f)) => {
                return Err(TemplateRefusal::HeaderFile {
                    expected: Some(f.as_str()),
                })
            }
            _ => return Err(TemplateRefusal::HeaderFile { expected: None }),
        }
        // `header.media` is the first variable of a media-header template.
        let mut all = vec!["(file)".to_owned()];
        all.extend(values.iter().cloned());
        let mut filled = self.fill(&all)?;
        filled.header_file = true;
        Ok(filled)
    }
}

/// The variable names in `text`, in order of first appearance: `1`, `2` or `first_name`.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start + 2..].find("}}") else {
            break;
        };
        let name = rest[start + 2..start + 2 + len].trim();
        if !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !names.iter().any(|n| n == name)
        {
            names.push(name.to_owned());
        }
        rest = &rest[start + 4 + len..];
    }
    // Positional variables go in numeric order ({{2}} may come before {{1}} in the text).
    if names.iter().all(|n| n.parse::<u32>().is_ok()) {
        names.sort_by_key(|n| n.parse::<u32>().unwrap_or(0));
    }
    names
}
