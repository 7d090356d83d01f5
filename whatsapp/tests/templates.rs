//! Templates from Meta's list (fixture `meta_template_list.json`): parsed, their variables,
//! the refusal of an empty value (naming it), the rendered text, and Meta's send format.

use serde_json::{json, Value};
use whatsapp::templates::{placeholders, Header, MediaFormat, Template, TemplateRefusal};
use whatsapp::{Content, MetaConfig, MetaProvider, Outgoing, Provider, Recipient};
use wiremock::matchers::{body_partial_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn list() -> Vec<Template> {
    let raw: Value = serde_json::from_slice(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/graph/meta_template_list.json"
        ))
        .unwrap(),
    )
    .unwrap();
    raw["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Template::from_graph)
        .collect()
}

#[test]
fn the_list_parses_with_its_variables_and_examples() {
    let t = list();
    assert_eq!(t.len(), 3);
    let order = &t[0];
    assert_eq!(
        (order.name.as_str(), order.language.as_str()),
        ("konfirmasi_pesanan", "id")
    );
    assert!(order.approved());
    assert_eq!(order.category, "UTILITY");
    assert_eq!(order.footer.as_deref(), Some("Toko Sinar"));
    let vars = order.variables();
    assert_eq!(
        vars.iter().map(|v| v.key.as_str()).collect::<Vec<_>>(),
        ["body.1", "body.2"]
    );
    assert_eq!(vars[0].label, "{{1}}");
    assert_eq!(vars[0].example.as_deref(), Some("Rina"));
    let promo = &t[1];
    assert_eq!(promo.header, Some(Header::Media(MediaFormat::Image)));
    assert_eq!(promo.variables()[0].key, "header.media");
    let track = &t[2];
    let keys: Vec<String> = track.variables().into_iter().map(|v| v.key).collect();
    assert_eq!(keys, ["body.1", "body.2", "button.0"]);
}

#[test]
fn an_empty_variable_is_refused_by_name_and_never_sent_blank() {
    let t = list();
    assert_eq!(
        t[0].fill(&["Rina".into(), "  ".into()]),
        Err(TemplateRefusal::Missing("{{2}}".into()))
    );
    assert_eq!(
        t[0].fill(&["Rina".into()]),
        Err(TemplateRefusal::Count {
            expected: 2,
            given: 1
        })
    );
    let mut paused = t[0].clone();
    paused.status = "PAUSED".into();
    assert_eq!(
        paused.fill(&["a".into(), "b".into()]),
        Err(TemplateRefusal::NotApproved("PAUSED".into()))
    );
}

#[test]
fn the_rendered_text_is_the_template_with_its_values() {
    let t = list();
    let filled = t[0].fill(&["Rina".into(), "INV-2231".into()]).unwrap();
    assert_eq!(
        filled.text(),
        "Halo Rina, pesanan INV-2231 sudah kami terima dan sedang kami proses. Terima kasih sudah belanja di Toko Sinar!\n\nToko Sinar"
    );
    let track = t[2]
        .fill(&["INV-9".into(), "JNE".into(), "JNE 01/23".into()])
        .unwrap();
    assert!(track.text().ends_with("[Lacak paket]"));
}

#[test]
fn the_send_object_is_metas_format() {
    let t = list();
    let track = t[2]
        .fill(&["INV-9".into(), "JNE".into(), "Gonçalves 1".into()])
        .unwrap();
    assert_eq!(
        track.send_object(),
        json!({
            "name": "lacak_pengiriman", "language": { "code": "id" },
            "components": [
                { "type": "body", "parameters": [ { "type": "text", "text": "INV-9" }, { "type": "text", "text": "JNE" } ] },
                { "type": "button", "sub_type": "url", "index": "0",
                  "parameters": [ { "type": "text", "text": "Gon%C3%A7alves%201" } ] }
            ]
        })
    );
    let promo = t[1]
        .fill(&["https://cdn.example/p.jpg".into(), "Budi".into()])
        .unwrap();
    assert_eq!(
        promo.send_object()["components"][0],
        json!({ "type": "header", "parameters": [ { "type": "image", "image": { "link": "https://cdn.example/p.jpg" } } ] })
    );
}

#[test]
fn an_attached_file_is_the_media_header_sent_by_its_uploaded_id() {
    let t = list();
    let promo = t[1]
        .fill_with_header_file(&["Budi".into()], MediaFormat::Image)
        .unwrap();
    let text = promo.text();
    assert!(
        text.starts_with("Hai Budi!"),
        "no link or file name in the text: {text}"
    );
    let mut object = promo.send_object();
    assert_eq!(
        object["components"][0],
        json!({ "type": "header", "parameters": [ { "type": "image", "image": { "id": "" } } ] })
    );
    assert!(whatsapp::templates::waits_for_header_media(&object));
    assert!(whatsapp::templates::set_header_media(
        &mut object,
        "4490709327384033",
        Some("promo.jpg")
    ));
    assert!(!whatsapp::templates::waits_for_header_media(&object));
    assert_eq!(
        object["components"][0]["parameters"][0],
        json!({ "type": "image", "image": { "id": "4490709327384033" } }),
        "a file name only on documents"
    );
    // The wrong kind of file, a file for a template without a media header, an empty value.
    assert_eq!(
        t[1].fill_with_header_file(&["Budi".into()], MediaFormat::Document),
        Err(TemplateRefusal::HeaderFile {
            expected: Some("image")
        })
    );
    assert_eq!(
        t[0].fill_with_header_file(&["Rina".into(), "INV-1".into()], MediaFormat::Image),
        Err(TemplateRefusal::HeaderFile { expected: None })
    );
    assert_eq!(
        t[1].fill_with_header_file(&[" ".into()], MediaFormat::Image),
        Err(TemplateRefusal::Missing("{{1}}".into()))
    );
    let mut order = t[0]
        .fill(&["Rina".into(), "INV-1".into()])
        .unwrap()
        .send_object();
    assert!(!whatsapp::templates::set_header_media(
        &mut order, "1", None
    ));
}

#[test]
fn named_variables_carry_their_names() {
    let t = Template::from_graph(&json!({
        "name": "sapa", "language": "en_US", "status": "APPROVED", "category": "MARKETING",
        "parameter_format": "NAMED", "id": "9",
        "components": [{ "type": "BODY", "text": "Hi {{first_name}}, your code {{ code }}",
                         "example": { "body_text_named_params": [
                             { "param_name": "first_name", "example": "Rina" },
                             { "param_name": "code", "example": "A1" } ] } }]
    }))
    .unwrap();
    assert_eq!(placeholders(&t.body), ["first_name", "code"]);
    assert_eq!(t.variables()[0].example.as_deref(), Some("Rina"));
    let f = t.fill(&["Rina".into(), "A1".into()]).unwrap();
    assert_eq!(f.text(), "Hi Rina, your code A1");
    assert_eq!(
        f.send_object()["components"][0]["parameters"][0],
        json!({ "type": "text", "parameter_name": "first_name", "text": "Rina" })
    );
    // Positional ones in number order, whatever their order in the text.
    assert_eq!(placeholders("{{2}} then {{1}} and {{2}}"), ["1", "2"]);
}

fn meta_at(base: &str) -> MetaProvider {
    MetaProvider::new(
        MetaConfig {
            graph_url: format!("{base}/v25.0"),
            access_token: "EAAG-test-token".into(),
            phone_number_id: "106540352242922".into(),
            business_account_id: "102290129340398".into(),
            app_secret: "s".into(),
            verify_token: "v".into(),
        },
        reqwest::Client::new(),
    )
}

/// Meta's list, in two pages: the first names the second in `paging.next`.
#[tokio::test]
async fn meta_lists_every_page_of_templates_and_sends_one() {
    let server = MockServer::start().await;
    let mut first: Value = serde_json::from_slice(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/graph/meta_template_list.json"
        ))
        .unwrap(),
    )
    .unwrap();
    first["paging"]["next"] = json!(format!(
        "{}/v25.0/102290129340398/message_templates?after=PAGE2",
        server.uri()
    ));
    Mock::given(method("GET"))
        .and(path("/v25.0/102290129340398/message_templates"))
        .and(query_param("after", "PAGE2"))
        .and(header("authorization", "Bearer EAAG-test-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": [
            { "name": "sapa_pagi", "language": "en_US", "status": "PAUSED", "category": "MARKETING",
              "id": "77", "components": [{ "type": "BODY", "text": "Good morning" }] }
        ]})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v25.0/102290129340398/message_templates"))
        .and(query_param("limit", "100"))
        .and(header("authorization", "Bearer EAAG-test-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(first))
        .mount(&server)
        .await;
    let meta = meta_at(&server.uri());
    let list = meta.templates().await.unwrap();
    let names: Vec<&str> = list.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "konfirmasi_pesanan",
            "promo_gajian_gambar",
            "lacak_pengiriman",
            "sapa_pagi"
        ]
    );
    assert!(!list[3].approved());

    let filled = list[0].fill(&["Rina".into(), "INV-2231".into()]).unwrap();
    Mock::given(method("POST"))
        .and(path("/v25.0/106540352242922/messages"))
        .and(body_partial_json(json!({
            "type": "template", "to": "+6281298765432",
            "template": { "name": "konfirmasi_pesanan", "language": { "code": "id" },
                          "components": [{ "type": "body", "parameters": [
                              { "type": "text", "text": "Rina" }, { "type": "text", "text": "INV-2231" } ] }] }
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messaging_product": "whatsapp", "messages": [{ "id": "wamid.tpl" }] })))
        .expect(1)
        .mount(&server)
        .await;
    let sent = meta
        .send(
            &Recipient::phone("6281298765432"),
            &Outgoing {
                content: Content::Template(filled.send_object()),
                reply_to: None,
            },
            "msg-1",
        )
        .await
        .unwrap();
    assert_eq!(sent.provider_message_id, "wamid.tpl");
}
