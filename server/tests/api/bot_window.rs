//! The bot never makes ingest fail: a customer message that arrives after Meta's 24-hour window
//! has closed (Meta redelivers old webhooks after an outage; phones send queued messages late)
//! is stored, and the bot, which may not answer it with free text, stays silent.

use crate::helpers::{provider_config, TestApp, META};
use bot::{BotSettings, MatchType};
use reqwest::StatusCode;
use sqlx::PgPool;

/// `meta_text`, with the message sent `hours` ago.
fn meta_text_sent_hours_ago(from: &str, wamid: &str, text: &str, hours: i64) -> Vec<u8> {
    let mut body: serde_json::Value =
        serde_json::from_slice(&META.text(from, wamid, text)).unwrap();
    let at = (chrono::Utc::now() - chrono::Duration::hours(hours)).timestamp();
    body["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = at.to_string().into();
    serde_json::to_vec(&body).unwrap()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_bot_chat_message_older_than_24_hours_is_stored_once_and_not_answered(pool: PgPool) {
    // No provider is called: the mock address is never reached.
    let app = TestApp::spawn_with(pool, provider_config("http://127.0.0.1:9")).await;
    let mut conn = app.pool.acquire().await.unwrap();
    inbox::db::bot_rules::save(
        &mut conn,
        None,
        "halo",
        MatchType::Exact,
        "Halo kak!",
        true,
        &[],
    )
    .await
    .unwrap();
    let settings = BotSettings {
        fallback_reply: Some("Maaf, kami belum mengerti.".into()),
        ..BotSettings::default()
    };
    inbox::db::settings::put(&mut conn, inbox::db::settings::BOT, &settings)
        .await
        .unwrap();
    drop(conn);

    let body = meta_text_sent_hours_ago("6281311112222", "wamid.LATE1", "halo", 30);
    let res = app.post_meta(&body).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    // Redelivered, as Meta does: still once.
    assert_eq!(app.post_meta(&body).await.status(), StatusCode::OK);
    assert_eq!(
        app.count("select count(*) from message where direction = 'in'")
            .await,
        1
    );
    assert_eq!(
        app.count("select count(*) from chat where mode = 'bot'")
            .await,
        1
    );
    assert_eq!(
        app.count("select count(*) from message where sender_kind = 'bot'")
            .await,
        0
    );
    assert_eq!(app.count("select count(*) from outbox").await, 0);

    // A new chat's first message that matches no rule would get the fallback: also silent.
    let body = meta_text_sent_hours_ago("6281333334444", "wamid.LATE2", "apa kabar", 30);
    assert_eq!(app.post_meta(&body).await.status(), StatusCode::OK);
    assert_eq!(
        app.count("select count(*) from message where direction = 'in'")
            .await,
        2
    );
    assert_eq!(app.count("select count(*) from outbox").await, 0);
}
