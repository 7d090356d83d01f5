//! Outbound webhooks against a local receiver (`test_support::receiver`): every event type
//! arrives, signed over its exact raw body with the id and timestamp in both the headers and
//! the body, in order per chat, once. Failing receivers and refusals: `hooks_failing.rs`.

use crate::helpers::{fixture, provider_config, TestApp, META};
use crate::outbox::{meta_mock, Flaky};
use model::{CreatedWebhook, Role};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::collections::BTreeSet;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;
use test_support::receiver::{signature, Receiver};

pub(crate) const SECRET: &str = "toko-online-webhook-secret";

pub(crate) async fn add_endpoint(
    app: &TestApp,
    admin: &reqwest::Client,
    url: &str,
    events: &str,
) -> CreatedWebhook {
    let res = app
        .call(
            admin,
            "admin/webhooks/create",
            &[("url", url), ("secret", SECRET), ("events", events)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// A customer's tap (Meta's `button_reply` / `list_reply`) on the business's message `context`.
fn tap(kind: &str, context: &str, id: &str, title: &str, wamid: &str) -> Vec<u8> {
    let mut body: Value =
        serde_json::from_slice(&fixture("meta_interactive_list_reply.json")).unwrap();
    let m = &mut body["entry"][0]["changes"][0]["value"]["messages"][0];
    m["from"] = json!("6281298765432");
    m["id"] = json!(wamid);
    m["timestamp"] = json!(chrono::Utc::now().timestamp().to_string());
    m["context"]["id"] = json!(context);
    m["interactive"] = json!({ "type": kind, kind: { "id": id, "title": title } });
    body["entry"][0]["changes"][0]["value"]["contacts"][0]["wa_id"] = json!("6281298765432");
    serde_json::to_vec(&body).unwrap()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn every_event_arrives_signed_over_its_raw_body(pool: PgPool) {
    let calls = Arc::new(AtomicUsize::new(0));
    let mock = meta_mock(Flaky {
        calls: calls.clone(),
        fail: |_| false,
    })
    .await;
    let app = TestApp::spawn_with(pool, provider_config(&mock.uri())).await;
    let receiver = Receiver::start(|_| false).await;
    let (admin, boss) = app.signed_in("boss", Role::Admin).await;
    let made = add_endpoint(&app, &admin, &receiver.url, "").await;
    assert_eq!(made.secret, SECRET);

    // A customer writes; an agent answers with buttons, then a list; Meta reports back.
    assert_eq!(
        app.post_meta(&META.text("6281298765432", "wamid.in1", "halo kak"))
            .await
            .status(),
        StatusCode::OK
    );
    let chat: i64 = sqlx::query_scalar("select chat_id from chat")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let send = |options: Value| {
        let (url, admin) = (app.url("/api/chats/send_options"), admin.clone());
        async move {
            let res = admin
                .post(url)
                .json(&json!({ "chat_id": chat, "options": options, "reply_to": null }))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
        }
    };
    send(json!({ "body": "Paketnya sudah diterima?", "options": [{ "title": "Sudah" }, { "title": "Belum" }] })).await;
    send(json!({ "body": "Topik?", "button": "Pilih", "options": [{ "title": "Refund", "description": "Dana kembali" }] })).await;
    app.drain_outbox().await;
    assert_eq!(
        app.post_meta(&META.status("wamid.mock0", "delivered"))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.post_meta(&META.status("wamid.mock0", "read"))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.post_meta(&META.status("wamid.mock1", "failed"))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.post_meta(&tap(
            "button_reply",
            "wamid.mock0",
            "Sudah",
            "Sudah",
            "wamid.tap1"
        ))
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.post_meta(&tap(
            "list_reply",
            "wamid.mock1",
            "Refund",
            "Refund",
            "wamid.tap2"
        ))
        .await
        .status(),
        StatusCode::OK
    );
    // An admin moves the chat around.
    let chat_text = chat.to_string();
    let set_mode = |mode: &'static str| {
        let (app, admin, chat) = (&app, &admin, chat_text.clone());
        async move {
            app.call(
                admin,
                "chats/set_mode",
                &[("chat_id", &chat), ("mode", mode)],
            )
            .await
        }
    };
    assert_eq!(set_mode("agent").await.status(), StatusCode::OK);
    let res = app
        .call(
            &admin,
            "chats/assign",
            &[
                ("chat_id", &chat.to_string()),
                ("user_id", &boss.user_id.0.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(set_mode("closed").await.status(), StatusCode::OK);
    // The Meta channel's connection test fails against the mock (no such route there).
    let meta: i64 = sqlx::query_scalar("select channel_id from channel where kind = 'meta'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        app.call(
            &admin,
            "admin/channels/test",
            &[("channel_id", &meta.to_string())]
        )
        .await
        .status(),
        StatusCode::OK
    );

    app.drain_hooks().await;
    let received = receiver.received();
    let names: BTreeSet<String> = received.iter().map(|r| r.event.clone()).collect();
    for name in [
        "message.in",
        "message.out",
        "message.status",
        "interaction.button",
        "interaction.list",
        "connection.update",
        "chat.mode_changed",
        "chat.assigned",
        "chat.closed",
    ] {
        assert!(names.contains(name), "{name} arrived (got {names:?})");
    }
    for r in &received {
        assert_eq!(
            r.signature,
            signature(SECRET, &r.body),
            "signed over the exact raw body"
        );
        let body = r.json();
        assert_eq!(body["id"], r.id.as_str());
        assert_eq!(body["timestamp"].to_string(), r.timestamp);
        assert_eq!(body["event"], r.event.as_str());
    }
    let one =
        |name: &str| received.iter().find(|r| r.event == name).unwrap().json()["data"].clone();
    let message_in = one("message.in");
    assert_eq!(
        (
            message_in["from"].clone(),
            message_in["text"].clone(),
            message_in["type"].clone()
        ),
        (json!("6281298765432"), json!("halo kak"), json!("text"))
    );
    let button = one("interaction.button");
    assert_eq!(
        (
            button["buttonId"].clone(),
            button["buttonText"].clone(),
            button["from"].clone()
        ),
        (json!("Sudah"), json!("Sudah"), json!("6281298765432"))
    );
    let list = one("interaction.list");
    assert_eq!(
        (
            list["rowId"].clone(),
            list["rowTitle"].clone(),
            list["rowDescription"].clone()
        ),
        (json!("Refund"), json!("Refund"), json!("Dana kembali"))
    );
    assert_eq!(
        one("message.out")["sentBy"],
        json!({ "kind": "agent", "name": "boss" })
    );
    let statuses: Vec<(Value, Value)> = received
        .iter()
        .filter(|r| r.event == "message.status")
        .map(|r| {
            let d = r.json()["data"].clone();
            (d["messageId"].clone(), d["status"].clone())
        })
        .collect();
    let states: Vec<&str> = statuses.iter().map(|(_, s)| s.as_str().unwrap()).collect();
    assert_eq!(
        states.iter().filter(|s| **s == "sent").count(),
        2,
        "{states:?}"
    );
    assert!(
        states.contains(&"delivered") && states.contains(&"read") && states.contains(&"failed"),
        "{states:?}"
    );
    assert_eq!(one("chat.closed")["chatId"], chat);
    assert_eq!(one("chat.assigned")["assignee"], "boss");
    assert_eq!(one("connection.update")["status"], "disconnected");
    // In order per chat: the customer's message before our answer, the answer's sent before read.
    let chat_events: Vec<&str> = received
        .iter()
        .filter(|r| r.json()["data"]["chatId"] == chat)
        .map(|r| r.event.as_str())
        .collect();
    assert_eq!(chat_events[0], "message.in");
    let pos = |s: &str| statuses.iter().position(|(_, x)| x == s).unwrap();
    assert!(pos("sent") < pos("delivered") && pos("delivered") < pos("read"));
    // Each event once: nothing failed, so nothing was repeated.
    let ids: BTreeSet<&str> = received.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), received.len());
}
