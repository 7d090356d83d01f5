//! Cross-site requests and the pages' security headers.

use crate::helpers::TestApp;
use model::Role;
use reqwest::StatusCode;
use sqlx::PgPool;

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_cross_site_login_or_action_is_refused(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.create_user("rina", Role::Agent, "rina-password").await;
    let host = app.base.trim_start_matches("http://").to_string();
    let login = |origin: Option<(&'static str, String)>| {
        let mut req = app
            .client()
            .post(app.url("/api/login"))
            .form(&[("username", "rina"), ("password", "rina-password")]);
        if let Some((name, value)) = origin {
            req = req.header(name, value);
        }
        req.send()
    };
    // Login CSRF: a page elsewhere signs the victim in as someone else.
    let res = login(Some(("origin", "https://evil.example".into())))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(
        res.headers().get("set-cookie").is_none(),
        "no session for a forged login"
    );
    let res = login(Some(("referer", "https://evil.example/x".into())))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // The site itself, and clients that are not browsers.
    let res = login(Some(("origin", format!("http://{host}"))))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(login(None).await.unwrap().status(), StatusCode::OK);

    // A signed-in agent's session cannot be used from another site either.
    let (agent, _) = app.signed_in("tari", Role::Agent).await;
    let res = agent
        .post(app.url("/api/logout"))
        .header("origin", "http://sub.127.0.0.1.nip.io")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let me: Option<model::UserInfo> = app.call(&agent, "me", &[]).await.json().await.unwrap();
    assert!(me.is_some(), "the forged logout did nothing");

    // Webhooks come from providers, not browsers: their own authentication decides.
    let res = app
        .client()
        .post(app.url("/webhook/whapi"))
        .header("origin", "https://evil.example")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn pages_carry_a_content_security_policy_with_this_responses_nonce(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.create_user("admin", Role::Admin, "admin-password")
        .await;
    let res = app.page(&app.client(), "/login").await;
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers().clone();
    let csp = h["content-security-policy"].to_str().unwrap().to_string();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "same-origin");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("object-src 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy")
        .to_string();
    let html = res.text().await.unwrap();
    // Leptos leaves one empty `<script></script>` at the end of the body: nothing to run.
    let scripts = html.matches("<script").count() - html.matches("<script></script>").count();
    assert!(scripts > 0, "the page has its hydration script");
    assert_eq!(
        html.matches(&format!("nonce=\"{nonce}\"")).count(),
        scripts,
        "every inline script carries this response's nonce"
    );
    let again = app.page(&app.client(), "/login").await;
    assert_ne!(
        again.headers()["content-security-policy"].to_str().unwrap(),
        csp,
        "a fresh nonce per response"
    );
}
