//! The demo's published passwords never guard a real installation: started without demo mode,
//! the server deactivates demo accounts that still have them (and leaves alone an account of
//! that name with a password of its own); demo mode brings them back.

use crate::helpers::{test_config, TestApp};
use reqwest::StatusCode;
use sqlx::PgPool;

async fn start(pool: &PgPool, demo: bool) -> TestApp {
    let mut config = test_config();
    config.demo = demo;
    TestApp::spawn_with(pool.clone(), config).await
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn demo_accounts_with_the_published_password_are_deactivated_outside_demo_mode(pool: PgPool) {
    let app = start(&pool, true).await;
    assert_eq!(
        app.login(&app.client(), "admin", "admin-demo")
            .await
            .status(),
        StatusCode::OK
    );
    // Rina's owner gave her account a password of its own.
    let rina: model::UserId =
        sqlx::query_scalar("select user_id from app_user where username = 'rina'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let hash = inbox::accounts::passwords::hash_password("rina-own-password".into())
        .await
        .unwrap();
    inbox::db::users::set_password(&pool, rina, &hash)
        .await
        .unwrap();
    drop(app);

    let app = start(&pool, false).await;
    assert_eq!(
        app.login(&app.client(), "admin", "admin-demo")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.count("select count(*) from app_user where username = 'admin' and not active")
            .await,
        1
    );
    assert_eq!(
        app.login(&app.client(), "rina", "rina-own-password")
            .await
            .status(),
        StatusCode::OK,
        "an account with its own password is not a demo account any more"
    );
    drop(app);

    let app = start(&pool, true).await;
    assert_eq!(
        app.login(&app.client(), "admin", "admin-demo")
            .await
            .status(),
        StatusCode::OK
    );
}
