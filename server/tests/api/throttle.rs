//! Login throttling that holds under parallel guessing, a bounded amount of password hashing,
//! an owner who still gets in, and client addresses through a trusted proxy.

use crate::helpers::{test_config, TestApp};
use model::Role;
use reqwest::StatusCode;
use sqlx::PgPool;

async fn login_from(app: &TestApp, address: &str, username: &str, password: &str) -> StatusCode {
    app.client()
        .post(app.url("/api/login"))
        .header("x-forwarded-for", address)
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .unwrap()
        .status()
}

/// Fifty guesses at once: the check and the count are one step, so at most the limit (5) are
/// checked and the rest are refused before any hashing.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn fifty_parallel_wrong_passwords_check_at_most_five(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.create_user("rina", Role::Agent, "rina-password").await;
    let guesses = (0..50).map(|i| {
        let app = &app;
        async move {
            app.login(&app.client(), "rina", &format!("wrong-password-{i}"))
                .await
                .status()
        }
    });
    let statuses = futures::future::join_all(guesses).await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(checked <= 5, "{checked} guesses were checked: {statuses:?}");
    assert_eq!(checked + refused, 50, "{statuses:?}");
    assert_eq!(
        app.count("select count(*) from login_failure").await,
        checked as i64,
        "every checked guess counted, nothing else"
    );
}

/// An attacker who guesses from one place does not lock the owner out of their own account:
/// the right password from an address that has not failed still gets in. Addresses come from
/// `X-Forwarded-For` only when the peer is a trusted proxy.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_owner_still_gets_in_while_an_attacker_is_throttled(pool: PgPool) {
    let mut config = test_config();
    config.trusted_proxies = "127.0.0.1/32".parse().unwrap();
    let app = TestApp::spawn_with(pool, config).await;
    app.create_user("rina", Role::Agent, "rina-password").await;
    let attacker = "198.51.100.66";
    for _ in 0..5 {
        assert_eq!(
            login_from(&app, attacker, "rina", "guess").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        login_from(&app, attacker, "rina", "rina-password").await,
        StatusCode::TOO_MANY_REQUESTS,
        "the attacker's address is throttled, even with the right password"
    );
    assert_eq!(
        login_from(&app, "203.0.113.5", "rina", "rina-password").await,
        StatusCode::OK,
        "the owner, from an address that has not failed"
    );
    assert_eq!(
        login_from(&app, attacker, "rina", "guess").await,
        StatusCode::TOO_MANY_REQUESTS,
        "the owner's login does not forgive the attacker"
    );
}

/// Without trusted proxies, a forged `X-Forwarded-For` changes nothing: each new header is not
/// a new address.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_forged_forwarded_for_is_ignored_by_default(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.create_user("rina", Role::Agent, "rina-password").await;
    for i in 0..5 {
        let status = login_from(&app, &format!("198.51.100.{i}"), "rina", "guess").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        login_from(&app, "198.51.100.99", "rina", "guess").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_very_long_username_is_refused_without_a_query(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let long = "a".repeat(100_000);
    let res = app.login(&app.client(), &long, "whatever-password").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("select count(*) from login_failure").await, 0);
}
