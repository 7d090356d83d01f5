//! The chat list's search: by the customer's name, by part of the number (typed with spaces or
//! dashes), and by message text; each chat once, newest first, however many ways it matches;
//! LIKE's wildcards match only themselves; tabs and modes still apply.

use crate::helpers::TestApp;
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
    let app = TestApp::spawn_demo(pool).await;
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
    customer_writes(&app, "6281200000005", "Rina", "kaos biru, merah juga").await;
    customer_writes(&app, "6281200000006", "Nikos", "alamat: ΟΔΟΣ Ermou 5").await;
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
        ["6281200000002"],
        "both words, but not together: not listed"
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
    assert_eq!(
        search(&app, &admin, &all("ΟΔΟΣ ermou")).await,
        ["6281200000006"],
        "letters beyond ASCII, in any case, as the database compares them"
    );
    assert!(search(&app, &admin, &all("tidak ada")).await.is_empty());
    assert_eq!(
        search(&app, &admin, &all("  ")).await.len(),
        6,
        "blank: every chat"
    );
    // The tab and the mode still apply to what a search finds.
    let mode_agent = [("tab", "all"), ("q", "siti"), ("mode", "agent")];
    assert!(search(&app, &admin, &mode_agent).await.is_empty());
    let mine = [("tab", "mine"), ("q", "siti")];
    assert!(search(&app, &admin, &mine).await.is_empty());
}

/// The phone numbers of a whole search, page after page.
async fn search_all_pages(app: &TestApp, client: &reqwest::Client, q: &str) -> Vec<String> {
    let mut phones = Vec::new();
    let mut next: Option<(String, String)> = None;
    loop {
        let mut form = vec![("tab", "all".to_string()), ("q", q.to_string())];
        if let Some((at, id)) = next.take() {
            form.push(("before_at", at));
            form.push(("before_id", id));
        }
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = app.call(client, "chats/list", &form).await;
        assert_eq!(res.status(), StatusCode::OK);
        let page: serde_json::Value = res.json().await.expect("json");
        for c in page["chats"].as_array().expect("chats") {
            phones.push(c["contact_phone"].as_str().unwrap_or_default().to_string());
        }
        match page["next"].as_array() {
            Some(n) => next = Some((n[0].as_str().expect("at").to_string(), n[1].to_string())),
            None => return phones,
        }
    }
}

/// At a shop where "INV-" is in nearly every message, a search reads the index by the text's
/// rarer words and still lists only chats holding the whole text; a search of words in most
/// messages checks the newest chats first and pages on through the index, every match once.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn search_by_common_and_rare_words_finds_the_whole_text_only(pool: PgPool) {
    let app = TestApp::spawn_demo(pool.clone()).await;
    let mut praised = Vec::new();
    // Enough messages that the rare word's pieces are in under 1 % of them.
    for i in 0..250 {
        let phone = format!("6281300001{i:03}");
        let text = format!("Mantap sekali kak, INV-{}", 10000 + i);
        customer_writes(&app, &phone, "Pelanggan", &text).await;
        praised.push(phone);
    }
    praised.reverse(); // newest first
    customer_writes(&app, "6281300000201", "A", "pesanan INV-42424 belum sampai").await;
    customer_writes(&app, "6281300000203", "C", "42424 INV kapan dikirim").await;
    customer_writes(&app, "6281300000204", "D", "sekali mantap").await;
    sqlx::query("analyze message")
        .execute(&pool)
        .await
        .expect("analyze");

    let common = inbox::db::messages::common_trigrams(&pool, inbox::search::COMMON_SHARE)
        .await
        .expect("statistics");
    assert!(common.iter().any(|p| p == "inv"), "{common:?}");
    let planned = inbox::search::prepare(&pool, Some("INV-42424".into()))
        .await
        .expect("plan")
        .expect("a search");
    assert_eq!(planned.index_words, ["42424"], "read by the rare word only");
    let (admin, _) = app.signed_in("search-admin", Role::Admin).await;
    assert_eq!(
        search_all_pages(&app, &admin, "INV-42424").await,
        ["6281300000201"],
        "the whole text, not its words apart"
    );
    assert_eq!(
        search_all_pages(&app, &admin, "inv-4242").await,
        ["6281300000201"]
    );

    let planned = inbox::search::prepare(&pool, Some("mantap sekali".into()))
        .await
        .expect("plan")
        .expect("a search");
    assert_eq!(planned.walk_first, Some(inbox::search::WALK));
    assert_eq!(
        search_all_pages(&app, &admin, "mantap sekali").await,
        praised,
        "newest first, each chat once, over five pages"
    );
    assert!(search_all_pages(&app, &admin, "sekali kak mantap")
        .await
        .is_empty());
    // However far the walk goes: not far enough for a page (then the index), a page within it,
    // or past the end of the list, the pages are the same.
    for walk in [10, 60, 1000] {
        let search = inbox::db::chats::Search {
            walk_first: Some(walk),
            ..planned.clone()
        };
        assert_eq!(
            all_pages(&pool, search.clone(), None).await,
            praised,
            "walk {walk}"
        );
        // The list's filters hold on the walk as on the index.
        for mode in [model::Mode::Bot, model::Mode::Agent] {
            let index_only = inbox::db::chats::Search {
                walk_first: None,
                ..planned.clone()
            };
            assert_eq!(
                all_pages(&pool, search.clone(), Some(mode)).await,
                all_pages(&pool, index_only, Some(mode)).await,
                "walk {walk}, mode {mode:?}"
            );
        }
    }
}

/// Every page of a search through `chats::page`, as the list asks for them (50 a page).
async fn all_pages(
    pool: &PgPool,
    search: inbox::db::chats::Search,
    mode: Option<model::Mode>,
) -> Vec<String> {
    let mut filter = inbox::db::chats::ListFilter {
        search: Some(search),
        mode,
        ..Default::default()
    };
    let mut phones = Vec::new();
    loop {
        let mut page = inbox::db::chats::page(pool, &filter, 51)
            .await
            .expect("page");
        let more = page.len() > 50;
        page.truncate(50);
        phones.extend(page.iter().filter_map(|c| c.contact_phone.clone()));
        let Some(last) = page.last().filter(|_| more) else {
            return phones;
        };
        filter.before = Some((
            last.last_message_at
                .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC),
            last.chat_id,
        ));
    }
}
