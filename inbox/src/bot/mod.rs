//! The bot inside the inbox: after a customer message is stored in a BOT chat, the `bot` crate
//! decides, and its reply is queued in the same transaction (a redelivered webhook stores
//! nothing, so it never triggers a second answer). Settings and rules live in `setting` and
//! `bot_rule`.
//!
//! Product rules decided here:
//! - With the bot switched off (for all channels, or on the chat's channel, or the channel is
//!   disabled), a customer message in a BOT chat moves the chat to AGENT, so it waits for a
//!   human instead of for nobody.
//! - A customer asking for a human (a handover keyword) moves the chat to AGENT, unassigned:
//!   it joins the "Unassigned" queue (or goes to an agent when auto-assignment is on).
//! - The fallback and out-of-office texts go to one chat at most once every 4 hours, so a
//!   customer who writes five lines at night gets one "we are closed", not five.
//! - A rule with options sends them under its reply (buttons, a list, or a numbered menu where
//!   the provider has no buttons). A tap is matched by its id; a customer's bare number ("2")
//!   right after a menu counts as a tap on that option, on every provider.

pub mod form;

use crate::chat_changes;
use crate::chat_changes::rules::ChatState;
use crate::db::messages;
use crate::db::{bot_rules, settings};
use crate::replies::interactive::{from_rule, queue_interactive_in};
use crate::replies::{queue_reply_in, Sender};
use crate::Error;
use bot::{BotSettings, Decision, Rule};
use model::{ChannelId, ChatId};
use model::{Mode, Reason};
use sqlx::PgConnection;
use std::collections::HashSet;

const REPEAT_QUIET_HOURS: i32 = 4;

/// Settings and rules, loaded once per transaction of webhook bodies, with what the bot said
/// lately in the chats it is about to answer.
pub struct Brain {
    pub settings: BotSettings,
    pub rules: Vec<Rule>,
    /// Channels the bot does not answer on (its switch there is off, or the channel is
    /// disabled).
    silent: HashSet<ChannelId>,
    /// Chats whose recent bot texts are in `said`.
    known: HashSet<ChatId>,
    /// (chat, text) the bot sent within the quiet hours, including in this transaction.
    said: HashSet<(ChatId, String)>,
}

impl Brain {
    /// Loads the bot for a transaction that will answer messages in `chats`.
    pub async fn load(conn: &mut PgConnection, chats: &[ChatId]) -> Result<Brain, Error> {
        let (settings, rules, said, silent) =
            bot_rules::brain(conn, chats, REPEAT_QUIET_HOURS).await?;
        let settings = match settings {
            Some(v) => serde_json::from_value(v)
                .map_err(|e| anyhow::anyhow!("setting {}: {e}", settings::BOT))?,
            None => BotSettings::default(),
        };
        Ok(Brain {
            settings,
            rules,
            silent: silent.into_iter().collect(),
            known: chats.iter().copied().collect(),
            said: said.into_iter().collect(),
        })
    }

    /// Whether the bot sent `text` to the chat within the quiet hours.
    async fn said_recently(
        &mut self,
        conn: &mut PgConnection,
        chat_id: ChatId,
        text: &str,
    ) -> Result<bool, Error> {
        if !self.known.contains(&chat_id) {
            // A chat this transaction did not expect (one it reopened): ask once.
            let (_, _, said, _) = bot_rules::brain(conn, &[chat_id], REPEAT_QUIET_HOURS).await?;
            self.said.extend(said);
            self.known.insert(chat_id);
        }
        Ok(self.said.contains(&(chat_id, text.to_string())))
    }

    /// Queues a rate-limited text unless it went to this chat within the quiet hours.
    async fn say_once(
        &mut self,
        conn: &mut PgConnection,
        chat_id: ChatId,
        text: &str,
    ) -> Result<(), Error> {
        if !self.said_recently(conn, chat_id, text).await? && say(conn, chat_id, text).await? {
            self.said.insert((chat_id, text.to_string()));
        }
        Ok(())
    }
}

/// Queues the bot's text, unless the provider may not take it now (Meta's 24-hour window has
/// closed: the customer's message arrived late). The customer's message is stored all the
/// same, in the same transaction; the bot just does not answer. Returns whether it was queued.
async fn say(conn: &mut PgConnection, chat_id: ChatId, text: &str) -> Result<bool, Error> {
    say_with(conn, chat_id, text, &[]).await
}

/// [`say`] with a rule's options under the text.
async fn say_with(
    conn: &mut PgConnection,
    chat_id: ChatId,
    text: &str,
    options: &[String],
) -> Result<bool, Error> {
    let queued = if options.is_empty() {
        queue_reply_in(conn, chat_id, Sender::Bot, text, None)
            .await
            .map(drop)
    } else {
        let menu = from_rule(text, options);
        match queue_interactive_in(conn, chat_id, Sender::Bot, &menu, None).await {
            // Refused before anything was written (a rule saved before the limits were
            // checked): the same as a numbered menu in plain text, never a lost answer.
            Err(Error::Invalid { field, reason }) => {
                tracing::warn!(%chat_id, %field, ?reason, "the rule's options cannot go out as buttons; sent as a numbered menu");
                queue_reply_in(conn, chat_id, Sender::Bot, &menu.numbered_text(), None)
                    .await
                    .map(drop)
            }
            other => other.map(drop),
        }
    };
    match queued {
        Ok(_) => Ok(true),
        // Refused before anything was written, so the transaction goes on.
        Err(Error::Conflict(Reason::Outside24hWindow)) => {
            tracing::info!(%chat_id, "the bot does not answer: the 24-hour window is closed");
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

/// Lets the bot answer one customer message in a BOT chat (locked by the caller's
/// transaction); returns the chat's state afterwards (AGENT after a handover).
pub async fn answer(
    conn: &mut PgConnection,
    brain: &mut Brain,
    (chat_id, channel_id): (ChatId, ChannelId),
    state: ChatState,
    (text, choice): (&str, Option<&str>),
) -> Result<ChatState, Error> {
    if state.mode != Mode::Bot {
        return Ok(state);
    }
    let to_agents = ChatState {
        mode: Mode::Agent,
        ..state
    };
    if !brain.settings.enabled || brain.silent.contains(&channel_id) {
        chat_changes::apply(conn, chat_id, chat_changes::Actor::System, state, to_agents).await?;
        return Ok(to_agents);
    }
    // A bare number answers the menu the bot (or an agent) sent last, like a tap.
    let numbered = match choice {
        Some(_) => None,
        None if whatsapp::interactive::menu_number(text).is_some() => {
            messages::latest_menu(conn, chat_id)
                .await?
                .and_then(|menu| serde_json::from_value::<whatsapp::Interactive>(menu).ok())
                .and_then(|menu| menu.option_for_number(text).map(|o| o.id.clone()))
        }
        None => None,
    };
    let choice = choice.or(numbered.as_deref());
    match bot::decide_choice(
        &brain.settings,
        &brain.rules,
        text,
        choice,
        chrono::Utc::now(),
    ) {
        Decision::Silent => {}
        // The fallback (no rule) is rate-limited; rule answers are not.
        Decision::Reply {
            text,
            rule_id: Some(rule_id),
        } => {
            let options = brain
                .rules
                .iter()
                .find(|r| r.id == rule_id)
                .map(|r| r.buttons.clone())
                .unwrap_or_default();
            say_with(conn, chat_id, &text, &options).await?;
        }
        Decision::Reply {
            text,
            rule_id: None,
        }
        | Decision::OutOfOffice { text } => brain.say_once(conn, chat_id, text.trim()).await?,
        Decision::Handover { reply } => {
            if let Some(reply) = reply {
                say(conn, chat_id, &reply).await?;
            }
            chat_changes::apply(conn, chat_id, chat_changes::Actor::System, state, to_agents)
                .await?;
            return Ok(to_agents);
        }
    }
    Ok(state)
}
