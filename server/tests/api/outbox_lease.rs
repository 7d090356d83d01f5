//! The outbox's claims: a result is written only while its claim holds the row, and claims that
//! never recorded a result count against the attempts.

use crate::outbox::{meta_mock, setup, Flaky};
use inbox::outbox::Outcome;
use reqwest::StatusCode;
use sqlx::PgPool;
use std::sync::Arc;

/// A reply claimed as often as the attempts allow, each time without a recorded result (the
/// process died mid-send, or its bookkeeping kept failing): each of those sends may have
/// reached the customer. It is not sent again: it fails, saying why.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn claims_that_never_recorded_a_result_count_against_the_attempts(pool: PgPool) {
    let mock = meta_mock(Flaky {
        calls: Arc::default(),
        fail: |_| false,
    })
    .await;
    let (app, agent, chat) = setup(pool, &mock).await;
    assert_eq!(
        app.reply(&agent, chat, "Pesanan dikirim").await.status(),
        StatusCode::OK
    );
    // Ten claims (the default budget) whose leases ran out without a result.
    sqlx::query("update outbox set attempts = 10, locked_until = now() - interval '1 second'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(app.drain_outbox().await, vec![Outcome::Failed]);
    assert!(
        mock.received_requests().await.unwrap().is_empty(),
        "sent an eleventh time"
    );
    let (status, reason): (String, Option<String>) =
        sqlx::query_as("select status, error_reason from message where direction = 'out'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(status, "failed");
    assert!(reason.unwrap_or_default().contains("may have been sent"));
}

/// A send whose lease ran out and was claimed again elsewhere: its result is not written over
/// the new claim's row (which decides what happens next), but the message says it was sent.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_send_that_lost_its_lease_leaves_the_row_to_the_new_claim(pool: PgPool) {
    let mock = meta_mock(Flaky {
        calls: Arc::default(),
        fail: |_| false,
    })
    .await;
    let (app, agent, chat) = setup(pool, &mock).await;
    assert_eq!(
        app.reply(&agent, chat, "Pesanan dikirim").await.status(),
        StatusCode::OK
    );
    let job = inbox::db::outbox::claim(&app.pool, std::time::Duration::from_secs(30))
        .await
        .unwrap()
        .expect("claimed");
    // Another worker claims it again after the lease (attempt 2), then this one's result comes.
    sqlx::query("update outbox set attempts = attempts + 1")
        .execute(&app.pool)
        .await
        .unwrap();
    let mut conn = app.pool.acquire().await.unwrap();
    assert!(
        !inbox::db::outbox::remove(&mut conn, job.outbox_id, job.attempts)
            .await
            .unwrap(),
        "the old claim removed the new claim's row"
    );
    assert_eq!(app.count("select count(*) from outbox").await, 1);
}
