//! Live events: fanned out through PostgreSQL, so a subscriber of one server process gets what
//! another process published; a reconnect with `Last-Event-ID` replays exactly what was missed;
//! a subscriber too far behind is told to reload.

use crate::helpers::{provider_config, TestApp, META};
use futures::StreamExt;
use model::Role;
use reqwest::StatusCode;
use sqlx::PgPool;
use std::time::{Duration, Instant};

/// One parsed Server-Sent Event.
#[derive(Debug, Clone, PartialEq)]
struct Sse {
    id: Option<i64>,
    event: String,
    data: String,
}

/// Reads events from an SSE response until `done` says so (or 10 s pass).
async fn read_until(res: reqwest::Response, done: impl Fn(&[Sse]) -> bool) -> Vec<Sse> {
    let mut stream = res.bytes_stream();
    let mut buf = String::new();
    let mut events = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done(&events) {
        let chunk = tokio::time::timeout_at(deadline.into(), stream.next())
            .await
            .expect("events in time")
            .unwrap()
            .unwrap();
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let mut e = Sse {
                id: None,
                event: String::new(),
                data: String::new(),
            };
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("id:") {
                    e.id = v.trim().parse().ok();
                } else if let Some(v) = line.strip_prefix("event:") {
                    e.event = v.trim().to_string();
                } else if let Some(v) = line.strip_prefix("data:") {
                    e.data.push_str(v.trim_start());
                }
            }
            if !e.event.is_empty() {
                events.push(e);
            }
        }
    }
    events
}

async fn demo_app(pool: PgPool) -> TestApp {
    TestApp::spawn_demo(pool).await
}

async fn customer_says(app: &TestApp, text: &str) {
    let res = app
        .call(
            &app.client(),
            "sandbox/send",
            &[("phone", "6281298765432"), ("name", "Budi"), ("text", text)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_event_published_by_one_process_reaches_a_subscriber_of_another(pool: PgPool) {
    let one = demo_app(pool.clone()).await;
    let two = demo_app(pool).await;
    let (agent, _) = two.signed_in("tari", Role::Agent).await;
    let res = agent.get(two.url("/api/events")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    customer_says(&one, "lewat proses satu").await;
    let events = read_until(res, |e| e.iter().any(|e| e.event == "chat.updated")).await;
    let created = events
        .iter()
        .find(|e| e.event == "message.created")
        .expect("message.created");
    let message: model::MessageView = serde_json::from_str(&created.data).unwrap();
    assert_eq!(message.body.as_deref(), Some("lewat proses satu"));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn reconnecting_with_last_event_id_delivers_the_missed_events_exactly_once(pool: PgPool) {
    let app = demo_app(pool).await;
    let (agent, _) = app.signed_in("tari", Role::Agent).await;
    customer_says(&app, "satu").await;
    let seen: i64 = app.count("select max(event_id) from event").await;
    // While the browser is away: two more messages (and their chat updates).
    customer_says(&app, "dua").await;
    customer_says(&app, "tiga").await;
    let missed: Vec<i64> =
        sqlx::query_scalar("select event_id from event where event_id > $1 order by event_id")
            .bind(seen)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(missed.len(), 4);

    let res = agent
        .get(app.url("/api/events"))
        .header("last-event-id", seen.to_string())
        .send()
        .await
        .unwrap();
    // ... and one more after reconnecting, which must come once, live.
    let after = {
        let app_url = app.url("/api/sandbox/send");
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            reqwest::Client::new()
                .post(app_url)
                .form(&[
                    ("phone", "6281298765432"),
                    ("name", "Budi"),
                    ("text", "empat"),
                ])
                .send()
                .await
                .unwrap();
        })
    };
    let events = read_until(res, |e| {
        e.iter().filter(|e| e.event == "message.created").count() >= 3
    })
    .await;
    after.await.unwrap();
    let ids: Vec<i64> = events.iter().filter_map(|e| e.id).collect();
    assert_eq!(&ids[..4], &missed[..], "the missed events first, in order");
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "each event once: {ids:?}");
    let texts: Vec<String> = events
        .iter()
        .filter(|e| e.event == "message.created")
        .map(|e| {
            serde_json::from_str::<model::MessageView>(&e.data)
                .unwrap()
                .body
                .unwrap()
        })
        .collect();
    assert_eq!(texts, vec!["dua", "tiga", "empat"]);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_subscriber_too_far_behind_is_told_to_reload(pool: PgPool) {
    let app = demo_app(pool).await;
    let (agent, _) = app.signed_in("tari", Role::Agent).await;
    sqlx::query("insert into event (kind, payload) select 'chat.updated', '{}'::jsonb from generate_series(1, 600)").execute(&app.pool).await.unwrap();
    let res = agent
        .get(app.url("/api/events"))
        .header("last-event-id", "1")
        .send()
        .await
        .unwrap();
    let events = read_until(res, |e| !e.is_empty()).await;
    assert_eq!(events[0].event, "reload");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_message_too_large_to_travel_in_the_notification_still_arrives_whole(pool: PgPool) {
    let app = demo_app(pool).await;
    let (agent, _) = app.signed_in("tari", Role::Agent).await;
    let res = agent.get(app.url("/api/events")).send().await.unwrap();
    // 4000 characters of 2 bytes each: the event is larger than NOTIFY allows inline.
    let long = "é".repeat(4000);
    customer_says(&app, &long).await;
    let events = read_until(res, |e| e.iter().any(|e| e.event == "message.created")).await;
    let created = events
        .iter()
        .find(|e| e.event == "message.created")
        .unwrap();
    let message: model::MessageView = serde_json::from_str(&created.data).unwrap();
    assert_eq!(message.body.as_deref(), Some(long.as_str()));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn signed_in_browsers_receive_new_messages_as_server_sent_events(pool: PgPool) {
    let app = TestApp::spawn_with(pool, provider_config("http://127.0.0.1:9")).await;
    let res = app
        .client()
        .get(app.url("/api/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    let (agent, _) = app.signed_in("rina", Role::Agent).await;
    let res = agent.get(app.url("/api/events")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let mut stream = res.bytes_stream();
    // The subscription is live once the response has started.
    app.post_meta(&META.text("6281298765432", "wamid.live", "<script>alert(1)</script>"))
        .await;
    let mut seen = String::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !(seen.contains("event: message.created") && seen.contains("event: chat.updated")) {
        let chunk = tokio::time::timeout_at(deadline.into(), stream.next())
            .await
            .expect("events in time")
            .unwrap()
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(
        seen.contains("<script>alert(1)</script>"),
        "the whole message, text included: {seen}"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn events_committed_while_the_listener_reconnects_still_reach_subscribers(pool: PgPool) {
    let app = demo_app(pool).await;
    let (agent, _) = app.signed_in("tari", Role::Agent).await;
    let res = agent.get(app.url("/api/events")).send().await.unwrap();
    // Cut the server's LISTEN connection, as a database restart or a network blip does; the
    // messages below commit while nobody in this process listens.
    let cut: i64 = sqlx::query_scalar(
        "select count(*) from (select pg_terminate_backend(pid) from pg_stat_activity
          where datname = current_database() and query ilike 'listen%') t",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(cut, 1, "the server's listener connection");
    for i in 0..10 {
        customer_says(&app, &format!("selama putus {i}")).await;
    }
    let events = read_until(res, |e| {
        e.iter()
            .filter(|e| e.event == "message.created" && e.data.contains("selama putus"))
            .count()
            >= 10
    })
    .await;
    let mut ids: Vec<i64> = events.iter().filter_map(|e| e.id).collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "each event once");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn ingest_events_carry_the_message_and_the_chat_as_the_inbox_shows_them(pool: PgPool) {
    let app = TestApp::spawn_with(pool, provider_config("http://127.0.0.1:9")).await;
    let (agent, _) = app.signed_in("rina", Role::Agent).await;
    let res = agent.get(app.url("/api/events")).send().await.unwrap();
    app.post_meta(&META.text("6281298765432", "wamid.shape", "kirim ke Bandung?"))
        .await;
    let events = read_until(res, |e| {
        e.iter().any(|e| e.event == "message.created")
            && e.iter().any(|e| e.event == "chat.updated")
    })
    .await;
    let data = |kind: &str| &events.iter().find(|e| e.event == kind).unwrap().data;
    let message: model::MessageView = serde_json::from_str(data("message.created")).unwrap();
    let chat: model::ChatSummary = serde_json::from_str(data("chat.updated")).unwrap();
    let stored: (model::MessageId, model::ChatId) =
        sqlx::query_as("select message_id, chat_id from message")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((message.message_id, message.chat_id), stored);
    assert_eq!(message.body.as_deref(), Some("kirim ke Bandung?"));
    assert_eq!(
        (message.direction.as_str(), message.status.as_str()),
        ("in", "received")
    );
    let listed = inbox::db::chats::summary(&mut app.pool.acquire().await.unwrap(), stored.1)
        .await
        .unwrap();
    assert_eq!(chat, listed, "the event's chat is the chat list's row");
    // The JSON that PostgreSQL's ingest function writes is the one live event type.
    assert_eq!(
        model::LiveEvent::decode("message.created", data("message.created")).unwrap(),
        model::LiveEvent::MessageCreated(message)
    );
    assert_eq!(
        model::LiveEvent::decode("chat.updated", data("chat.updated")).unwrap(),
        model::LiveEvent::ChatUpdated(chat.clone())
    );
    assert_eq!(chat.unread_count, 1);
    assert_eq!(chat.contact_phone.as_deref(), Some("6281298765432"));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn old_events_are_pruned_and_a_subscriber_resuming_before_them_reloads(pool: PgPool) {
    let app = demo_app(pool).await;
    let (agent, _) = app.signed_in("tari", Role::Agent).await;
    sqlx::query("insert into event (kind, payload, created_at) select 'chat.updated', '{}'::jsonb, now() - interval '100 hours' from generate_series(1, 5)")
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query("insert into event (kind, payload) values ('chat.updated', '{}'::jsonb)")
        .execute(&app.pool)
        .await
        .unwrap();
    let first: i64 = sqlx::query_scalar("select min(event_id) from event")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let pruned = inbox::db::events::prune(&app.pool, Duration::from_secs(72 * 3600), 2)
        .await
        .unwrap();
    assert_eq!(pruned, 2, "in batches");
    while inbox::db::events::prune(&app.pool, Duration::from_secs(72 * 3600), 2)
        .await
        .unwrap()
        > 0
    {}
    assert_eq!(
        app.count("select count(*) from event").await,
        1,
        "the recent one stays"
    );
    // A browser that saw only the first (now pruned) event cannot be told what it missed.
    let res = agent
        .get(app.url("/api/events"))
        .header("last-event-id", first.to_string())
        .send()
        .await
        .unwrap();
    let events = read_until(res, |e| !e.is_empty()).await;
    assert_eq!(events[0].event, "reload");
}
