//! The chat list's rows: which chats the list shows by itself (tab and mode filter), where a
//! changed chat goes, and one row as it is drawn.

use crate::components::chat::{contact_title, mode_label};
use crate::components::message::relative_time;
use crate::i18n::*;
use crate::model::{ChannelId, ChatId, ChatSummary, Mode, Tab, UserId};
use leptos::prelude::*;
use leptos_router::components::A;

/// Which chats the list shows, as far as the browser can tell by itself (the tab and the mode
/// filter; a text search is the server's).
pub(super) struct ListView {
    pub tab: Tab,
    pub mode: Option<Mode>,
    pub channel: Option<ChannelId>,
    pub me: Option<UserId>,
}

impl ListView {
    fn shows(&self, c: &ChatSummary) -> bool {
        let tab = match self.tab {
            Tab::Mine => c.assigned_user_id.is_some() && c.assigned_user_id == self.me,
            Tab::Unassigned => c.assigned_user_id.is_none(),
            Tab::All => true,
        };
        tab && self.mode.is_none_or(|m| m == c.mode)
            && self.channel.is_none_or(|ch| ch == c.channel_id)
    }

    /// Puts a changed chat where the list keeps it (newest activity first), or takes it out
    /// when it no longer belongs. A chat that was not listed joins only within the part of the
    /// list that is loaded (`complete`: every page is).
    pub fn apply(&self, rows: &mut Vec<ChatSummary>, chat: ChatSummary, complete: bool) {
        let was = rows.iter().position(|r| r.chat_id == chat.chat_id);
        if let Some(i) = was {
            rows.remove(i);
        }
        if !self.shows(&chat) {
            return;
        }
        let key = order(&chat);
        if was.is_none() && !complete && rows.last().is_some_and(|last| key < order(last)) {
            return;
        }
        let at = rows
            .iter()
            .position(|r| order(r) < key)
            .unwrap_or(rows.len());
        rows.insert(at, chat);
    }
}

/// The list's order: last activity, then id, both descending.
fn order(c: &ChatSummary) -> (chrono::DateTime<chrono::Utc>, ChatId) {
    (
        c.last_message_at
            .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC),
        c.chat_id,
    )
}

#[component]
pub(super) fn ChatRow(
    chat: ChatSummary,
    selected: Memo<Option<ChatId>>,
    now: ReadSignal<Option<chrono::DateTime<chrono::Utc>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let href = format!("/inbox/{}", chat.chat_id);
    let unread = chat.unread_count;
    let id = chat.chat_id;
    let at = chat.last_message_at;
    view! {
        <li class:selected=move || selected.get() == Some(id) data-testid="chat-row" data-chat-id=id.to_string()>
            <A href=href>
                <div class="row-top">
                    <strong class="name">{contact_title(&chat)}</strong>
                    <span class="time">{move || at.map(|t| relative_time(i18n, t, now.get()))}</span>
                </div>
                <div class="row-bottom">
                    <span class="preview">{chat.last_message_preview.clone()}</span>
                    {(unread > 0).then(|| view! { <span class="unread" data-testid="unread">{unread}</span> })}
                </div>
                <div class="badges">
                    <span class="badge channel">{chat.channel_name.clone()}</span>
                    <span class=format!("badge mode {}", chat.mode.as_str()) data-testid="row-mode">{mode_label(i18n, chat.mode)}</span>
                    {chat.assigned_name.clone().map(|n| view! { <span class="badge assignee" data-testid="row-assignee">{n}</span> })}
                </div>
            </A>
        </li>
    }
}
