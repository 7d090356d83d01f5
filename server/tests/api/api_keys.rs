//! API keys and the first gateway-compatible endpoint (`GET /status`): an admin makes a key
//! (shown once, kept hashed), a call authenticates by header, query or bearer; no key, a wrong
//! one or a revoked one gets 401 (revoked on one server process, refused at once on another);
//! a key limited to other channels gets 403; a rotation of the secret key keeps keys working.

use crate::helpers::{provider_config, TestApp};
use model::{ApiKeyView, CreatedApiKey, Role};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

async fn channel(app: &TestApp, kind: &str) -> (i64, String) {
    sqlx::query_as("select channel_id, name from channel where kind = $1")
        .bind(kind)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn create(app: &TestApp, admin: &reqwest::Client, form: &[(&str, &str)]) -> CreatedApiKey {
    let res = app.call(admin, "admin/api_keys/create", form).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn status(app: &TestApp, auth: (&str, &str), channel: Option<&str>) -> reqwest::Response {
    let mut params: Vec<(&str, &str)> = channel.map(|c| ("channel", c)).into_iter().collect();
    if let ("query", key) = auth {
        params.push(("api_key", key));
    }
    let url = reqwest::Url::parse_with_params(&app.url("/status"), &params).unwrap();
    let mut req = reqwest::Client::new().get(url);
    req = match auth {
        ("header", key) => req.header("X-API-KEY", key),
        ("bearer", key) => req.bearer_auth(key),
        _ => req,
    };
    req.send().await.unwrap()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn keys_are_shown_once_checked_on_every_call_and_revoked_at_once(pool: PgPool) {
    let app = TestApp::spawn_with(pool.clone(), provider_config("http://127.0.0.1:9")).await;
    // A second server process on the same database.
    let other = TestApp::spawn_with(pool, provider_config("http://127.0.0.1:9")).await;
    let (admin, _) = app.signed_in("boss", Role::Admin).await;
    let (agent, _) = app.signed_in("rina", Role::Agent).await;
    let (meta, meta_name) = channel(&app, "meta").await;
    let (whapi, whapi_name) = channel(&app, "whapi").await;

    // Admins only; a name is required.
    let res = app
        .call(&agent, "admin/api_keys/create", &[("name", "x")])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .call(&admin, "admin/api_keys/create", &[("name", "  ")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.json::<Value>().await.unwrap()["Invalid"]["reason"],
        "api_key_name_length"
    );

    let shop = create(&app, &admin, &[("name", "Toko Online")]).await;
    assert!(
        shop.key.starts_with("ik_") && shop.key.len() == 51,
        "{}",
        shop.prefix
    );
    assert!(shop.key.starts_with(&shop.prefix));
    // Only the prefix is kept and listed; the key itself is nowhere in the database.
    let res = app.call(&admin, "admin/api_keys/list", &[]).await;
    let text = res.text().await.unwrap();
    assert!(!text.contains(&shop.key));
    let listed: Vec<ApiKeyView> = serde_json::from_str(&text).unwrap();
    assert_eq!(listed[0].prefix, shop.prefix);
    let stored: i64 = sqlx::query_scalar(
        "select count(*) from api_key where position(convert_to($1, 'UTF8') in hash) > 0 or prefix = $1",
    )
    .bind(&shop.key)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(stored, 0);

    // Header, bearer or query; with two channels connected, the call names one.
    for how in ["header", "bearer", "query"] {
        let res = status(&app, (how, &shop.key), Some(&meta_name)).await;
        assert_eq!(res.status(), StatusCode::OK, "{how}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["pushName"], meta_name.as_str());
        assert_eq!(body["isConnected"], false, "never tested");
        assert_eq!(body["status"], "unknown");
    }
    let res = status(&app, ("header", &shop.key), Some(&whapi.to_string())).await;
    assert_eq!(
        res.json::<Value>().await.unwrap()["pushName"],
        whapi_name.as_str()
    );
    let res = status(&app, ("header", &shop.key), None).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"],
        "CHANNEL_REQUIRED"
    );
    let res = status(&app, ("header", &shop.key), Some("nope")).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // No key, a wrong one: 401 in the seed's shape.
    let res = status(&app, ("none", ""), Some(&meta_name)).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["success"], false);
    assert_eq!(body["error"], "UNAUTHORIZED");
    // The key with its last digit changed (to another digit than its own).
    let last = if shop.key.ends_with('0') { '1' } else { '0' };
    let wrong = format!("{}{last}", &shop.key[..50]);
    let res = status(&app, ("header", &wrong), Some(&meta_name)).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // A key for the Whapi channel only: its channel by default, 403 for another.
    let limited = create(
        &app,
        &admin,
        &[("name", "Gudang"), ("channels", &whapi.to_string())],
    )
    .await;
    let res = status(&app, ("header", &limited.key), None).await;
    assert_eq!(
        res.json::<Value>().await.unwrap()["pushName"],
        whapi_name.as_str()
    );
    let res = status(&app, ("header", &limited.key), Some(&meta.to_string())).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "FORBIDDEN");

    // Used: the list says when. Revoked on one process: refused on the other at once.
    let used: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("select last_used_at from api_key where api_key_id = $1")
            .bind(shop.id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(used.is_some());
    assert_eq!(
        status(&other, ("header", &shop.key), Some(&meta_name))
            .await
            .status(),
        StatusCode::OK
    );
    let res = app
        .call(
            &admin,
            "admin/api_keys/revoke",
            &[("id", &shop.id.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = status(&other, ("header", &shop.key), Some(&meta_name)).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        status(&other, ("header", &limited.key), None)
            .await
            .status(),
        StatusCode::OK
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_key_survives_a_rotation_of_the_secret_key(pool: PgPool) {
    let app = TestApp::spawn_with(pool.clone(), provider_config("http://127.0.0.1:9")).await;
    let (admin, _) = app.signed_in("boss", Role::Admin).await;
    let key = create(&app, &admin, &[("name", "Toko Online")]).await;
    let (_, meta_name) = channel(&app, "meta").await;
    let before: Vec<u8> = sqlx::query_scalar("select hash from api_key")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let mut rotated = provider_config("http://127.0.0.1:9");
    rotated.secret_key_previous_hex = rotated.secret_key_hex.clone();
    rotated.secret_key_hex = Some("22".repeat(32));
    let after_rotation = TestApp::spawn_with(pool, rotated).await;
    for _ in 0..2 {
        let res = status(&after_rotation, ("header", &key.key), Some(&meta_name)).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let after: Vec<u8> = sqlx::query_scalar("select hash from api_key")
        .fetch_one(&after_rotation.pool)
        .await
        .unwrap();
    assert_ne!(before, after, "hashed again under the new key");
}
