//! Sessions: sign in and out, rotation, throttling, deactivation, surviving a restart, probes.

use crate::helpers::{session_cookie, TestApp};
use model::{Role, UserInfo};
use reqwest::StatusCode;
use sqlx::PgPool;

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn login_sets_a_hardened_cookie_and_logout_ends_the_session(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.create_user("rina", Role::Agent, "rina-password").await;
    let client = app.client();
    let res = app.login(&client, "rina", "rina-password").await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = session_cookie(&res).expect("session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    let me: Option<UserInfo> = app.call(&client, "me", &[]).await.json().await.unwrap();
    assert_eq!(me.unwrap().username, "rina");

    let res = app.call(&client, "logout", &[]).await;
    assert!(
        res.status().is_redirection() || res.status().is_success(),
        "{}",
        res.status()
    );
    let me: Option<UserInfo> = app.call(&client, "me", &[]).await.json().await.unwrap();
    assert!(me.is_none());
    let res = app.page(&client, "/inbox").await;
    assert_eq!(
        res.status(),
        StatusCode::FOUND,
        "the inbox needs a session again"
    );
    assert_eq!(
        res.headers()["cache-control"],
        "no-store",
        "pages must not be cached"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn session_id_changes_at_login(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.create_user("rina", Role::Agent, "rina-password").await;
    let client = app.client();
    let first = session_cookie(&app.login(&client, "rina", "rina-password").await).unwrap();
    let second = session_cookie(&app.login(&client, "rina", "rina-password").await).unwrap();
    let id = |c: &str| c.split(';').next().unwrap().to_string();
    assert_ne!(id(&first), id(&second));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn wrong_username_and_wrong_password_get_the_same_answer(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.create_user("rina", Role::Agent, "rina-password").await;
    let wrong_password = app.login(&app.client(), "rina", "nope-nope").await;
    let wrong_user = app.login(&app.client(), "nobody", "nope-nope").await;
    assert_eq!(wrong_password.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_user.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong_password.text().await.unwrap(),
        wrong_user.text().await.unwrap()
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn repeated_failures_for_an_account_are_refused_with_429(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.create_user("rina", Role::Agent, "rina-password").await;
    for attempt in 1..=5 {
        let res = app.login(&app.client(), "rina", "wrong-password").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    // Even the right password is refused now, with a clear answer and Retry-After.
    let res = app.login(&app.client(), "RINA", "rina-password").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after > 0 && retry_after <= 15 * 60, "{retry_after}");
    assert!(res.text().await.unwrap().contains("TooManyRequests"));
    // Another account from the same address is not locked by this one.
    app.create_user("budi", Role::Agent, "budi-password").await;
    assert_eq!(
        app.login(&app.client(), "budi", "budi-password")
            .await
            .status(),
        StatusCode::OK
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn repeated_failures_from_one_address_are_refused_with_429(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.create_user("rina", Role::Agent, "rina-password").await;
    for i in 0..20 {
        let res = app
            .login(&app.client(), &format!("guess{i}"), "wrong-password")
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let res = app.login(&app.client(), "rina", "rina-password").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn deactivating_a_user_ends_their_sessions_at_once(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let (admin, _) = app.signed_in("boss", Role::Admin).await;
    let (agent, rina) = app.signed_in("rina", Role::Agent).await;
    let me: Option<UserInfo> = app.call(&agent, "me", &[]).await.json().await.unwrap();
    assert!(me.is_some());

    let id = rina.user_id.to_string();
    let res = app
        .call(
            &admin,
            "admin/set_user_active",
            &[("user_id", &id), ("active", "false")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let me: Option<UserInfo> = app.call(&agent, "me", &[]).await.json().await.unwrap();
    assert!(me.is_none(), "the old session no longer works");
    assert_eq!(
        app.login(&app.client(), "rina", "password-123")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );

    // Reactivated, she can sign in again, but the old session stays dead.
    app.call(
        &admin,
        "admin/set_user_active",
        &[("user_id", &id), ("active", "true")],
    )
    .await;
    let me: Option<UserInfo> = app.call(&agent, "me", &[]).await.json().await.unwrap();
    assert!(me.is_none());
    assert_eq!(
        app.login(&app.client(), "rina", "password-123")
            .await
            .status(),
        StatusCode::OK
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn sessions_survive_a_server_restart(pool: PgPool) {
    let first = TestApp::spawn(pool.clone()).await;
    let (client, _) = first.signed_in("rina", Role::Agent).await;
    drop(first);
    // A new server process on the same database (cookies are not bound to the port).
    let second = TestApp::spawn(pool).await;
    let me: Option<UserInfo> = second.call(&client, "me", &[]).await.json().await.unwrap();
    assert_eq!(me.unwrap().username, "rina");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn health_and_readiness_probes(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let res = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(
        (res.status(), res.text().await.unwrap()),
        (StatusCode::OK, "ok".to_string())
    );
    let res = reqwest::get(app.url("/readyz")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    app.pool.close().await;
    let res = reqwest::get(app.url("/readyz")).await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
}

/// The session row's expiry, and its stored "last extended" time moved `secs` into the past
/// (as if the agent had been working for that long).
async fn age_session(pool: &PgPool, secs: i64) {
    use tower_sessions::session::Record;
    let (id, data): (String, Vec<u8>) =
        sqlx::query_as("select id, data from tower_sessions.session")
            .fetch_one(pool)
            .await
            .unwrap();
    let mut record: Record = rmp_serde::from_slice(&data).unwrap();
    if let Some(touched) = record.data.get("touched").and_then(|t| t.as_i64()) {
        record
            .data
            .insert("touched".into(), (touched - secs).into());
    }
    sqlx::query(
        "update tower_sessions.session
            set data = $2, expiry_date = now() + interval '2 minutes' where id = $1",
    )
    .bind(&id)
    .bind(rmp_serde::to_vec(&record).unwrap())
    .execute(pool)
    .await
    .unwrap();
}

async fn minutes_left(pool: &PgPool) -> i64 {
    sqlx::query_scalar(
        "select (extract(epoch from expiry_date - now()) / 60)::bigint from tower_sessions.session",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

/// Idle expiry means idle: an agent at work is not signed out mid-shift. Activity extends the
/// session, with at most one session write a minute.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn activity_extends_the_session_at_most_once_a_minute(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let (client, _) = app.signed_in("rina", Role::Agent).await;
    let idle = crate::helpers::test_config().session_idle_minutes;
    assert!(
        idle > 10,
        "the test needs an idle expiry longer than 10 minutes"
    );

    // Extended 30 s ago: a request now does not write the session again.
    age_session(&app.pool, 30).await;
    let me: Option<UserInfo> = app.call(&client, "me", &[]).await.json().await.unwrap();
    assert!(me.is_some());
    assert_eq!(minutes_left(&app.pool).await, 2, "a write on every request");

    // Extended 61 s ago: this request extends it to the full idle time again.
    age_session(&app.pool, 61).await;
    let me: Option<UserInfo> = app.call(&client, "me", &[]).await.json().await.unwrap();
    assert!(me.is_some());
    let left = minutes_left(&app.pool).await;
    assert!(
        left >= idle - 1,
        "{left} of {idle} minutes left: activity did not extend the session"
    );
}
