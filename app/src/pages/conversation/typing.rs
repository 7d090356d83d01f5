//! "Typing…" for the customer while this agent types: the server is told at most every 10 s
//! while keys are pressed (it shows the indicator at most once per 20 s per chat, and only
//! where the channel's switch is on), and that the agent stopped 10 s after the last key.
//! Sending needs nothing: the reply itself ends the indicator.

use crate::api::chats::Typing;
use crate::model::ChatId;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use std::time::Duration;

/// Keys pressed within this of the last "typing" call do not call again.
const REPEAT: chrono::TimeDelta = chrono::TimeDelta::seconds(10);
/// No key for this long: the agent stopped typing.
const IDLE: Duration = Duration::from_secs(10);

#[derive(Clone, Copy)]
pub struct TypingSignal {
    chat_id: ChatId,
    // Failures (the chat is someone else's, or the connection dropped) only cost the customer
    // an indicator: nothing to show the agent.
    action: ServerAction<Typing>,
    last_on: StoredValue<Option<DateTime<Utc>>>,
    stop: StoredValue<Option<TimeoutHandle>>,
}

impl TypingSignal {
    pub fn new(chat_id: ChatId) -> TypingSignal {
        let signal = TypingSignal {
            chat_id,
            action: ServerAction::new(),
            last_on: StoredValue::new(None),
            stop: StoredValue::new(None),
        };
        on_cleanup(move || signal.clear_timer());
        signal
    }

    /// A key went into the composer.
    pub fn key(self) {
        let now = Utc::now();
        if self.last_on.get_value().is_none_or(|t| now - t >= REPEAT) {
            self.last_on.set_value(Some(now));
            self.action.dispatch(Typing {
                chat_id: self.chat_id,
                on: true,
            });
        }
        self.clear_timer();
        let handle = set_timeout_with_handle(
            move || {
                self.stop.set_value(None);
                self.last_on.set_value(None);
                self.action.dispatch(Typing {
                    chat_id: self.chat_id,
                    on: false,
                });
            },
            IDLE,
        );
        self.stop.set_value(handle.ok());
    }

    /// The reply went out: it ends the indicator by itself.
    pub fn sent(self) {
        self.clear_timer();
        self.last_on.set_value(None);
    }

    fn clear_timer(self) {
        if let Some(Some(handle)) = self.stop.try_update_value(Option::take) {
            handle.clear();
        }
    }
}
