//! An open event stream lives as long as its session: a deactivation, a password reset, a
//! logout or the session's expiry ends it within seconds. And whenever the hub cannot prove a
//! subscriber got every event, the subscriber is told to reload.

use crate::helpers::TestApp;
use futures::StreamExt;
use model::Role;
use reqwest::{Client, StatusCode};
use sqlx::PgPool;
use std::time::Duration;

/// Whether the stream's body ends within `secs` (keep-alives and events are read past).
async fn ends_within(res: reqwest::Response, secs: u64) -> bool {
    let mut body = res.bytes_stream();
    let read_to_end = async {
        while let Some(chunk) = body.next().await {
            if chunk.is_err() {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(secs), read_to_end)
        .await
        .is_ok()
}

async fn open(app: &TestApp, client: &Client) -> reqwest::Response {
    let res = client.get(app.url("/api/events")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_agents_open_stream_ends_when_an_admin_deactivates_them(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let (admin, _) = app.signed_in("admin", Role::Admin).await;
    let (agent, rina) = app.signed_in("rina", Role::Agent).await;
    let stream = open(&app, &agent).await;
    app.deactivate(&admin, &rina).await;
    assert!(
        ends_within(stream, 5).await,
        "the stream outlived the account"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_open_stream_ends_on_a_password_reset_a_logout_and_expiry(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let (admin, _) = app.signed_in("admin", Role::Admin).await;

    let (agent, rina) = app.signed_in("rina", Role::Agent).await;
    let stream = open(&app, &agent).await;
    let res = app
        .call(
            &admin,
            "admin/reset_password",
            &[
                ("user_id", &rina.user_id.to_string()),
                ("password", "a-new-long-password"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        ends_within(stream, 5).await,
        "the stream outlived the password"
    );

    let (agent, _) = app.signed_in("tari", Role::Agent).await;
    let stream = open(&app, &agent).await;
    assert_eq!(
        app.call(&agent, "logout", &[]).await.status(),
        StatusCode::OK
    );
    assert!(
        ends_within(stream, 5).await,
        "the stream outlived the logout"
    );

    let (agent, _) = app.signed_in("budi", Role::Agent).await;
    let stream = open(&app, &agent).await;
    sqlx::query("update tower_sessions.session set expiry_date = now() - interval '1 second'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert!(
        ends_within(stream, 5).await,
        "the stream outlived its session"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_stream_whose_session_stands_stays_open(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let (agent, _) = app.signed_in("rina", Role::Agent).await;
    let stream = open(&app, &agent).await;
    // Three checks pass.
    assert!(
        !ends_within(stream, 7).await,
        "a valid session lost its stream"
    );
}

/// The process checks all its streams' sessions in one query: a session that ends closes its
/// own streams (both tabs of it), and only those.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn one_check_for_all_streams_closes_only_those_of_an_ended_session(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let (admin, _) = app.signed_in("admin", Role::Admin).await;
    let (rina, rina_user) = app.signed_in("rina", Role::Agent).await;
    let (budi, _) = app.signed_in("budi", Role::Agent).await;
    let rina_tabs = [open(&app, &rina).await, open(&app, &rina).await];
    let budi_tab = open(&app, &budi).await;
    let admin_tab = open(&app, &admin).await;
    app.deactivate(&admin, &rina_user).await;
    let [first, second] = rina_tabs;
    let (first, second, budi_open, admin_open) = tokio::join!(
        ends_within(first, 6),
        ends_within(second, 6),
        ends_within(budi_tab, 6),
        ends_within(admin_tab, 6),
    );
    assert!(first && second, "a deactivated agent's tab stayed open");
    assert!(
        !budi_open && !admin_open,
        "another user's stream was closed"
    );
}

/// Events committed while the hub's LISTEN connection was away are replayed when it is back;
/// more than it can replay, and every subscriber is told to reload instead.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_replay_too_large_after_the_listener_reconnects_tells_subscribers_to_reload(
    pool: PgPool,
) {
    let app = TestApp::spawn(pool).await;
    let (agent, _) = app.signed_in("rina", Role::Agent).await;
    let stream = open(&app, &agent).await;
    // Committed without a notification, as if while the listener was away...
    sqlx::query(
        "insert into event (kind, payload)
         select 'chat.updated', '{}'::jsonb from generate_series(1, 2001)",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    // ...and the listener's connection drops.
    let ended: Vec<bool> = sqlx::query_scalar(
        "select pg_terminate_backend(pid) from pg_stat_activity
          where datname = current_database() and query ilike 'listen%'",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(ended, vec![true], "one listener");
    let mut body = stream.bytes_stream();
    let mut seen = String::new();
    let reload = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(Ok(chunk)) = body.next().await {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if seen.contains("event: reload") {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(
        reload,
        Ok(true),
        "no reload; {} events replayed instead",
        seen.matches("event: chat.updated").count()
    );
}
