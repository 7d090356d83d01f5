//! Bad input at the server: randomly mutated (but correctly signed) webhook bodies get 200 or
//! 400, never a 5xx, and a refused body stores nothing. (The parsers' own property tests are in
//! `whatsapp/tests/properties.rs`.)

use crate::helpers::{fixture, provider_config, TestApp};
use crate::webhooks::{INBOUND, META_MESSAGE_FIXTURES};
use reqwest::StatusCode;
use sqlx::PgPool;

/// Deterministic pseudo-random numbers (no dependency needed for a test).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

/// Removes or replaces one randomly chosen value somewhere in the document.
fn mutate(v: &mut serde_json::Value, rng: &mut Lcg) {
    match v {
        serde_json::Value::Object(map) if !map.is_empty() => {
            let key = map
                .keys()
                .nth(rng.next(map.len()))
                .cloned()
                .unwrap_or_default();
            match rng.next(4) {
                0 => {
                    map.remove(&key);
                }
                1 => {
                    map.insert(key, serde_json::json!(null));
                }
                2 => {
                    map.insert(key, serde_json::json!(""));
                }
                _ => {
                    if let Some(inner) = map.get_mut(&key) {
                        mutate(inner, rng);
                    }
                }
            }
        }
        serde_json::Value::Array(items) if !items.is_empty() => {
            let i = rng.next(items.len());
            if rng.next(3) == 0 {
                items.remove(i);
            } else {
                mutate(&mut items[i], rng);
            }
        }
        other => *other = serde_json::json!(rng.next(1000)),
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn mutated_webhooks_never_cause_a_5xx_or_a_partial_write(pool: PgPool) {
    let app = TestApp::spawn_with(pool, provider_config("http://127.0.0.1:9")).await;
    let mut rng = Lcg(20261122);
    let originals: Vec<serde_json::Value> = META_MESSAGE_FIXTURES
        .iter()
        .map(|(name, _)| serde_json::from_slice(&fixture(name)).unwrap())
        .collect();
    for round in 0..150 {
        let mut body = originals[round % originals.len()].clone();
        for _ in 0..=rng.next(3) {
            mutate(&mut body, &mut rng);
        }
        let bytes = serde_json::to_vec(&body).unwrap();
        let before = app.count(INBOUND).await;
        let res = app.post_meta(&bytes).await;
        let status = res.status();
        assert!(
            status == StatusCode::OK || status == StatusCode::BAD_REQUEST,
            "round {round}: {status} for {body}"
        );
        let after = app.count(INBOUND).await;
        if status == StatusCode::BAD_REQUEST {
            assert_eq!(
                after, before,
                "round {round}: a refused body stored nothing"
            );
        }
    }
    // Every stored customer message is whole: it has its id, chat and contact. (A tap on the
    // fixture's "talk-to-agent" hands the chat over, which notes it in the conversation: a
    // system line, with no provider id.)
    let broken = app.count("select count(*) from message m left join chat c using (chat_id) where m.direction = 'in' and (m.provider_message_id is null or c.chat_id is null)").await;
    let notes = app
        .count(
            "select count(*) from message where direction = 'note' and provider_message_id is null",
        )
        .await;
    let all_missing = app
        .count("select count(*) from message where provider_message_id is null")
        .await;
    assert_eq!(all_missing, notes, "only system notes have no provider id");
    assert_eq!(broken, 0);
}
