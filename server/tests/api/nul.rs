//! Text PostgreSQL refuses (U+0000, valid in JSON but not in `text` or `jsonb`) never costs a
//! message: it is removed where the body is parsed, and the rest is stored, wherever it was (the
//! text, the profile name, any other field of the raw JSON).

use crate::helpers::{provider_config, TestApp, META};
use reqwest::StatusCode;
use sqlx::PgPool;

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_nul_in_the_text_the_name_or_the_raw_json_is_removed_and_the_message_stored(
    pool: PgPool,
) {
    let app = TestApp::spawn_with(pool, provider_config("http://127.0.0.1:9")).await;
    let mut body: serde_json::Value =
        serde_json::from_slice(&META.text("6281377778888", "wamid.NUL", "x")).unwrap();
    let value = &mut body["entry"][0]["changes"][0]["value"];
    value["messages"][0]["text"]["body"] = "ha\u{0}lo".into();
    value["contacts"][0]["profile"]["name"] = "Bu\u{0}di".into();
    value["messages"][0]["extra\u{0}"] = "odd\u{0}field".into();
    let body = serde_json::to_vec(&body).unwrap();
    assert!(
        String::from_utf8_lossy(&body).contains("\\u0000"),
        "the NULs travel escaped"
    );

    let res = app.post_meta(&body).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let (text, name, raw): (String, String, serde_json::Value) = sqlx::query_as(
        "select m.body, ct.display_name, m.raw from message m join chat c using (chat_id)
           join contact ct using (contact_id) where m.direction = 'in'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((text.as_str(), name.as_str()), ("halo", "Budi"));
    assert_eq!(raw["extra"], "oddfield");
    // Redelivered: still once.
    assert_eq!(app.post_meta(&body).await.status(), StatusCode::OK);
    assert_eq!(
        app.count("select count(*) from message where direction = 'in'")
            .await,
        1
    );
}
