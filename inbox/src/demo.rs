//! Demo data (only with `INBOX_DEMO`): the bot's sample rules in Indonesian and English, and a
//! handful of sandbox chats in every mode and assignment state, created through the same paths
//! as real traffic (ingest, the state machine, the outbox). Runs once: nothing is added when
//! rules or chats already exist.

use crate::chat_changes;
use crate::chat_changes::rules::ChatState;
use crate::db::{bot_rules, channels, chats, settings, users};
use crate::ingest::{self, Routed};
use crate::replies::{queue_reply, Sender};
use model::Mode;
use sqlx::PgPool;
use whatsapp::{InboundEvent, InboundMessage, MessageKind};

pub async fn seed(pool: &PgPool) -> anyhow::Result<()> {
    let mut conn = pool.acquire().await?;
    if bot_rules::count(&mut conn).await.map_err(err)? == 0 {
        for rule in bot::sample_rules() {
            bot_rules::save(
                &mut conn,
                None,
                &rule.keyword,
                rule.match_type,
                &rule.reply,
                rule.enabled,
                &rule.buttons,
            )
            .await
            .map_err(err)?;
        }
        // Always open in the demo, so it behaves the same at any hour.
        let demo = bot::BotSettings {
            business_hours: None,
            ..bot::BotSettings::sample()
        };
        settings::put(&mut conn, settings::BOT, &demo)
            .await
            .map_err(err)?;
    }
    if chats::count(&mut conn).await.map_err(err)? > 0 {
        return Ok(());
    }
    drop(conn);
    let sandbox = channels::sandbox_id(pool).await.map_err(err)?;
    let say = |phone: &str, name: &str, text: &str| customer_message(phone, name, text);
    let samples = [
        (say("6281298765432", "Budi Santoso", "Halo"), None),
        (
            say("6285712345678", "Sari Dewi", "Saya mau bicara dengan CS"),
            None,
        ),
        (
            say(
                "6281311112222",
                "Andi Wijaya",
                "Pesanan #INV-2231 saya belum sampai, bisa dicek?",
            ),
            Some(Mode::Agent),
        ),
        (
            say("6287722223333", "Maya Lestari", "Nanti saya kabari lagi ya"),
            Some(Mode::Paused),
        ),
        (
            say(
                "6289933334444",
                "Joko Prasetyo",
                "Sudah diterima, terima kasih!",
            ),
            Some(Mode::Closed),
        ),
    ];
    let rina = users::find_credentials(pool, "rina")
        .await
        .map_err(err)?
        .map(|(u, _)| u);
    for (event, mode) in &samples {
        ingest::store(
            pool,
            &[Routed {
                channel_id: sandbox,
                event,
            }],
            Mode::Bot,
        )
        .await
        .map_err(err)?;
        let InboundEvent::Message(m) = event else {
            continue;
        };
        let chat_id = chats::of_phone(pool, m.from_phone.as_deref().unwrap_or_default())
            .await
            .map_err(err)?;
        match (mode, &rina) {
            (Some(Mode::Agent), Some(rina)) => {
                queue_reply(
                    pool,
                    chat_id,
                    Sender::Human(rina),
                    "Baik kak, kami cek dulu ya 🙏",
                    None,
                )
                .await
                .map_err(err)?;
            }
            (Some(mode), _) => {
                let mut tx = pool.begin().await?;
                chat_changes::update(&mut tx, chat_id, chat_changes::Actor::System, |state| {
                    Ok(ChatState {
                        mode: *mode,
                        ..*state
                    })
                })
                .await
                .map_err(err)?;
                tx.commit().await?;
            }
            (None, _) => {}
        }
    }
    tracing::info!("demo data created: sample bot rules and sandbox chats");
    Ok(())
}

fn customer_message(phone: &str, name: &str, text: &str) -> InboundEvent {
    let id = format!("sandbox-demo-{phone}");
    InboundEvent::Message(InboundMessage {
        channel_key: channels::SANDBOX_KEY.to_string(),
        provider_message_id: id.clone(),
        from_phone: Some(phone.to_string()),
        from_user_id: None,
        from_name: Some(name.to_string()),
        sent_at: chrono::Utc::now(),
        kind: MessageKind::Text,
        text: Some(text.to_string()),
        media: None,
        reply_to: None,
        choice: None,
        location: None,
        cards: Vec::new(),
        raw: serde_json::json!({ "id": id, "from": phone, "text": text, "demo": true }),
    })
}

fn err(e: crate::Error) -> anyhow::Error {
    anyhow::anyhow!("demo data: {e}")
}
