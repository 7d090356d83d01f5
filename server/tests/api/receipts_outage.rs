//! Read receipts survive a real 30 s provider outage (the retry schedule's own shape), typing
//! asked for during it is dropped once stale, and typing works again afterwards.

use crate::helpers::{provider_config, TestApp};
use crate::outbox::meta_error;
use crate::receipts::{chat_id, customer_writes, open, typing, MetaAll};
use model::Role;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Fails every call until `until` (Meta's 503), then answers like [`MetaAll`] and keeps the
/// bodies it took.
struct Outage {
    until: Instant,
    ok: MetaAll,
    taken: Arc<std::sync::Mutex<Vec<Value>>>,
}

impl Respond for Outage {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        if Instant::now() < self.until {
            meta_error(503, 2, "Service temporarily unavailable")
        } else {
            self.taken.lock().unwrap().push(req.body_json().unwrap());
            self.ok.respond(req)
        }
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn read_receipts_survive_a_30_second_outage_and_typing_works_after_it(pool: PgPool) {
    let mock = MockServer::start().await;
    let mut config = provider_config(&mock.uri());
    // The real schedule's shape (doubling from 1 s, 50-100 % jitter), capped so that even the
    // shortest draw of 10 attempts spans more than the outage (0.5+1+2+4+8+16·4 s).
    config.outbox.retry_base = Duration::from_secs(1);
    config.outbox.retry_max = Duration::from_secs(16);
    let app = TestApp::spawn_with(pool, config).await;
    customer_writes(&app, "wamid.during", "halo").await;
    let chat = chat_id(&app).await;
    let taken = Arc::new(std::sync::Mutex::new(Vec::new()));
    Mock::given(method("POST"))
        .respond_with(Outage {
            until: Instant::now() + Duration::from_secs(30),
            ok: MetaAll(Arc::default()),
            taken: taken.clone(),
        })
        .mount(&mock)
        .await;
    let worker = tokio::spawn(app.outbox.clone().run_until_stopped(std::future::pending()));
    let (rina, _) = app.signed_in("rina", Role::Agent).await;
    open(&app, &rina, chat).await;
    typing(&app, &rina, chat, true).await;
    let deadline = Instant::now() + Duration::from_secs(90);
    while app.count("select count(*) from outbox").await > 0 {
        assert!(Instant::now() < deadline, "still queued after 90 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let failed_calls = mock.received_requests().await.unwrap().len() - taken.lock().unwrap().len();
    assert!(
        failed_calls >= 4,
        "the outage was retried through ({failed_calls} failed calls)"
    );
    // The typing asked for during the outage was dropped once it was 25 s old; the receipt
    // reached the provider exactly once.
    assert_eq!(
        *taken.lock().unwrap(),
        vec![
            json!({ "messaging_product": "whatsapp", "status": "read", "message_id": "wamid.during" })
        ]
    );

    // After the outage "typing…" works again (its 20 s turn has long passed).
    typing(&app, &rina, chat, true).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.count("select count(*) from outbox").await > 0 {
        assert!(
            Instant::now() < deadline,
            "typing after the outage was not sent"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    worker.abort();
    let taken = taken.lock().unwrap().clone();
    assert_eq!(taken.len(), 2);
    assert_eq!(taken[1]["typing_indicator"]["type"], "text");
}
