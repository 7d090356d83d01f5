//! Meta deliveries besides customer messages, each signed as Meta signs it: all acknowledged
//! (Meta disables a webhook that keeps failing), the useful ones acted on, the rest kept raw.
//! 400 is only for a body that is not a Meta webhook at all.

use crate::helpers::{fixture, provider_config, TestApp, META};
use reqwest::StatusCode;
use sqlx::PgPool;

const ORIGINAL: &str = "wamid.HBgNNjI4MTI5ODc2NTQzMhUCABIYFjNFQjBDMTI3RDdCQUNDODNENkExMjMA";

async fn app(pool: PgPool) -> TestApp {
    TestApp::spawn_with(pool, provider_config("http://127.0.0.1:9")).await
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn account_alerts_and_template_reviews_are_acknowledged_and_recorded(pool: PgPool) {
    let app = app(pool).await;
    let res = app
        .post_meta(&fixture("fields/meta_account_update_restriction.json"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let (event, detail): (String, Option<String>) =
        sqlx::query_as("select event, detail from account_alert")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(event, "ACCOUNT_RESTRICTION");
    assert!(detail
        .unwrap()
        .contains("RESTRICTED_BIZ_INITIATED_MESSAGING"));
    // Admins see it (the inbox shows them a banner); agents may not ask.
    let (admin, _) = app.signed_in("admin", model::Role::Admin).await;
    let (agent, _) = app.signed_in("rina", model::Role::Agent).await;
    let alerts: Vec<model::AccountAlert> = app
        .call(&admin, "admin/account_alerts", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].event, "ACCOUNT_RESTRICTION");
    assert_eq!(
        app.call(&agent, "admin/account_alerts", &[]).await.status(),
        StatusCode::FORBIDDEN
    );

    let res = app
        .post_meta(&fixture("fields/meta_template_status_rejected.json"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let (name, status, reason): (String, String, Option<String>) =
        sqlx::query_as("select name, status, reason from template_status")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        (name.as_str(), status.as_str()),
        ("konfirmasi_pesanan", "REJECTED")
    );
    assert_eq!(reason.as_deref(), Some("INVALID_FORMAT"));
    assert_eq!(
        app.count("select count(*) from webhook_kept").await,
        0,
        "all acted on"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_message_typed_in_the_business_app_is_mirrored_into_the_conversation(pool: PgPool) {
    let app = app(pool).await;
    assert_eq!(
        app.post_meta(&META.text("6281298765432", "wamid.first", "halo"))
            .await
            .status(),
        StatusCode::OK
    );
    for _ in 0..2 {
        let res = app
            .post_meta(&fixture("fields/meta_smb_message_echo.json"))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
        "select m.direction, m.sender_kind, m.status, m.body from message m order by message_id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 2, "once, in the customer's chat: {rows:?}");
    assert_eq!(
        rows[1],
        (
            "out".into(),
            "agent".into(),
            "sent".into(),
            Some("Siap kak, sudah kami kirim ya".into())
        )
    );
    assert_eq!(app.count("select count(*) from chat").await, 1);
    assert_eq!(
        app.count("select count(*) from outbox").await,
        0,
        "not sent again by us"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_message_the_customer_deleted_is_marked_and_kept(pool: PgPool) {
    let app = app(pool).await;
    assert_eq!(
        app.post_meta(&META.text("6281298765432", ORIGINAL, "nomor rekening saya 123"))
            .await
            .status(),
        StatusCode::OK
    );
    let res = app.post_meta(&fixture("fields/meta_revoke.json")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let (body, revoked): (Option<String>, bool) = sqlx::query_as(
        "select body, revoked_at is not null from message where provider_message_id = $1",
    )
    .bind(ORIGINAL)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(revoked, "marked deleted by the customer");
    assert_eq!(
        body.as_deref(),
        Some("nomor rekening saya 123"),
        "what we stored stays"
    );
    assert_eq!(
        app.count("select count(*) from message").await,
        1,
        "the deletion is no message"
    );

    // A deletion without the usual sender fields is acknowledged all the same.
    let bare = String::from_utf8(fixture("fields/meta_revoke.json"))
        .unwrap()
        .replace(r#""from":"6281298765432","#, "");
    assert_eq!(
        app.post_meta(bare.as_bytes()).await.status(),
        StatusCode::OK
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn fields_we_do_not_act_on_are_acknowledged_and_kept_raw(pool: PgPool) {
    let app = app(pool).await;
    let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","time":1764590400,"changes":[{"field":"phone_number_quality_update","value":{"display_phone_number":"6281100000000","event":"FLAGGED","current_limit":"TIER_1K"}}]}]}"#;
    assert_eq!(app.post_meta(body).await.status(), StatusCode::OK);
    let (reasons, kept): (Vec<String>, Vec<u8>) =
        sqlx::query_as("select reasons, body from webhook_kept")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(kept, body.to_vec(), "the body as received");
    assert!(
        reasons[0].contains("phone_number_quality_update"),
        "{reasons:?}"
    );

    // Edits and number changes are stored (as unsupported, raw kept), not refused.
    for name in [
        "fields/meta_edit.json",
        "fields/meta_system_changed_number.json",
    ] {
        assert_eq!(
            app.post_meta(&fixture(name)).await.status(),
            StatusCode::OK,
            "{name}"
        );
    }
    // A malformed part of a real Meta delivery: acknowledged, the body kept.
    let broken = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"106540352242922"},"messages":[{"type":"text"}]}}]}]}"#;
    assert_eq!(app.post_meta(broken).await.status(), StatusCode::OK);
    assert_eq!(app.count("select count(*) from webhook_kept").await, 2);

    // Not a Meta webhook at all, even signed: 400 with the reason.
    let res = app.post_meta(br#"{"hello":"world"}"#).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("entry"));
}
