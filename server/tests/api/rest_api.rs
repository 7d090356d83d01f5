//! `/api/v1` over real HTTP: sends of every kind (queued, then sent by the outbox, their state
//! by `GET`), the chat list's keyset pages, a chat's messages, mode and assignee, contacts,
//! channels, a customer's file with the key; every documented route is served and nothing
//! else is. Contacts and keys limited to channels: `rest_contacts.rs`; `Idempotency-Key`:
//! `idempotency.rs`.

use crate::api_rules::base64_encode;
use crate::gateway_api::{channel_id, key};
use crate::helpers::{provider_config, TestApp, META};
use crate::outbox::{meta_mock, meta_ok};
use model::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

pub(crate) async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    key: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new()
        .request(method, app.url(path))
        .bearer_auth(key);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn sends_of_every_kind_are_queued_then_followed_by_get(pool: PgPool) {
    let mock = meta_mock(meta_ok(7)).await;
    let app = TestApp::spawn_with(pool, provider_config(&mock.uri())).await;
    let res = app
        .post_meta(&META.text("6281298765432", "wamid.hi", "halo"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let meta = channel_id(&app, "meta").await;
    let shop = key(&app, "Toko", Some(meta)).await;
    let post = |body: Value| {
        call(
            &app,
            reqwest::Method::POST,
            "/api/v1/messages",
            &shop.key,
            Some(body),
        )
    };

    let (status, queued) = post(json!({ "to": "0812 9876 5432", "text": "Pesanan dikirim" })).await;
    assert_eq!(status, StatusCode::OK, "{queued}");
    assert_eq!(
        (queued["status"].clone(), queued["to"].clone()),
        (json!("queued"), json!("6281298765432"))
    );
    let text_id = queued["id"].as_i64().unwrap();
    let (status, queued) = post(json!({
        "to": "6281298765432", "type": "interactive",
        "interactive": { "body": "Pilih", "list": { "button": "Menu", "sections": [{ "rows": [{ "id": "a", "title": "A", "description": "satu" }] }] } }
    }))
    .await;
    assert_eq!(status, StatusCode::OK, "{queued}");
    let photo = crate::media_store::photo(640, 480, 3);
    let (status, queued) = post(json!({
        "to": "6281298765432", "type": "image",
        "media": { "base64": format!("data:image/jpeg;base64,{}", base64_encode(&photo)), "caption": "Resi" }
    }))
    .await;
    assert_eq!(status, StatusCode::OK, "{queued}");
    let photo_id = queued["id"].as_i64().unwrap();
    // Refusals name the field.
    let (status, err) = post(
        json!({ "to": "6281298765432", "interactive": { "body": "x", "buttons": [
        { "title": "1" }, { "title": "2" }, { "title": "3" }, { "title": "4" }] } }),
    )
    .await;
    assert_eq!(
        (status, &err["error"]["code"]),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!("button_limit_exceeded")
        )
    );
    let (status, err) = post(json!({ "to": "6281298765432", "type": "template", "template": { "name": "nope", "language": "id" } })).await;
    assert_eq!(
        (status, &err["error"]["code"]),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!("template_not_found")
        )
    );
    let (status, err) = post(
        json!({ "to": "6281298765432", "type": "image", "media": { "base64": "not base64!" } }),
    )
    .await;
    assert_eq!(
        (status, &err["error"]["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("media"))
    );
    let (status, err) = post(json!({ "to": "6281298765432" })).await;
    assert_eq!(
        (status, &err["error"]["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("text"))
    );

    let (_, message) = call(
        &app,
        reqwest::Method::GET,
        &format!("/api/v1/messages/{text_id}"),
        &shop.key,
        None,
    )
    .await;
    assert_eq!(
        (message["status"].clone(), message["sender"]["kind"].clone()),
        (json!("queued"), json!("api"))
    );
    app.drain_outbox().await;
    let (_, message) = call(
        &app,
        reqwest::Method::GET,
        &format!("/api/v1/messages/{text_id}"),
        &shop.key,
        None,
    )
    .await;
    assert_eq!(message["status"], "sent");
    assert_eq!(message["sender"]["name"], "Toko");
    let (_, photo_message) = call(
        &app,
        reqwest::Method::GET,
        &format!("/api/v1/messages/{photo_id}"),
        &shop.key,
        None,
    )
    .await;
    assert_eq!(photo_message["type"], "image");
    assert_eq!(photo_message["media"]["mime_type"], "image/jpeg");
    // Its file, with the key (and not without one).
    let url = photo_message["media"]["url"]
        .as_str()
        .unwrap()
        .replace("http://127.0.0.1:3000", &app.base);
    let res = reqwest::Client::new()
        .get(&url)
        .header("X-API-KEY", &shop.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), photo.as_slice());
    assert_eq!(
        reqwest::get(&url).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let sends = mock
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path().ends_with("/messages"))
        .count();
    assert_eq!(
        sends, 2,
        "the text and the list (the photo waits for its upload, not mocked here)"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn chats_page_by_cursor_and_change_mode_and_assignee(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let sandbox = channel_id(&app, "sandbox").await;
    let shop = key(&app, "Toko", None).await;
    for i in 1..=5 {
        let (status, _) = call(&app, reqwest::Method::POST, "/api/v1/messages", &shop.key,
            Some(json!({ "to": format!("628120000000{i}"), "text": format!("Halo {i}"), "channel": sandbox.to_string() }))).await;
        assert_eq!(status, StatusCode::OK);
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/chats?limit=2".to_string();
    loop {
        let (status, page) = call(&app, reqwest::Method::GET, &path, &shop.key, None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for c in page["data"].as_array().unwrap() {
            seen.push(c["contact"]["phone"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/chats?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(
        seen,
        (1..=5)
            .rev()
            .map(|i| format!("628120000000{i}"))
            .collect::<Vec<_>>(),
        "newest first, each once"
    );

    let chat: i64 = sqlx::query_scalar("select chat_id from chat order by chat_id limit 1")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (_, rina) = app.signed_in("rina", Role::Agent).await;
    let (status, changed) = call(
        &app,
        reqwest::Method::PATCH,
        &format!("/api/v1/chats/{chat}"),
        &shop.key,
        Some(json!({ "mode": "paused", "assignee_id": rina.user_id.0 })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(
        (changed["mode"].clone(), changed["assignee"]["name"].clone()),
        (json!("paused"), json!("rina"))
    );
    let (_, changed) = call(
        &app,
        reqwest::Method::PATCH,
        &format!("/api/v1/chats/{chat}"),
        &shop.key,
        Some(json!({ "assignee_id": null })),
    )
    .await;
    assert_eq!(
        (changed["mode"].clone(), changed["assignee"].clone()),
        (json!("paused"), Value::Null)
    );
    let (status, _) = call(
        &app,
        reqwest::Method::PATCH,
        &format!("/api/v1/chats/{chat}"),
        &shop.key,
        Some(json!({ "mode": "asleep" })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, paused) = call(
        &app,
        reqwest::Method::GET,
        "/api/v1/chats?mode=paused",
        &shop.key,
        None,
    )
    .await;
    assert_eq!(paused["data"].as_array().unwrap().len(), 1);
    // Its messages: the send, and the system lines the changes left (by the key's name).
    let (_, messages) = call(
        &app,
        reqwest::Method::GET,
        &format!("/api/v1/chats/{chat}/messages?limit=2"),
        &shop.key,
        None,
    )
    .await;
    let data = messages["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    assert!(messages["next_cursor"].is_string());
    let (_, older) = call(
        &app,
        reqwest::Method::GET,
        &format!(
            "/api/v1/chats/{chat}/messages?limit=50&cursor={}",
            messages["next_cursor"].as_str().unwrap()
        ),
        &shop.key,
        None,
    )
    .await;
    assert!(older["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["id"].as_i64() < data[0]["id"].as_i64()));
    let lines: i64 = sqlx::query_scalar("select count(*) from message where chat_id = $1 and kind = 'system' and raw->>'via_api' = 'true'")
        .bind(chat).fetch_one(&app.pool).await.unwrap();
    assert!(
        lines >= 3,
        "mode, assign, unassign (and the start) name the key"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn every_documented_route_is_served_and_nothing_else(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let shop = key(&app, "Toko", None).await;
    let doc: Value = reqwest::get(app.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 9);
    for (path, item) in paths {
        let concrete = path.replace("{id}", "999999");
        for method in item.as_object().unwrap().keys() {
            let m: reqwest::Method = method.to_uppercase().parse().unwrap();
            let res = reqwest::Client::new()
                .request(m.clone(), app.url(&concrete))
                .bearer_auth(&shop.key)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            let status = res.status();
            assert_ne!(
                status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path} is routed"
            );
            let body: Value = res.json().await.unwrap_or(Value::Null);
            if status == StatusCode::NOT_FOUND && res_is_route_404(&body) {
                panic!("{method} {path} is documented but not routed");
            }
            // Without a key: 401 in our shape.
            let res = reqwest::Client::new()
                .request(m, app.url(&concrete))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
        }
    }
    let res = reqwest::Client::new()
        .get(app.url("/api/v1/nothing-here"))
        .bearer_auth(&shop.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let docs = reqwest::get(app.url("/api/docs")).await.unwrap();
    assert_eq!(docs.status(), StatusCode::OK);
    let html = docs.text().await.unwrap();
    assert!(html.contains("never makes a customer receive a message twice"));
    assert!(html.contains("/api/v1/messages"));
}

/// A 404 that is ours (a missing record answers in our error shape; an unrouted path does not).
fn res_is_route_404(body: &Value) -> bool {
    body.get("error").and_then(|e| e.get("code")).is_none()
}
