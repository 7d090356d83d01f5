//! The bot inside the inbox: after a customer message is stored in a BOT chat, the `bot` crate
//! decides, and its reply is queued in the same transaction (a redelivered webhook stores
//! nothing, so it never triggers a second answer). Settings and rules live in `setting` and
//! `bot_rule`.
//!
//! Product rules decided here:
//! - With the bot switched off, a customer message in a BOT chat moves the chat to AGENT, so
//!   it waits for a human instead of for nobody.
//! - A customer asking for a human (a handover keyword) moves the chat to AGENT, unassigned:
//!   it joins the "Unassigned" queue (or goes to an agent when auto-assignment is on).
//! - The fallback and out-of-office texts go to one chat at most once every 4 hours, so a
//!   customer who writes five lines at night gets one "we are closed", not five.

use super::chat_state::ChatState;
use super::db::{bot_rules, chat_changes, settings};
use super::replies::{queue_reply_in, Sender};
use crate::model::Mode;
use crate::AppError;
use bot::{BotSettings, Decision, Rule};
use sqlx::PgConnection;

const REPEAT_QUIET_HOURS: i32 = 4;

/// Settings and rules, loaded once per webhook body.
pub struct Brain {
    pub settings: BotSettings,
    pub rules: Vec<Rule>,
}

impl Brain {
    pub async fn load(conn: &mut PgConnection) -> Result<Brain, AppError> {
        let (settings, rules) = bot_rules::brain(conn).await?;
        let settings = match settings {
            Some(v) => serde_json::from_value(v)
                .map_err(|e| anyhow::anyhow!("setting {}: {e}", settings::BOT))?,
            None => BotSettings::default(),
        };
        Ok(Brain { settings, rules })
    }
}

/// Lets the bot answer one customer message in a BOT chat (locked by the caller's transaction).
pub async fn answer(
    conn: &mut PgConnection,
    brain: &Brain,
    chat_id: i64,
    state: ChatState,
    text: &str,
) -> Result<(), AppError> {
    if state.mode != Mode::Bot {
        return Ok(());
    }
    let to_agents = ChatState {
        mode: Mode::Agent,
        ..state
    };
    if !brain.settings.enabled {
        chat_changes::apply(conn, chat_id, None, state, to_agents).await?;
        return Ok(());
    }
    match bot::decide(&brain.settings, &brain.rules, text, chrono::Utc::now()) {
        Decision::Silent => {}
        Decision::Reply { text, rule_id } => {
            // The fallback (no rule) is rate-limited; rule answers are not.
            if rule_id.is_some() || !said_recently(conn, chat_id, &text).await? {
                queue_reply_in(conn, chat_id, Sender::Bot, &text).await?;
            }
        }
        Decision::OutOfOffice { text } => {
            if !said_recently(conn, chat_id, &text).await? {
                queue_reply_in(conn, chat_id, Sender::Bot, &text).await?;
            }
        }
        Decision::Handover { reply } => {
            if let Some(reply) = reply {
                queue_reply_in(conn, chat_id, Sender::Bot, &reply).await?;
            }
            chat_changes::apply(conn, chat_id, None, state, to_agents).await?;
        }
    }
    Ok(())
}

async fn said_recently(
    conn: &mut PgConnection,
    chat_id: i64,
    text: &str,
) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar(
        "select exists(select 1 from message where chat_id = $1 and sender_kind = 'bot' and body = $2
                         and created_at > now() - make_interval(hours => $3))",
    )
    .bind(chat_id)
    .bind(text)
    .bind(REPEAT_QUIET_HOURS)
    .fetch_one(conn)
    .await?)
}
