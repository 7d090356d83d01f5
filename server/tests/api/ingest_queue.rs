//! Group commit: webhook bodies that arrive together are stored in one transaction, and a bad
//! body in a group fails alone.

use crate::helpers::TestApp;
use sqlx::PgPool;

/// Bodies that arrive together share a transaction (group commit); one bad body in a group
/// does not take the others down: they are stored, it alone gets the error.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_bad_body_in_a_group_commit_fails_alone(pool: PgPool) {
    use inbox::ingest::queue::IngestQueue;
    use whatsapp::{InboundEvent, InboundMessage, MessageKind};
    let _app = TestApp::spawn(pool.clone()).await;
    let sandbox: model::ChannelId =
        sqlx::query_scalar("select channel_id from channel where kind = 'sandbox'")
            .fetch_one(&pool)
            .await
            .unwrap();
    // One worker: while it stores the first body, the others queue up and go together.
    let queue = IngestQueue::start(pool.clone(), model::Mode::Bot, 1);
    let body = |i: usize| {
        let message = InboundMessage {
            channel_key: "sandbox".into(),
            provider_message_id: format!("group-{i}"),
            // Body 7 names no customer at all.
            from_phone: (i != 7).then(|| format!("62812000000{:02}", i % 5)),
            from_user_id: None,
            from_name: Some("Pelanggan".into()),
            sent_at: chrono::Utc::now(),
            kind: MessageKind::Text,
            text: Some(format!("pesan {i}")),
            media: None,
            reply_to: None,
            choice: None,
            location: None,
            cards: Vec::new(),
            raw: serde_json::json!({ "n": i }),
        };
        vec![(sandbox, InboundEvent::Message(message))]
    };
    let results = futures::future::join_all((0..20).map(|i| queue.store(body(i)))).await;
    for (i, result) in results.iter().enumerate() {
        match result {
            Ok(report) => {
                assert_ne!(i, 7, "the bad body is refused");
                assert_eq!(report.stored, 1, "body {i}");
            }
            Err(_) => assert_eq!(i, 7, "only the bad body fails, not body {i}"),
        }
    }
    let stored: i64 =
        sqlx::query_scalar("select count(*) from message where provider_message_id like 'group-%'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(stored, 19);
}
