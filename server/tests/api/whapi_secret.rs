//! Whapi does not sign its webhooks: its channel always has a secret.

use crate::helpers::{fixture, TestApp};
use reqwest::StatusCode;
use sqlx::PgPool;

/// Whapi does not sign its webhooks. A Whapi channel configured without a secret still never
/// takes unauthenticated input: it gets a generated secret, stored with the channel (the same
/// across restarts), and only requests that carry it are taken.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_whapi_channel_without_a_secret_gets_one_and_unsigned_webhooks_are_refused(pool: PgPool) {
    let config = || {
        let mut config = crate::helpers::provider_config("http://127.0.0.1:9");
        config.whapi.as_mut().unwrap().webhook_secret = None;
        config
    };
    let app = TestApp::spawn_with(pool.clone(), config()).await;
    assert!(app.channels.whapi_secret_generated);
    let path = app.channels.whapi_webhook_path().expect("a webhook path");
    let res = reqwest::Client::new()
        .post(app.url("/webhook/whapi"))
        .body(fixture("whapi_text.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "a forged message was taken"
    );
    assert_eq!(app.count("select count(*) from message").await, 0);
    let res = reqwest::Client::new()
        .post(app.url(&path))
        .body(fixture("whapi_text.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.count("select count(*) from message").await, 1);

    // A restart keeps the secret the provider was given.
    drop(app);
    let again = TestApp::spawn_with(pool, config()).await;
    assert!(!again.channels.whapi_secret_generated);
    assert_eq!(again.channels.whapi_webhook_path(), Some(path));
}
