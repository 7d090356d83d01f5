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
