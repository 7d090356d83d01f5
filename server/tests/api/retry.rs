//! Retry follows the rules of a reply: only someone who may answer the chat may send a failed
//! reply again, and not as free text once Meta's 24-hour window has closed.

use crate::outbox::{meta_error, meta_ok, setup};
use inbox::outbox::Outcome;
use model::Role;
use reqwest::StatusCode;
use sqlx::PgPool;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer};

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn retry_is_refused_to_another_agent_and_outside_the_24_hour_window(pool: PgPool) {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(meta_error(400, 131026, "Message undeliverable"))
        .up_to_n_times(1)
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .respond_with(meta_ok(1))
        .mount(&mock)
        .await;
    // Rina's reply takes the chat over (it is hers now), then fails at the provider.
    let (app, rina, chat) = setup(pool, &mock).await;
    app.reply(&rina, chat, "halo").await;
    assert_eq!(app.drain_outbox().await, vec![Outcome::Failed]);
    let id: i64 = sqlx::query_scalar("select message_id from message where direction = 'out'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let id = id.to_string();

    // Another agent may read the chat, but not send in it.
    let (dewi, _) = app.signed_in("dewi", Role::Agent).await;
    let res = app.call(&dewi, "chats/retry", &[("message_id", &id)]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // The customer wrote 25 hours ago: Meta would refuse free text.
    sqlx::query("update chat set last_customer_message_at = now() - interval '25 hours'")
        .execute(&app.pool)
        .await
        .unwrap();
    let res = app.call(&rina, "chats/retry", &[("message_id", &id)]).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("outside_24h_window"));
    assert!(app.drain_outbox().await.is_empty());
    assert_eq!(
        mock.received_requests().await.unwrap().len(),
        1,
        "nothing re-sent"
    );

    // Within the window, the agent whose chat it is sends it again.
    sqlx::query("update chat set last_customer_message_at = now()")
        .execute(&app.pool)
        .await
        .unwrap();
    let res = app.call(&rina, "chats/retry", &[("message_id", &id)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.drain_outbox().await, vec![Outcome::Sent]);
}
