//! The chat list's search: by the customer's name, by part of the number (typed with spaces or
//! dashes), and by message text; each chat once, newest first, however many ways it matches;
//! LIKE's wildcards match only themselves; tabs and modes still apply.

use crate::helpers::{test_config, TestApp};
use model::Role;
use reqwest::StatusCode;
use sqlx::PgPool;

async fn customer_writes(app: &TestApp, phone: &str, name: &str, text: &str) {
    let res = app
        .call(
            &app.client(),
            "sandbox/send",
            &[("phone", phone), ("name", name), ("text", text)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

/// The phone numbers of the chats a search lists, in the list's order.
async fn search(app: &TestApp, client: &reqwest::Client, form: &[(&str, &str)]) -> Vec<String> {
    let res = app.call(client, "chats/list", form).await;
    assert_eq!(res.status(), StatusCode::OK);
    let page: serde_json::Value = res.json().await.expect("json");
    page["chats"]
        .as_array()
        .expect("chats")
        .iter()
        .map(|c| c["contact_phone"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn search_finds_chats_by_name_number_and_text_once_each(pool: PgPool) {
    let mut config = test_config();
    config.demo = true;
    let app = TestApp::spawn_with(pool, config).await;
    customer_writes(
        &app,
        "6281200000001",
        "Siti Rahayu",
        "pesanan INV-777 belum sampai",
    )
    .await;
    customer_writes(
        &app,
        "6281200000002",
        "Budi Santoso",
        "halo, stok kaos merah?",
    )
    .await;
    customer_writes(
        &app,
        "6281299990003",
        "Dewi",
        "Siti bilang INV-777 juga 100% lunas",
    )
    .await;
    customer_writes(&app, "6281200000004", "Agus", "terima kasih").await;
    let (admin, _) = app.signed_in("search-admin", Role::Admin).await;
    let all = |q: &'static str| [("tab", "all"), ("q", q)];

    assert_eq!(
        search(&app, &admin, &all("siti")).await,
        ["6281299990003", "6281200000001"],
        "name or text, newest first"
    );
    assert_eq!(search(&app, &admin, &all("budi")).await, ["6281200000002"]);
    assert_eq!(
        search(&app, &admin, &all("9999 0003")).await,
        ["6281299990003"],
        "digits typed with a space"
    );
    assert_eq!(
        search(&app, &admin, &all("0812-9999")).await.len(),
        0,
        "a local 08 prefix is not in the stored number"
    );
    assert_eq!(
        search(&app, &admin, &all("INV-777")).await,
        ["6281299990003", "6281200000001"]
    );
    assert_eq!(
        search(&app, &admin, &all("kaos merah")).await,
        ["6281200000002"]
    );
    assert_eq!(
        search(&app, &admin, &all("100%")).await,
        ["6281299990003"],
        "% matches itself"
    );
    assert_eq!(
        search(&app, &admin, &all("1_0")).await.len(),
        0,
        "_ matches itself"
    );
    assert!(search(&app, &admin, &all("tidak ada")).await.is_empty());
    assert_eq!(
        search(&app, &admin, &all("  ")).await.len(),
        4,
        "blank: every chat"
    );
    // The tab and the mode still apply to what a search finds.
    let mode_agent = [("tab", "all"), ("q", "siti"), ("mode", "agent")];
    assert!(search(&app, &admin, &mode_agent).await.is_empty());
    let mine = [("tab", "mine"), ("q", "siti")];
    assert!(search(&app, &admin, &mine).await.is_empty());
}
