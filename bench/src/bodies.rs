//! Webhook bodies in the providers' real wire formats, and Meta's signature over them.

use crate::server::{META_PHONE_ID, META_SECRET};
use hmac::Mac;

/// One customer text message to put in a body.
pub struct Msg {
    pub from: String,
    pub id: String,
    pub text: String,
}

pub fn meta(msgs: &[Msg]) -> Vec<u8> {
    let now = chrono::Utc::now().timestamp().to_string();
    let contacts: Vec<_> = msgs.iter().map(|m| serde_json::json!({ "profile": { "name": format!("Bench {}", m.from) }, "wa_id": m.from })).collect();
    let messages: Vec<_> = msgs
        .iter()
        .map(|m| serde_json::json!({ "from": m.from, "id": m.id, "timestamp": now, "type": "text", "text": { "body": m.text } }))
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": "100000000000000", "changes": [{ "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": { "display_phone_number": "6281234500000", "phone_number_id": META_PHONE_ID },
            "contacts": contacts,
            "messages": messages
        }}]}]
    }))
    .unwrap_or_default()
}

pub fn whapi(msgs: &[Msg]) -> Vec<u8> {
    let now = chrono::Utc::now().timestamp();
    let messages: Vec<_> = msgs
        .iter()
        .map(|m| {
            serde_json::json!({
                "id": m.id, "from_me": false, "type": "text", "chat_id": format!("{}@s.whatsapp.net", m.from),
                "timestamp": now, "source": "mobile", "text": { "body": m.text }, "from": m.from, "from_name": format!("Bench {}", m.from)
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({ "messages": messages, "event": { "type": "messages", "event": "post" }, "channel_id": "BENCH" }))
        .unwrap_or_default()
}

pub fn meta_signature(body: &[u8]) -> String {
    let mut mac =
        hmac::Hmac::<sha2::Sha256>::new_from_slice(META_SECRET.as_bytes()).expect("any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Provider {
    Meta,
    Whapi,
}

impl Provider {
    pub fn request(
        self,
        client: &reqwest::Client,
        base: &str,
        msgs: &[Msg],
    ) -> reqwest::RequestBuilder {
        match self {
            Provider::Meta => {
                let body = meta(msgs);
                client
                    .post(format!("{base}/api/webhooks/whatsapp"))
                    .header("content-type", "application/json")
                    .header("x-hub-signature-256", meta_signature(&body))
                    .body(body)
            }
            Provider::Whapi => client
                .post(format!("{base}/webhook/whapi"))
                .header("content-type", "application/json")
                .body(whapi(msgs)),
        }
    }
}
