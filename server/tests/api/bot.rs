//! The bot in the inbox: answers customer messages in BOT chats from keyword rules, never after
//! a human took over or in PAUSED chats, hands over on request, answers a redelivered message
//! once, and does not repeat its fallback.

use crate::helpers::{provider_config, test_config, TestApp, META};
use bot::{BotSettings, MatchType};
use model::Mode;
use reqwest::StatusCode;
use sqlx::PgPool;

pub(crate) async fn setup(pool: PgPool, reopen: Mode) -> TestApp {
    let mut config = test_config();
    config.demo = true;
    config.reopen_mode = reopen;
    let app = TestApp::spawn_with(pool, config).await;
    let mut conn = app.pool.acquire().await.unwrap();
    inbox::db::bot_rules::save(
        &mut conn,
        None,
        "halo",
        MatchType::Exact,
        "Halo! Ada yang bisa kami bantu?",
        true,
        &[],
    )
    .await
    .unwrap();
    inbox::db::bot_rules::save(
        &mut conn,
        None,
        "harga",
        MatchType::Contains,
        "Daftar harga: https://toko.example/harga",
        true,
        &[],
    )
    .await
    .unwrap();
    let settings = BotSettings {
        fallback_reply: Some("Maaf, kami belum mengerti.".into()),
        handover_reply: Some("Baik, kami sambungkan ke CS.".into()),
        ..BotSettings::default()
    };
    inbox::db::settings::put(&mut conn, inbox::db::settings::BOT, &settings)
        .await
        .unwrap();
    app
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

async fn bot_replies(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("select body from message where sender_kind = 'bot' order by message_id")
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

async fn chat_mode(app: &TestApp) -> String {
    sqlx::query_scalar("select mode from chat")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn agent(app: &TestApp) -> reqwest::Client {
    let c = app.client();
    assert_eq!(
        app.login(&c, "rina", "rina-demo").await.status(),
        StatusCode::OK
    );
    c
}

async fn chat_id(app: &TestApp) -> String {
    sqlx::query_scalar::<_, i64>("select chat_id from chat")
        .fetch_one(&app.pool)
        .await
        .unwrap()
        .to_string()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_bot_answers_from_its_rules_in_bot_mode(pool: PgPool) {
    let app = setup(pool, Mode::Bot).await;
    customer_says(&app, "Halo!").await;
    customer_says(&app, "berapa HARGA paket ini?").await;
    assert_eq!(
        bot_replies(&app).await,
        vec![
            "Halo! Ada yang bisa kami bantu?",
            "Daftar harga: https://toko.example/harga"
        ]
    );
    // Bot replies go through the outbox like any reply.
    assert_eq!(app.count("select count(*) from outbox").await, 2);
    assert_eq!(app.drain_outbox().await.len(), 2);
    assert_eq!(chat_mode(&app).await, "bot");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn after_a_human_takes_over_the_bot_is_silent(pool: PgPool) {
    let app = setup(pool, Mode::Bot).await;
    customer_says(&app, "halo").await;
    let rina = agent(&app).await;
    let res = app
        .call(
            &rina,
            "chats/reply",
            &[
                ("chat_id", &chat_id(&app).await),
                ("text", "Saya Rina, saya bantu"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(chat_mode(&app).await, "agent");
    customer_says(&app, "halo").await;
    customer_says(&app, "harga?").await;
    assert_eq!(
        bot_replies(&app).await.len(),
        1,
        "only the answer before the takeover"
    );

    // Handed back, the bot answers again.
    app.call(
        &rina,
        "chats/hand_back",
        &[("chat_id", &chat_id(&app).await)],
    )
    .await;
    customer_says(&app, "halo").await;
    assert_eq!(bot_replies(&app).await.len(), 2);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_bot_is_silent_in_paused_and_closed_chats(pool: PgPool) {
    let app = setup(pool, Mode::Agent).await;
    customer_says(&app, "halo").await;
    let rina = agent(&app).await;
    let id = chat_id(&app).await;
    app.call(
        &rina,
        "chats/set_mode",
        &[("chat_id", &id), ("mode", "paused")],
    )
    .await;
    customer_says(&app, "halo").await;
    assert_eq!(bot_replies(&app).await.len(), 1);
    app.call(
        &rina,
        "chats/set_mode",
        &[("chat_id", &id), ("mode", "closed")],
    )
    .await;
    // With INBOX_REOPEN_MODE=agent, the customer's new message reopens the chat for a human.
    customer_says(&app, "halo").await;
    assert_eq!(chat_mode(&app).await, "agent");
    assert_eq!(bot_replies(&app).await.len(), 1);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_customer_asking_for_a_human_is_handed_over(pool: PgPool) {
    let app = setup(pool, Mode::Bot).await;
    customer_says(&app, "saya mau bicara dengan manusia").await;
    assert_eq!(chat_mode(&app).await, "agent");
    let assigned: Option<i64> = sqlx::query_scalar("select assigned_user_id from chat")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(assigned.is_none(), "waits in the Unassigned queue");
    assert_eq!(
        bot_replies(&app).await,
        vec!["Baik, kami sambungkan ke CS."]
    );
    customer_says(&app, "halo").await;
    assert_eq!(bot_replies(&app).await.len(), 1, "silent once handed over");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_fallback_is_not_repeated_and_a_redelivery_is_answered_once(pool: PgPool) {
    let app = setup(pool.clone(), Mode::Bot).await;
    customer_says(&app, "asdfgh").await;
    customer_says(&app, "qwerty").await;
    assert_eq!(bot_replies(&app).await, vec!["Maaf, kami belum mengerti."]);

    // A Meta webhook delivered twice gets one answer.
    drop(app);
    let app = TestApp::spawn_with(pool, provider_config("http://127.0.0.1:9")).await;
    let body = META.text("6285712345678", "wamid.twice", "halo");
    app.post_meta(&body).await;
    app.post_meta(&body).await;
    let answers: i64 = app.count("select count(*) from message m join chat c using (chat_id) join contact ct using (contact_id) where ct.phone = '6285712345678' and m.sender_kind = 'bot'").await;
    assert_eq!(answers, 1);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn with_the_bot_switched_off_bot_chats_go_to_the_agents(pool: PgPool) {
    let app = setup(pool, Mode::Bot).await;
    let mut conn = app.pool.acquire().await.unwrap();
    inbox::db::settings::put(
        &mut conn,
        inbox::db::settings::BOT,
        &BotSettings {
            enabled: false,
            ..BotSettings::default()
        },
    )
    .await
    .unwrap();
    customer_says(&app, "halo").await;
    assert_eq!(bot_replies(&app).await.len(), 0);
    assert_eq!(chat_mode(&app).await, "agent");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn admins_edit_the_bot_settings_and_rules_and_agents_may_not(pool: PgPool) {
    let app = setup(pool, Mode::Bot).await;
    let rina = agent(&app).await;
    assert_eq!(
        app.call(&rina, "admin/bot", &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    let res = app
        .call(
            &rina,
            "admin/bot/save_rule",
            &[("keyword", "x"), ("match_type", "exact"), ("reply", "y")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let admin = app.client();
    assert_eq!(
        app.login(&admin, "admin", "admin-demo").await.status(),
        StatusCode::OK
    );
    let mut form: Vec<(&str, String)> = vec![
        ("enabled", "on".into()),
        ("fallback_reply", "Maaf?".into()),
        ("out_of_office_reply", "Kami tutup.".into()),
        ("handover_keywords", "agen, manusia".into()),
        ("handover_reply", "".into()),
        ("hours_enabled", "on".into()),
        ("time_zone", "Mars/Olympus".into()),
    ];
    for day in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] {
        let (open, close) = if day == "sun" {
            ("", "")
        } else {
            ("20:00", "02:00")
        };
        form.push((
            Box::leak(format!("{day}_open").into_boxed_str()),
            open.into(),
        ));
        form.push((
            Box::leak(format!("{day}_close").into_boxed_str()),
            close.into(),
        ));
    }
    let as_refs = |f: &Vec<(&'static str, String)>| {
        f.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>()
    };
    let res = admin
        .post(app.url("/api/admin/bot/save_settings"))
        .form(&as_refs(&form))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("unknown_time_zone"));
    form.iter_mut().find(|(k, _)| *k == "time_zone").unwrap().1 = "Asia/Makassar".into();
    let res = admin
        .post(app.url("/api/admin/bot/save_settings"))
        .form(&as_refs(&form))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let shown: model::BotForm = app
        .call(&admin, "admin/bot", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            shown.time_zone.as_str(),
            shown.days[0].clone(),
            shown.days[6].clone()
        ),
        (
            "Asia/Makassar",
            ("20:00".into(), "02:00".into()),
            (String::new(), String::new())
        )
    );
    assert_eq!(shown.handover_keywords, "agen, manusia");
    assert!(shown.hours_enabled && shown.enabled);

    app.add_bot_rule(&admin, "ongkir", "Ongkir mulai 9rb").await;
    let res = app
        .call(
            &admin,
            "admin/bot/save_rule",
            &[
                ("keyword", "  "),
                ("match_type", "contains"),
                ("reply", "x"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let shown: model::BotForm = app
        .call(&admin, "admin/bot", &[])
        .await
        .json()
        .await
        .unwrap();
    let rule = shown.rules.iter().find(|r| r.keyword == "ongkir").unwrap();
    assert!(rule.enabled);
    let res = app
        .call(
            &admin,
            "admin/bot/delete_rule",
            &[("id", &rule.id.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.count("select count(*) from bot_rule where keyword = 'ongkir'")
            .await,
        0
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_fallback_text_with_surrounding_spaces_is_not_repeated_either(pool: PgPool) {
    let app = setup(pool, Mode::Bot).await;
    let mut conn = app.pool.acquire().await.unwrap();
    let settings = BotSettings {
        fallback_reply: Some("  Maaf, kami belum mengerti.\n".into()),
        ..BotSettings::default()
    };
    inbox::db::settings::put(&mut conn, inbox::db::settings::BOT, &settings)
        .await
        .unwrap();
    customer_says(&app, "asdfgh").await;
    customer_says(&app, "qwerty").await;
    assert_eq!(bot_replies(&app).await, vec!["Maaf, kami belum mengerti."]);
}
