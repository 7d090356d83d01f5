//! Channels added on the Channels page, in use: each webhook URL lands in its own channel,
//! replies leave through their chat's number, forged and unkeyed webhooks are refused, a
//! disabled channel stores but does not send, and the bot's per-channel switch.

use crate::channels::{
    add_meta, mount_meta_number, post_to, saved, NUMBER_A, NUMBER_B, TOKEN_A, TOKEN_B, WHAPI_TOKEN,
};
use crate::helpers::{test_config, TestApp, META};
use model::Role;
use reqwest::{Client, StatusCode};
use serde_json::json;
use sqlx::PgPool;
use test_support::bodies::MetaFixture;
use test_support::signature::meta_signature;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn two_meta_channels_keep_their_chats_and_reply_through_their_own_number(pool: PgPool) {
    let mock = MockServer::start().await;
    mount_meta_number(&mock, NUMBER_A, TOKEN_A, "Toko A").await;
    mount_meta_number(&mock, NUMBER_B, TOKEN_B, "Toko B").await;
    let app = TestApp::spawn_with(pool, test_config()).await;
    let (admin, _) = app.signed_in("admin", Role::Admin).await;
    let a = saved(add_meta(&app, &admin, &mock.uri(), "Nomor A", NUMBER_A, TOKEN_A).await).await;
    let b = saved(add_meta(&app, &admin, &mock.uri(), "Nomor B", NUMBER_B, TOKEN_B).await).await;
    let on = |number: &'static str| MetaFixture {
        phone_number_id: number,
        ..META
    };

    // The same customer writes to both numbers.
    let a_path = a.webhook_path.clone().unwrap();
    let b_path = b.webhook_path.clone().unwrap();
    assert_eq!(
        post_to(
            &app,
            &a_path,
            on(NUMBER_A).text("6281298765432", "wamid.to-a", "halo A")
        )
        .await,
        StatusCode::OK
    );
    assert_eq!(
        post_to(
            &app,
            &b_path,
            on(NUMBER_B).text("6281298765432", "wamid.to-b", "halo B")
        )
        .await,
        StatusCode::OK
    );
    let chats: Vec<(i64, i64, String)> = sqlx::query_as(
        "select c.chat_id, c.channel_id, m.body from chat c join message m using (chat_id) order by m.message_id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(chats.len(), 2);
    assert_eq!(
        (chats[0].1, chats[0].2.as_str()),
        (a.channel_id.0, "halo A")
    );
    assert_eq!(
        (chats[1].1, chats[1].2.as_str()),
        (b.channel_id.0, "halo B")
    );
    assert_ne!(chats[0].0, chats[1].0, "one chat per channel");

    // Replies leave through their chat's number.
    for (chat, _, _) in &chats {
        assert_eq!(
            app.reply(&admin, *chat, "baik").await.status(),
            StatusCode::OK
        );
    }
    app.drain_outbox().await;
    let sent: Vec<String> = mock
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST")
        .map(|r| {
            format!(
                "{} {}",
                r.url.path(),
                r.headers["authorization"].to_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        sent,
        [
            format!("/{NUMBER_A}/messages Bearer {TOKEN_A}"),
            format!("/{NUMBER_B}/messages Bearer {TOKEN_B}")
        ]
    );

    // A body for B posted to A's URL is not A's: it lands in B's channel, not A's.
    assert_eq!(
        post_to(
            &app,
            &a_path,
            on(NUMBER_B).text("6281298765439", "wamid.b-via-a", "lewat A")
        )
        .await,
        StatusCode::OK
    );
    let channel: i64 = sqlx::query_scalar("select channel_id from message where body = 'lewat A'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(channel, b.channel_id.0);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn forged_and_unkeyed_webhooks_are_refused(pool: PgPool) {
    let mock = MockServer::start().await;
    mount_meta_number(&mock, NUMBER_A, TOKEN_A, "Toko A").await;
    Mock::given(method("GET"))
        .and(path("/health"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "status": { "text": "AUTH" } })),
        )
        .mount(&mock)
        .await;
    let app = TestApp::spawn_with(pool, test_config()).await;
    let (admin, _) = app.signed_in("admin", Role::Admin).await;
    let meta = saved(add_meta(&app, &admin, &mock.uri(), "Nomor A", NUMBER_A, TOKEN_A).await).await;
    let whapi = saved(
        app.call(
            &admin,
            "admin/channels/save",
            &[
                ("kind", "whapi"),
                ("name", "CS Whapi"),
                ("base_url", &mock.uri()),
                ("token", WHAPI_TOKEN),
            ],
        )
        .await,
    )
    .await;
    let body = MetaFixture {
        phone_number_id: NUMBER_A,
        ..META
    }
    .text("6281298765432", "wamid.forged", "transfer ke rekening lain");
    let client = Client::new();
    let meta_path = meta.webhook_path.unwrap();
    // No signature, a wrong one: refused.
    let unsigned = client
        .post(app.url(&meta_path))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    let forged = client
        .post(app.url(&meta_path))
        .header(
            "x-hub-signature-256",
            meta_signature("not-the-secret", &body),
        )
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    // A key that no channel has: refused, whatever the body.
    let guessed = client
        .post(app.url("/webhooks/0123456789abcdef"))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(guessed.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.count("select count(*) from message").await, 0);

    // Whapi: the URL's key is the secret.
    let whapi_path = whapi.webhook_path.unwrap();
    let fixture = crate::helpers::fixture("whapi_text.json");
    let res = client
        .post(app.url(&whapi_path))
        .body(fixture.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let chopped = &whapi_path[..whapi_path.len() - 1];
    let res = client
        .post(app.url(chopped))
        .body(fixture)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let channel: i64 = sqlx::query_scalar("select channel_id from message")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(channel, whapi.channel_id.0);

    // Meta's handshake on the channel's URL takes the channel's verify token.
    let Some(model::ChannelConfig::Meta { verify_token, .. }) = meta.config else {
        panic!("a Meta config");
    };
    let res = client
        .get(app.url(&format!(
            "{meta_path}?hub.mode=subscribe&hub.verify_token={verify_token}&hub.challenge=42"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.unwrap(), "42");
    let res = client
        .get(app.url(&format!(
            "{meta_path}?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=42"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_disabled_channel_stores_webhooks_but_does_not_send_and_one_with_chats_is_not_deleted(
    pool: PgPool,
) {
    let mock = MockServer::start().await;
    mount_meta_number(&mock, NUMBER_A, TOKEN_A, "Toko A").await;
    let app = TestApp::spawn_with(pool, test_config()).await;
    let (admin, _) = app.signed_in("admin", Role::Admin).await;
    let meta = saved(add_meta(&app, &admin, &mock.uri(), "Nomor A", NUMBER_A, TOKEN_A).await).await;
    let id = meta.channel_id.to_string();
    let off = saved(
        app.call(
            &admin,
            "admin/channels/enable",
            &[("channel_id", &id), ("enabled", "false")],
        )
        .await,
    )
    .await;
    assert!(!off.enabled);
    let body = MetaFixture {
        phone_number_id: NUMBER_A,
        ..META
    }
    .text("6281298765432", "wamid.while-off", "halo");
    assert_eq!(
        post_to(&app, &meta.webhook_path.unwrap(), body).await,
        StatusCode::OK
    );
    let chat: i64 = sqlx::query_scalar("select chat_id from chat")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        app.reply(&admin, chat, "dibalas").await.status(),
        StatusCode::OK
    );
    app.drain_outbox().await;
    let reason: String = sqlx::query_scalar(
        "select error_reason from message where body = 'dibalas' and status = 'failed'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(reason.contains("disabled"), "{reason}");
    let posts = mock
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "POST")
        .count();
    assert_eq!(posts, 0, "nothing sent through a disabled channel");

    let res = app
        .call(&admin, "admin/channels/delete", &[("channel_id", &id)])
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let text = res.text().await.unwrap();
    assert!(text.contains("channel_has_chats"), "{text}");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_bot_answers_on_one_channel_and_is_silent_on_another_whose_switch_is_off(pool: PgPool) {
    let mock = MockServer::start().await;
    mount_meta_number(&mock, NUMBER_A, TOKEN_A, "Toko A").await;
    mount_meta_number(&mock, NUMBER_B, TOKEN_B, "Toko B").await;
    let app = TestApp::spawn_with(pool, test_config()).await;
    let (admin, _) = app.signed_in("admin", Role::Admin).await;
    app.add_bot_rule(&admin, "ongkir", "Ongkir mulai 9rb").await;
    let a = saved(add_meta(&app, &admin, &mock.uri(), "Nomor A", NUMBER_A, TOKEN_A).await).await;
    let b = saved(add_meta(&app, &admin, &mock.uri(), "Nomor B", NUMBER_B, TOKEN_B).await).await;
    let quiet = saved(
        app.call(
            &admin,
            "admin/channels/settings",
            &[
                ("channel_id", &b.channel_id.to_string()),
                ("read_receipts", "true"),
                ("typing", "true"),
                ("bot", "false"),
                ("reply_delay_secs", "0"),
            ],
        )
        .await,
    )
    .await;
    assert!(!quiet.settings.bot);
    let res = app
        .call(
            &admin,
            "admin/channels/settings",
            &[
                ("channel_id", &b.channel_id.to_string()),
                ("read_receipts", "true"),
                ("typing", "true"),
                ("bot", "true"),
                ("reply_delay_secs", "11"),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a delay over 10 s"
    );

    for (view, number, wamid) in [(&a, NUMBER_A, "wamid.bot-a"), (&b, NUMBER_B, "wamid.bot-b")] {
        let body = MetaFixture {
            phone_number_id: number,
            ..META
        }
        .text("6281298765432", wamid, "berapa ongkir?");
        assert_eq!(
            post_to(&app, view.webhook_path.as_deref().unwrap(), body).await,
            StatusCode::OK
        );
    }
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "select c.channel_id, c.mode, (select count(*) from message m where m.chat_id = c.chat_id and m.sender_kind = 'bot')
           from chat c order by c.channel_id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        rows,
        [
            (a.channel_id.0, "bot".to_string(), 1),
            (b.channel_id.0, "agent".to_string(), 0)
        ],
        "A's bot answers; B's chat waits for a human"
    );
}
