//! What customers share besides text: a place (fixture `meta_location.json`) keeps its
//! coordinates for the map link, contact cards (`meta_contacts.json`) their numbers for "Start
//! chat", and a reaction (`meta_reaction.json`: 👍, then taken back) shows on the message it
//! reacts to instead of as a message of its own.

use crate::helpers::{fixture, provider_config, TestApp, META, META_PHONE_ID};
use crate::outbox::meta_ok;
use inbox::outbox::Outcome;
use model::{MessageKind, Role};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

async fn message_of(app: &TestApp, kind: &str) -> model::MessageView {
    let id: i64 = sqlx::query_scalar("select message_id from message where kind = $1")
        .bind(kind)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    crate::outgoing_files::view(app, id).await
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn places_and_contact_cards_keep_what_the_bubble_needs(pool: PgPool) {
    let app = TestApp::spawn_with(pool, provider_config("http://127.0.0.1:9")).await;
    for name in ["meta_location.json", "meta_contacts.json"] {
        assert_eq!(app.post_meta(&fixture(name)).await.status(), StatusCode::OK);
    }
    let place = message_of(&app, "location").await;
    let l = place.location.expect("the place");
    assert_eq!(
        (l.latitude.as_str(), l.longitude.as_str()),
        ("-6.1944491", "106.8229198")
    );
    assert_eq!(
        l.map_url().as_deref(),
        Some("https://www.google.com/maps/search/?api=1&query=-6.1944491,106.8229198")
    );
    assert_eq!(
        model::join_place(&l),
        "Grand Indonesia, Jl. M.H. Thamrin No.1, Jakarta Pusat"
    );
    let card = message_of(&app, "contacts").await;
    assert_eq!(card.contacts.len(), 1);
    assert_eq!(card.contacts[0].name.as_deref(), Some("Dewi Lestari"));
    assert_eq!(card.contacts[0].phones, ["6281234567890"]);
    // A redelivery keeps them as they were.
    assert_eq!(
        app.post_meta(&fixture("meta_contacts.json")).await.status(),
        StatusCode::OK
    );
    assert_eq!(message_of(&app, "contacts").await.contacts, card.contacts);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_reaction_shows_on_the_message_it_reacts_to(pool: PgPool) {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/{META_PHONE_ID}/messages")))
        .respond_with(meta_ok(1))
        .mount(&mock)
        .await;
    let app = TestApp::spawn_with(pool, provider_config(&mock.uri())).await;
    app.post_meta(&META.text("6281298765432", "wamid.hi", "permisi"))
        .await;
    let chat: i64 = sqlx::query_scalar("select chat_id from chat")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (agent, _) = app.signed_in("rina", Role::Agent).await;
    assert_eq!(
        app.reply(&agent, chat, "Siap kak").await.status(),
        StatusCode::OK
    );
    assert_eq!(app.drain_outbox().await, vec![Outcome::Sent]);
    let (reply_id, wamid): (i64, String) = sqlx::query_as(
        "select message_id, provider_message_id from message where direction = 'out'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();

    // The fixture's two reactions (👍, then taken back), aimed at our reply, one at a time.
    let mut body: Value = serde_json::from_slice(&fixture("meta_reaction.json")).unwrap();
    let all = body["entry"][0]["changes"][0]["value"]["messages"].clone();
    for (i, reaction) in all.as_array().unwrap().iter().enumerate() {
        let mut reaction = reaction.clone();
        reaction["reaction"]["message_id"] = json!(wamid);
        body["entry"][0]["changes"][0]["value"]["messages"] = json!([reaction]);
        let res = app.post_meta(&serde_json::to_vec(&body).unwrap()).await;
        assert_eq!(res.status(), StatusCode::OK);
        let shown = crate::outgoing_files::view(&app, reply_id).await;
        let expected = (i == 0).then(|| "👍".to_string());
        assert_eq!(shown.reaction, expected, "reaction {i}");
    }
    // The conversation shows no bubble of its own for them.
    let mut conn = app.pool.acquire().await.unwrap();
    let page = inbox::db::messages::page(&mut conn, model::ChatId(chat), None, 50)
        .await
        .unwrap();
    assert!(page.iter().all(|m| m.kind != MessageKind::Reaction));
    let messages: Vec<_> = page
        .iter()
        .filter(|m| m.sender_kind != model::SenderKind::System)
        .map(|m| m.body.as_deref())
        .collect();
    assert_eq!(messages, [Some("permisi"), Some("Siap kak")]);
    // And browsers were told: the reply's update carries the emoji.
    let updates: Vec<Value> = sqlx::query_scalar(
        "select payload from event where kind = 'message.updated' order by event_id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(
        updates.iter().any(|e| e.to_string().contains("👍")),
        "a live update with the reaction: {updates:?}"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_agent_reacts_to_a_customers_message(pool: PgPool) {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/{META_PHONE_ID}/messages")))
        .respond_with(meta_ok(7))
        .mount(&mock)
        .await;
    Mock::given(path("/messages/whapi-in-1/reaction"))
        .respond_with(
            wiremock::ResponseTemplate::new(200).set_body_json(json!({ "success": true })),
        )
        .mount(&mock)
        .await;
    let app = TestApp::spawn_with(pool, provider_config(&mock.uri())).await;
    app.post_meta(&META.text("6281298765432", "wamid.hi", "paketnya sudah sampai"))
        .await;
    let (chat, hi): (i64, i64) = sqlx::query_as("select chat_id, message_id from message")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (agent, _) = app.signed_in("rina", Role::Agent).await;
    let react = |emoji: &'static str, message: i64| {
        let (app, agent) = (&app, &agent);
        async move {
            app.call(
                agent,
                "chats/react",
                &[
                    ("chat_id", &chat.to_string()),
                    ("message_id", &message.to_string()),
                    ("emoji", emoji),
                ],
            )
            .await
        }
    };
    let res = react("💩", hi).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.json::<Value>().await.unwrap()["Invalid"]["reason"],
        "reaction_invalid"
    );
    let res = react("🙏", hi).await;
    assert_eq!(res.status(), StatusCode::OK);
    let shown: model::MessageView = res.json().await.unwrap();
    assert_eq!(shown.reaction.as_deref(), Some("🙏"));
    assert_eq!(app.drain_outbox().await, vec![Outcome::Sent]);
    let sent: Vec<Value> = mock
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path().ends_with("/messages"))
        .map(|r| r.body_json().unwrap())
        .collect();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["type"], "reaction");
    assert_eq!(
        sent[0]["reaction"],
        json!({ "message_id": "wamid.hi", "emoji": "🙏" })
    );
    assert!(
        sent[0].get("context").is_none(),
        "a reaction quotes nothing"
    );
    // It does not take the chat over, and shows on the customer's message, not on its own.
    let mode: String = sqlx::query_scalar("select mode from chat")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(mode, "bot");
    let mut conn = app.pool.acquire().await.unwrap();
    let page = inbox::db::messages::page(&mut conn, model::ChatId(chat), None, 50)
        .await
        .unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].reaction.as_deref(), Some("🙏"));
    drop(conn);

    // Taken back: Meta gets an empty emoji, and the bubble shows none; taking back again sends
    // nothing.
    let res = react("", hi).await;
    assert_eq!(res.status(), StatusCode::OK);
    let shown: model::MessageView = res.json().await.unwrap();
    assert_eq!(shown.reaction, None);
    assert_eq!(app.drain_outbox().await, vec![Outcome::Sent]);
    let res = react("", hi).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.drain_outbox().await, vec![]);
    let sent: Vec<Value> = mock
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path().ends_with("/messages"))
        .map(|r| r.body_json().unwrap())
        .collect();
    assert_eq!(sent.len(), 2, "one take-back sent: {sent:?}");
    assert_eq!(
        sent[1]["reaction"],
        json!({ "message_id": "wamid.hi", "emoji": "" })
    );
    let mut conn = app.pool.acquire().await.unwrap();
    let page = inbox::db::messages::page(&mut conn, model::ChatId(chat), None, 50)
        .await
        .unwrap();
    assert_eq!(page[0].reaction, None);
    drop(conn);

    // Whapi: its own endpoint.
    let mut body: Value = serde_json::from_slice(&fixture("whapi_text.json")).unwrap();
    body["messages"][0]["id"] = json!("whapi-in-1");
    assert_eq!(
        app.post_whapi(&serde_json::to_vec(&body).unwrap())
            .await
            .status(),
        StatusCode::OK
    );
    let (whapi_chat, whapi_msg): (i64, i64) = sqlx::query_as(
        "select chat_id, message_id from message where provider_message_id = 'whapi-in-1'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let res = app
        .call(
            &agent,
            "chats/react",
            &[
                ("chat_id", &whapi_chat.to_string()),
                ("message_id", &whapi_msg.to_string()),
                ("emoji", "👍"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.drain_outbox().await, vec![Outcome::Sent]);
    let put = mock
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.url.path() == "/messages/whapi-in-1/reaction")
        .expect("Whapi's reaction call");
    assert_eq!(put.body_json::<Value>().unwrap(), json!({ "emoji": "👍" }));
    // Taken back with Whapi's DELETE.
    let res = app
        .call(
            &agent,
            "chats/react",
            &[
                ("chat_id", &whapi_chat.to_string()),
                ("message_id", &whapi_msg.to_string()),
                ("emoji", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.drain_outbox().await, vec![Outcome::Sent]);
    let deleted = mock
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| {
            r.url.path() == "/messages/whapi-in-1/reaction" && r.method.as_str() == "DELETE"
        })
        .count();
    assert_eq!(deleted, 1, "Whapi's removal call");
}
