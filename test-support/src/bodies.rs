//! Webhook bodies in the providers' real wire formats: Meta Cloud API text messages (one or
//! several per body, from one customer or from several) and status updates, and Whapi text
//! messages. Each suite fixes its own account values ([`MetaFixture`], [`WhapiFixture`]);
//! message timestamps are "now".

use serde_json::{json, Value};

/// One customer text message to put in a body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Msg {
    /// The customer's WhatsApp id (digits).
    pub from: String,
    /// The provider's message id (`wamid.…` for Meta).
    pub id: String,
    pub text: String,
}

/// What a suite puts in its Meta webhooks besides the messages: the business account and phone
/// number they are addressed to, how the customers' profiles are named, and the customer that
/// status updates name as recipient.
#[derive(Clone, Copy, Debug)]
pub struct MetaFixture {
    /// `entry[].id`: the WhatsApp Business Account id.
    pub business_account_id: &'static str,
    pub display_phone_number: &'static str,
    /// `metadata.phone_number_id`: must match the server's `WHATSAPP_PHONE_NUMBER_ID`.
    pub phone_number_id: &'static str,
    /// A customer's profile name is this, a space, and the customer's id.
    pub contact_name: &'static str,
    /// `statuses[].recipient_id` of [`MetaFixture::status`].
    pub status_recipient: &'static str,
}

impl MetaFixture {
    /// A body with `msgs`, in this order, each with its own entry in `contacts` (the shape the
    /// drills and the benchmark send; the customers may differ from message to message).
    pub fn messages(&self, msgs: &[Msg]) -> Vec<u8> {
        self.messages_at(msgs, now())
    }

    /// A body with one text message from `from`.
    pub fn text(&self, from: &str, id: &str, text: &str) -> Vec<u8> {
        self.texts(from, &[(id, text)])
    }

    /// A body with several text messages `(id, text)` from one customer, in this order, and that
    /// customer once in `contacts`.
    pub fn texts(&self, from: &str, messages: &[(&str, &str)]) -> Vec<u8> {
        self.texts_at(from, messages, now())
    }

    /// A status update (`sent`, `delivered`, `read`, `failed`) for one of our messages.
    pub fn status(&self, wamid: &str, status: &str) -> Vec<u8> {
        self.status_at(wamid, status, now())
    }

    fn messages_at(&self, msgs: &[Msg], at: i64) -> Vec<u8> {
        let contacts = msgs.iter().map(|m| self.contact(&m.from)).collect();
        let messages = msgs
            .iter()
            .map(|m| meta_text(&m.from, &m.id, &m.text, at))
            .collect();
        self.message_body(contacts, messages)
    }

    fn texts_at(&self, from: &str, messages: &[(&str, &str)], at: i64) -> Vec<u8> {
        let messages = messages
            .iter()
            .map(|(id, text)| meta_text(from, id, text, at))
            .collect();
        self.message_body(vec![self.contact(from)], messages)
    }

    fn status_at(&self, wamid: &str, status: &str, at: i64) -> Vec<u8> {
        self.envelope(json!({
            "messaging_product": "whatsapp",
            "metadata": self.metadata(),
            "statuses": [{
                "id": wamid,
                "status": status,
                "timestamp": at.to_string(),
                "recipient_id": self.status_recipient
            }]
        }))
    }

    fn message_body(&self, contacts: Vec<Value>, messages: Vec<Value>) -> Vec<u8> {
        self.envelope(json!({
            "messaging_product": "whatsapp",
            "metadata": self.metadata(),
            "contacts": contacts,
            "messages": messages
        }))
    }

    fn contact(&self, wa_id: &str) -> Value {
        json!({ "profile": { "name": format!("{} {wa_id}", self.contact_name) }, "wa_id": wa_id })
    }

    fn metadata(&self) -> Value {
        json!({
            "display_phone_number": self.display_phone_number,
            "phone_number_id": self.phone_number_id
        })
    }

    fn envelope(&self, value: Value) -> Vec<u8> {
        to_vec(&json!({
            "object": "whatsapp_business_account",
            "entry": [{
                "id": self.business_account_id,
                "changes": [{ "field": "messages", "value": value }]
            }]
        }))
    }
}

fn meta_text(from: &str, id: &str, text: &str, at: i64) -> Value {
    json!({
        "from": from,
        "id": id,
        "timestamp": at.to_string(),
        "type": "text",
        "text": { "body": text }
    })
}

/// What a suite puts in its Whapi webhooks besides the messages.
#[derive(Clone, Copy, Debug)]
pub struct WhapiFixture {
    pub channel_id: &'static str,
    /// A customer's `from_name` is this, a space, and the customer's id.
    pub contact_name: &'static str,
}

impl WhapiFixture {
    /// A `messages.post` event with `msgs` (incoming text), in this order.
    pub fn messages(&self, msgs: &[Msg]) -> Vec<u8> {
        self.messages_at(msgs, now())
    }

    fn messages_at(&self, msgs: &[Msg], at: i64) -> Vec<u8> {
        let messages: Vec<Value> = msgs
            .iter()
            .map(|m| {
                json!({
                    "id": m.id,
                    "from_me": false,
                    "type": "text",
                    "chat_id": format!("{}@s.whatsapp.net", m.from),
                    "timestamp": at,
                    "source": "mobile",
                    "text": { "body": m.text },
                    "from": m.from,
                    "from_name": format!("{} {}", self.contact_name, m.from)
                })
            })
            .collect();
        to_vec(&json!({
            "messages": messages,
            "event": { "type": "messages", "event": "post" },
            "channel_id": self.channel_id
        }))
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn to_vec(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("a JSON value always serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    const META: MetaFixture = MetaFixture {
        business_account_id: "100000000000070",
        display_phone_number: "6281234500077",
        phone_number_id: "100000000000077",
        contact_name: "Pelanggan",
        status_recipient: "6281200000001",
    };

    fn msg(from: &str, id: &str, text: &str) -> Msg {
        Msg {
            from: from.into(),
            id: id.into(),
            text: text.into(),
        }
    }

    fn parse(body: Vec<u8>) -> Value {
        serde_json::from_slice(&body).unwrap()
    }

    fn envelope(value: Value) -> Value {
        json!({
            "object": "whatsapp_business_account",
            "entry": [{ "id": "100000000000070", "changes": [{ "field": "messages", "value": value }] }]
        })
    }

    #[test]
    fn messages_have_one_contact_each() {
        let body = META.messages_at(&[msg("621", "w1", "a"), msg("622", "w2", "b")], 7);
        let metadata = json!({ "display_phone_number": "6281234500077", "phone_number_id": "100000000000077" });
        assert_eq!(
            parse(body),
            envelope(json!({
                "messaging_product": "whatsapp",
                "metadata": metadata,
                "contacts": [
                    { "profile": { "name": "Pelanggan 621" }, "wa_id": "621" },
                    { "profile": { "name": "Pelanggan 622" }, "wa_id": "622" }
                ],
                "messages": [
                    { "from": "621", "id": "w1", "timestamp": "7", "type": "text", "text": { "body": "a" } },
                    { "from": "622", "id": "w2", "timestamp": "7", "type": "text", "text": { "body": "b" } }
                ]
            }))
        );
    }

    #[test]
    fn texts_from_one_customer_name_it_once() {
        let body = parse(META.texts_at("621", &[("w1", "a"), ("w2", "b")], 7));
        let value = &body["entry"][0]["changes"][0]["value"];
        assert_eq!(value["contacts"].as_array().unwrap().len(), 1);
        assert_eq!(value["messages"][1]["id"], "w2");
        let one = META.texts_at("621", &[("w1", "a")], 7);
        assert_eq!(one, META.messages_at(&[msg("621", "w1", "a")], 7));
    }

    #[test]
    fn status_names_the_recipient() {
        assert_eq!(
            parse(META.status_at("wamid.x", "read", 9)),
            envelope(json!({
                "messaging_product": "whatsapp",
                "metadata": { "display_phone_number": "6281234500077", "phone_number_id": "100000000000077" },
                "statuses": [{ "id": "wamid.x", "status": "read", "timestamp": "9", "recipient_id": "6281200000001" }]
            }))
        );
    }

    #[test]
    fn whapi_messages() {
        let whapi = WhapiFixture {
            channel_id: "BENCH",
            contact_name: "Bench",
        };
        assert_eq!(
            parse(whapi.messages_at(&[msg("621", "w1", "a")], 5)),
            json!({
                "messages": [{
                    "id": "w1", "from_me": false, "type": "text", "chat_id": "621@s.whatsapp.net",
                    "timestamp": 5, "source": "mobile", "text": { "body": "a" }, "from": "621",
                    "from_name": "Bench 621"
                }],
                "event": { "type": "messages", "event": "post" },
                "channel_id": "BENCH"
            })
        );
    }
}
