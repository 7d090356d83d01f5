//! The conversation's older pages: fetched when the reader scrolls to the top or follows a quote,
//! prepended above the newest page, kept current by live changes (their ticks stay true), and
//! started over by a reload.

use super::LiveChat;
use crate::api::chats::open_chat;
use crate::model::{ChatId, Conversation, MessageId, MessageView};
use crate::AppError;
use leptos::html::Ol;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub(super) struct History {
    /// Older pages, oldest first, above the newest page.
    pub older: RwSignal<Vec<MessageView>>,
    pub has_older: RwSignal<bool>,
    /// Fetches the page before a message.
    pub load_older: Action<MessageId, Result<Conversation, AppError>>,
    /// The messages' list, kept at the reader's place when a page is prepended.
    pub list: NodeRef<Ol>,
}

impl History {
    pub fn new(chat_id: ChatId, live: LiveChat) -> History {
        // Older pages, prepended above the newest page.
        let older = RwSignal::new(Vec::<MessageView>::new());
        let has_older = RwSignal::new(false);
        // A reload starts the history over from the newest page (older pages would leave a gap
        // below them); the changes made until now will be in its answer, and are dropped when it
        // comes (later ones stay).
        Effect::watch(
            move || live.reload.get(),
            move |_, _, _| {
                live.refetching();
                older.set(Vec::new());
            },
            false,
        );
        let load_older = Action::new(move |before: &MessageId| open_chat(chat_id, Some(*before)));
        // Changes to messages of older pages go into those pages, so their ticks stay true too.
        Effect::new(move |_| {
            let changes = live.changes();
            let applies = |m: &MessageView, x: &MessageView| {
                x.message_id == m.message_id && x != m && m.status.may_follow(x.status)
            };
            let stale =
                older.with_untracked(|o| changes.iter().any(|m| o.iter().any(|x| applies(m, x))));
            if stale {
                older.update(|o| {
                    for m in &changes {
                        if let Some(x) = o.iter_mut().find(|x| applies(m, x)) {
                            *x = m.clone();
                        }
                    }
                });
            }
        });
        let list: NodeRef<Ol> = NodeRef::new();
        Effect::new(move |_| {
            if let Some(Ok(page)) = load_older.value().get() {
                let height_before = list
                    .get_untracked()
                    .map(|el| el.scroll_height())
                    .unwrap_or_default();
                older.update(|o| {
                    let mut merged = page.messages;
                    merged.append(o);
                    *o = merged;
                });
                has_older.set(page.has_older);
                // Keep the reader where they were: the new page grows above them.
                request_animation_frame(move || {
                    if let Some(el) = list.get_untracked() {
                        el.set_scroll_top(el.scroll_height() - height_before);
                    }
                });
            }
        });
        History {
            older,
            has_older,
            load_older,
            list,
        }
    }
}
