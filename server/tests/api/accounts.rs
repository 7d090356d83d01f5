//! Accounts: hashing, the first-admin rule, role checks, last-admin protection, user admin.

use crate::helpers::TestApp;
use model::{Role, SetupInfo, UserInfo};
use reqwest::StatusCode;
use sqlx::PgPool;

#[tokio::test]
async fn password_hash_is_argon2id_and_verifies_only_the_right_password() {
    let hash = inbox::accounts::passwords::hash_password("correct horse".into())
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(
        inbox::accounts::passwords::verify_password("correct horse".into(), hash.clone())
            .await
            .unwrap()
    );
    assert!(
        !inbox::accounts::passwords::verify_password("correct horsf".into(), hash)
            .await
            .unwrap()
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn first_account_is_admin_and_only_once(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let client = app.client();
    let status: SetupInfo = app
        .call(&client, "setup_status", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(status.needs_first_admin);

    // The login page sends to /setup while there is no account.
    let res = app.page(&client, "/login").await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(res.headers()["location"], "/setup");

    let form = [
        ("username", "boss"),
        ("display_name", "The Boss"),
        ("password", "boss-password"),
    ];
    let res = app.call(&client, "create_first_admin", &form).await;
    assert_eq!(res.status(), StatusCode::OK);
    let admin: UserInfo = res.json().await.unwrap();
    assert_eq!(admin.role, Role::Admin);
    // ... and is signed in.
    let me: Option<UserInfo> = app.call(&client, "me", &[]).await.json().await.unwrap();
    assert_eq!(me.unwrap().username, "boss");

    let other = app.client();
    let res = app
        .call(
            &other,
            "create_first_admin",
            &[
                ("username", "eve"),
                ("display_name", "Eve"),
                ("password", "eve-password"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let status: SetupInfo = app
        .call(&other, "setup_status", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(!status.needs_first_admin);
    assert_eq!(inbox::db::users::count(&app.pool).await.unwrap(), 1);
}

const ADMIN_FUNCTIONS: [(&str, &[(&str, &str)]); 5] = [
    ("admin/list_users", &[]),
    (
        "admin/create_user",
        &[
            ("username", "x-user"),
            ("display_name", "X"),
            ("role", "agent"),
            ("password", "password-1"),
        ],
    ),
    (
        "admin/update_user",
        &[("user_id", "1"), ("display_name", "X"), ("role", "admin")],
    ),
    (
        "admin/set_user_active",
        &[("user_id", "1"), ("active", "false")],
    ),
    (
        "admin/reset_password",
        &[("user_id", "1"), ("password", "password-2")],
    ),
];

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn admin_functions_answer_401_to_anonymous_and_403_to_agents(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.create_user("boss", Role::Admin, "boss-password").await;
    let (agent, _) = app.signed_in("rina", Role::Agent).await;
    let anonymous = app.client();
    for (endpoint, form) in ADMIN_FUNCTIONS {
        let res = app.call(&anonymous, endpoint, form).await;
        assert_eq!(
            res.status(),
            StatusCode::UNAUTHORIZED,
            "anonymous {endpoint}"
        );
        let res = app.call(&agent, endpoint, form).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "agent {endpoint}");
    }
    // Nothing changed.
    let users = inbox::db::users::list(&app.pool).await.unwrap();
    assert_eq!(users.len(), 2);
    assert!(users.iter().all(|u| u.active && u.display_name != "X"));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn pages_redirect_anonymous_to_login_and_show_not_allowed_to_agents(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.create_user("boss", Role::Admin, "boss-password").await;
    let res = app.page(&app.client(), "/admin/users").await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(res.headers()["location"], "/login");

    let (agent, _) = app.signed_in("rina", Role::Agent).await;
    let res = app.page(&agent, "/admin/users").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = res.text().await.unwrap();
    assert!(html.contains("data-testid=\"not-allowed\""), "{html}");
    assert!(
        !html.contains("boss"),
        "the agent must not see the user list"
    );

    let res = app.page(&agent, "/no/such/page").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn admin_manages_users(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let (admin, _) = app.signed_in("boss", Role::Admin).await;
    let res = app
        .call(
            &admin,
            "admin/create_user",
            &[
                ("username", "budi"),
                ("display_name", "Budi"),
                ("role", "agent"),
                ("password", "budi-password"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let budi: UserInfo = res.json().await.unwrap();
    let id = budi.user_id.to_string();

    let res = app
        .call(
            &admin,
            "admin/create_user",
            &[
                ("username", "BUDI"),
                ("display_name", "Budi 2"),
                ("role", "agent"),
                ("password", "budi-password"),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "usernames are unique regardless of case"
    );

    let res = app
        .call(
            &admin,
            "admin/create_user",
            &[
                ("username", "short"),
                ("display_name", "S"),
                ("role", "agent"),
                ("password", "1234567"),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "password too short"
    );

    let res = app
        .call(
            &admin,
            "admin/update_user",
            &[
                ("user_id", &id),
                ("display_name", "Budi Santoso"),
                ("role", "admin"),
            ],
        )
        .await;
    let updated: UserInfo = res.json().await.unwrap();
    assert_eq!(
        (updated.display_name.as_str(), updated.role),
        ("Budi Santoso", Role::Admin)
    );

    let list: Vec<UserInfo> = app
        .call(&admin, "admin/list_users", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.len(), 2);

    let res = app
        .call(
            &admin,
            "admin/reset_password",
            &[("user_id", &id), ("password", "new-budi-password")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let budi_client = app.client();
    assert_eq!(
        app.login(&budi_client, "budi", "budi-password")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(&budi_client, "budi", "new-budi-password")
            .await
            .status(),
        StatusCode::OK
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn last_active_admin_cannot_be_demoted_or_deactivated(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let (admin, me) = app.signed_in("boss", Role::Admin).await;
    let id = me.user_id.to_string();
    let res = app
        .call(
            &admin,
            "admin/update_user",
            &[
                ("user_id", &id),
                ("display_name", "Boss"),
                ("role", "agent"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    let second = app
        .create_user("second", Role::Admin, "second-password")
        .await;
    let second_id = second.user_id.to_string();
    let res = app
        .call(
            &admin,
            "admin/set_user_active",
            &[("user_id", &second_id), ("active", "false")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "another admin remains");
    let res = app
        .call(
            &admin,
            "admin/update_user",
            &[
                ("user_id", &id),
                ("display_name", "Boss"),
                ("role", "agent"),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::CONFLICT,
        "the deactivated admin does not count"
    );

    let res = app
        .call(
            &admin,
            "admin/set_user_active",
            &[("user_id", &second_id), ("active", "true")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .call(
            &admin,
            "admin/update_user",
            &[
                ("user_id", &id),
                ("display_name", "Boss"),
                ("role", "agent"),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "now there is another active admin"
    );
    let admins = inbox::db::users::list(&app.pool)
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.role == Role::Admin && u.active)
        .count();
    assert_eq!(admins, 1);
}
