//! An agent's file uploaded to the provider, then sent by its id, quoting the customer.

use super::*;

#[tokio::test]
async fn meta_uploads_a_file_then_sends_it_by_id_quoting_the_customer() {
    use whatsapp::{Content, MediaMessage, MessageKind, Outgoing, Recipient, Upload};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v25.0/{PNID}/media")))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(|r: &Request| {
            let body = String::from_utf8_lossy(&r.body);
            body.contains("name=\"messaging_product\"")
                && body.contains("filename=\"invoice.pdf\"")
                && body.contains("Content-Type: application/pdf")
                && body.contains("%PDF-1.7")
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "1037543291543636" })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v25.0/{PNID}/messages")))
        .and(wiremock::matchers::body_json(json!({
            "messaging_product": "whatsapp", "recipient_type": "individual",
            "to": "+6281298765432", "type": "document",
            "document": { "id": "1037543291543636", "filename": "invoice.pdf",
                          "caption": "Berikut invoice pesanan Kakak" },
            "context": { "message_id": "wamid.customer" },
            "biz_opaque_callback_data": "msg-7"
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messaging_product": "whatsapp", "messages": [{ "id": "wamid.out" }] })))
        .expect(1)
        .mount(&server)
        .await;
    let meta = meta_at(&server.uri());
    let id = meta
        .upload_media(&Upload {
            bytes: b"%PDF-1.7 invoice",
            mime_type: "application/pdf",
            filename: "invoice.pdf",
        })
        .await
        .unwrap();
    let sent = meta
        .send(
            &Recipient::phone("6281298765432"),
            &Outgoing {
                content: Content::Media(MediaMessage {
                    kind: MessageKind::Document,
                    media_id: id,
                    caption: Some("Berikut invoice pesanan Kakak".into()),
                    filename: Some("invoice.pdf".into()),
                }),
                reply_to: Some("wamid.customer".into()),
            },
            "msg-7",
        )
        .await
        .unwrap();
    assert_eq!(sent.provider_message_id, "wamid.out");
}

#[tokio::test]
async fn whapi_uploads_then_sends_an_image_by_id_quoting_the_customer() {
    use whatsapp::{Content, MediaMessage, MessageKind, Outgoing, Recipient, Upload};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/media"))
        .and(|r: &Request| String::from_utf8_lossy(&r.body).contains("filename=\"box.jpg\""))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "media": [{ "id": "jpeg-77aa" }] })),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/messages/image"))
        .and(wiremock::matchers::body_json(json!({
            "to": "6281298765432", "media": "jpeg-77aa", "caption": "Ini fotonya",
            "quoted": "Hs0vC1mQ2nL.xT7-gBgTwl0rVw" })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "sent": true, "message": { "id": "out-1", "type": "image", "from_me": true } })))
        .expect(1)
        .mount(&server)
        .await;
    let whapi = whapi_at(&server.uri());
    let id = whapi
        .upload_media(&Upload {
            bytes: JPEG,
            mime_type: "image/jpeg",
            filename: "box.jpg",
        })
        .await
        .unwrap();
    let sent = whapi
        .send(
            &Recipient::phone("6281298765432"),
            &Outgoing {
                content: Content::Media(MediaMessage {
                    kind: MessageKind::Image,
                    media_id: id,
                    caption: Some("Ini fotonya".into()),
                    filename: None,
                }),
                reply_to: Some("Hs0vC1mQ2nL.xT7-gBgTwl0rVw".into()),
            },
            "",
        )
        .await
        .unwrap();
    assert_eq!(sent.provider_message_id, "out-1");
}
