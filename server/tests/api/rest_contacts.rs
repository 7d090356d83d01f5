//! `/api/v1` contacts and channels over real HTTP, and what a key limited to one channel may see
//! and change: other channels' chats are 403 by id and absent from lists, their customers
//! neither listed, read nor renamed (a new customer may be made).

use crate::gateway_api::{channel_id, key};
use crate::helpers::{provider_config, TestApp, META};
use crate::rest_api::call;
use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn contacts_channels_and_the_keys_limits(pool: PgPool) {
    let app = TestApp::spawn_with(pool, provider_config("http://127.0.0.1:9")).await;
    let (meta, sandbox) = (
        channel_id(&app, "meta").await,
        channel_id(&app, "sandbox").await,
    );
    let all = key(&app, "All", None).await;
    let (status, made) = call(
        &app,
        reqwest::Method::PUT,
        "/api/v1/contacts",
        &all.key,
        Some(json!({ "phone": "0812 1111 2222", "name": "Bu Sari" })),
    )
    .await;
    assert_eq!(
        (status, &made["phone"]),
        (StatusCode::CREATED, &json!("6281211112222"))
    );
    let (status, renamed) = call(
        &app,
        reqwest::Method::PUT,
        "/api/v1/contacts",
        &all.key,
        Some(json!({ "phone": "+62 812-1111-2222", "name": "Ibu Sari" })),
    )
    .await;
    assert_eq!(
        (status, &renamed["id"], &renamed["name"]),
        (StatusCode::OK, &made["id"], &json!("Ibu Sari"))
    );
    let (_, got) = call(
        &app,
        reqwest::Method::GET,
        &format!("/api/v1/contacts/{}", made["id"]),
        &all.key,
        None,
    )
    .await;
    assert_eq!(got["name"], "Ibu Sari");
    let (_, found) = call(
        &app,
        reqwest::Method::GET,
        "/api/v1/contacts?search=sari",
        &all.key,
        None,
    )
    .await;
    assert_eq!(found["data"].as_array().unwrap().len(), 1);
    let (status, _) = call(
        &app,
        reqwest::Method::PUT,
        "/api/v1/contacts",
        &all.key,
        Some(json!({ "phone": "123" })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let (_, channels) = call(
        &app,
        reqwest::Method::GET,
        "/api/v1/channels",
        &all.key,
        None,
    )
    .await;
    let kinds: Vec<&str> = channels
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"meta") && kinds.contains(&"sandbox"),
        "{channels}"
    );
    let limited = key(&app, "Sandbox only", Some(sandbox)).await;
    let (_, channels) = call(
        &app,
        reqwest::Method::GET,
        "/api/v1/channels",
        &limited.key,
        None,
    )
    .await;
    assert_eq!(channels.as_array().unwrap().len(), 1);
    // A chat of the Meta channel is another channel's: 403 by id, absent from lists.
    let (status, _) = call(&app, reqwest::Method::POST, "/api/v1/messages", &all.key,
        Some(json!({ "to": "6281211112222", "text": "x", "channel": meta.to_string(), "mode": "keep" }))).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "outside Meta's window: a template is needed"
    );
    let res = app
        .post_meta(&META.text("6281211112222", "wamid.sari", "halo"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let chat: i64 = sqlx::query_scalar("select chat_id from chat where channel_id = $1")
        .bind(meta)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (status, _) = call(
        &app,
        reqwest::Method::GET,
        &format!("/api/v1/chats/{chat}"),
        &limited.key,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, page) = call(
        &app,
        reqwest::Method::GET,
        "/api/v1/chats",
        &limited.key,
        None,
    )
    .await;
    assert!(page["data"].as_array().unwrap().is_empty());
    let (status, _) = call(
        &app,
        reqwest::Method::GET,
        &format!("/api/v1/chats?channel={meta}"),
        &limited.key,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, page) = call(&app, reqwest::Method::GET, "/api/v1/chats", &all.key, None).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
}
