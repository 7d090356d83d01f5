//! The open chat's live changes: what the inbox page hands the conversation when an event for
//! it arrives, and how those changes apply to the newest page (the older pages are patched in
//! place by the conversation itself).

use crate::model::{ChatId, ChatSummary, Conversation, MessageId, MessageView};
use leptos::prelude::*;
use std::collections::HashMap;

/// The open chat's live changes, which the conversation applies in place. Each change is
/// numbered; a refetch drops, when it returns, the changes made before it began (its answer has
/// them), and keeps the later ones.
#[derive(Clone, Copy)]
pub struct LiveChat {
    /// Bumped when the view must catch up (the stream opened, or the server asked): the newest
    /// page is fetched and what differs is applied as changes, so what did not change keeps its
    /// nodes.
    pub refresh: RwSignal<u64>,
    /// Bumped to fetch the conversation anew and draw it again (a catch-up found a gap between
    /// what is shown and the newest page).
    pub reload: RwSignal<u64>,
    /// Messages created or changed lately, the latest version of each, in the order they
    /// changed, with the number of the change.
    messages: RwSignal<Vec<(u64, MessageView)>>,
    /// Bumped when a message is created: the view scrolls down to it.
    pub appended: RwSignal<u64>,
    /// The chat's summary (mode, assignee, window) as it last changed.
    chat: RwSignal<Option<(u64, ChatSummary)>>,
    next: StoredValue<u64>,
    /// Changes numbered below this are in the answer of the refetch in flight.
    cut: StoredValue<u64>,
    /// The newest message known to follow what was fetched without a gap: one a joined catch-up
    /// brought, or one that arrived live while the view was caught up. A catch-up's answer
    /// reaches what is shown when its oldest message is not newer than this or than the fetched
    /// pages' newest.
    joined: StoredValue<Option<MessageId>>,
    /// Whether live changes follow what is shown: not from the page's load, nor from the moment
    /// the live stream (re)opens or the server asks for a catch-up, until that catch-up is
    /// joined or the conversation fetched anew (a message that arrives meanwhile can lie past
    /// a gap).
    caught_up: StoredValue<bool>,
    /// A fetch anew is in flight: once it answers, the view is caught up.
    reloading: StoredValue<bool>,
}

impl Default for LiveChat {
    fn default() -> Self {
        LiveChat {
            refresh: RwSignal::new(0),
            reload: RwSignal::new(0),
            messages: RwSignal::new(Vec::new()),
            appended: RwSignal::new(0),
            chat: RwSignal::new(None),
            next: StoredValue::new(0),
            cut: StoredValue::new(0),
            joined: StoredValue::new(None),
            caught_up: StoredValue::new(false),
            reloading: StoredValue::new(false),
        }
    }
}

impl LiveChat {
    pub fn new() -> Self {
        Self::default()
    }

    fn number(&self) -> u64 {
        let n = self.next.get_value();
        self.next.set_value(n + 1);
        n
    }

    /// A message of the open chat was created or changed. A state that cannot follow the one
    /// already applied (an action's answer arriving after the live event of its send) is
    /// ignored.
    pub fn apply(&self, m: MessageView, created: bool) {
        // A reaction shows on the message it reacts to (whose update follows), not on its own.
        if m.kind == crate::model::MessageKind::Reaction {
            return;
        }
        let newer = self.messages.with_untracked(|v| {
            v.iter()
                .find(|(_, x)| x.message_id == m.message_id)
                .is_none_or(|(_, x)| m.status.may_follow(x.status))
        });
        if !newer {
            return;
        }
        if self.caught_up.get_value() {
            self.join(m.message_id);
        }
        let n = self.number();
        self.messages.update(|v| {
            v.retain(|(_, x)| x.message_id != m.message_id);
            v.push((n, m));
        });
        if created {
            self.appended.update(|n| *n += 1);
        }
    }

    /// The live stream (re)opened, or the server asked for a catch-up: until it is joined,
    /// what arrives live may lie past a gap.
    pub fn stream_opened(&self) {
        self.caught_up.set_value(false);
    }

    fn join(&self, id: MessageId) {
        self.joined
            .update_value(|j| *j = Some(j.map_or(id, |j| j.max(id))));
    }

    /// The open chat's row changed.
    pub fn set_chat(&self, c: ChatSummary) {
        let n = self.number();
        self.chat.set(Some((n, c)));
    }

    /// The changed messages (tracked).
    pub fn changes(&self) -> Vec<MessageView> {
        self.messages.get().into_iter().map(|(_, m)| m).collect()
    }

    /// The chat as it last changed, if it did (tracked).
    pub fn chat(&self) -> Option<ChatSummary> {
        self.chat.get().map(|(_, c)| c)
    }

    /// The changed messages, untracked.
    fn changes_untracked(&self) -> Vec<MessageView> {
        self.messages
            .with_untracked(|v| v.iter().map(|(_, m)| m.clone()).collect())
    }

    /// The chat as it last changed, if it did, untracked.
    fn chat_untracked(&self) -> Option<ChatSummary> {
        self.chat
            .with_untracked(|c| c.as_ref().map(|(_, c)| c.clone()))
    }

    /// The number the next change gets: a fetch begun now has every change numbered below it.
    pub fn next_change(&self) -> u64 {
        self.next.get_value()
    }

    /// A fetch anew begins (a reload): what changed so far will be in its answer, which was
    /// asked for with the live stream open.
    pub fn refetching(&self) {
        self.cut.set_value(self.next.get_value());
        self.reloading.set_value(true);
    }

    /// The conversation was fetched (on load, or anew): the changes it has are dropped, later
    /// ones stay. A fetch anew leaves the view caught up.
    pub fn fetched(&self) {
        if self.reloading.get_value() {
            self.reloading.set_value(false);
            self.caught_up.set_value(true);
        }
        let cut = self.cut.get_value();
        if self
            .messages
            .with_untracked(|v| v.iter().any(|(n, _)| *n < cut))
        {
            self.messages.update(|v| v.retain(|(n, _)| *n >= cut));
        }
        if self
            .chat
            .with_untracked(|c| c.as_ref().is_some_and(|(n, _)| *n < cut))
        {
            self.chat.set(None);
        }
    }

    /// A catch-up's answer (`fresh`, the newest page): what differs from what is shown (`older`
    /// pages, and the `fetched` newest page and chat with the changes so far) is applied as
    /// changes, a message not shown yet as created (the view scrolls to it and reads it), so what
    /// did not change keeps its nodes. When the page does not reach what is shown (more than a
    /// page came meanwhile), or nothing of this chat is shown, the conversation is fetched anew.
    /// A message or the chat changed live since the catch-up `began` (a [`Self::next_change`])
    /// is newer than the answer, and keeps its change.
    pub fn catch_up(
        &self,
        chat_id: ChatId,
        began: u64,
        fresh: Conversation,
        fetched: Option<(Vec<MessageView>, ChatSummary)>,
        older: Vec<MessageView>,
    ) {
        if fresh.chat.chat_id != chat_id {
            return;
        }
        let Some((page, chat)) = fetched else {
            self.reload.update(|n| *n += 1);
            return;
        };
        // What the answer must reach: the fetched pages, and what is known to follow them (a
        // joined catch-up's messages, those that arrived while the view was caught up). A
        // message that arrived since the stream opened can lie past a gap: the newest one, read
        // by the agent as the page hydrated, made a page that did not reach what was shown look
        // as if it did, and the messages between were missing.
        let reached = older
            .iter()
            .chain(page.iter())
            .map(|m| m.message_id)
            .chain(self.joined.get_value())
            .max();
        let reaches = !fresh.has_older
            || fresh
                .messages
                .first()
                .zip(reached)
                .is_none_or(|(oldest, newest)| oldest.message_id <= newest);
        let shown: HashMap<MessageId, MessageView> = older
            .into_iter()
            .chain(with_changes(
                chat_id,
                page,
                &self.changes_untracked(),
                |_| false,
            ))
            .map(|m| (m.message_id, m))
            .collect();
        if !reaches {
            self.reload.update(|n| *n += 1);
            return;
        }
        if let Some(newest) = fresh.messages.last() {
            self.join(newest.message_id);
        }
        self.caught_up.set_value(true);
        let changed_since: Vec<MessageId> = self.messages.with_untracked(|v| {
            v.iter()
                .filter(|(n, _)| *n >= began)
                .map(|(_, m)| m.message_id)
                .collect()
        });
        for m in fresh.messages {
            if changed_since.contains(&m.message_id) {
                continue;
            }
            match shown.get(&m.message_id) {
                Some(x) if *x == m => {}
                Some(_) => self.apply(m, false),
                None => self.apply(m, true),
            }
        }
        let chat_changed_since = self
            .chat
            .with_untracked(|c| c.as_ref().is_some_and(|(n, _)| *n >= began));
        if !chat_changed_since && self.chat_untracked().unwrap_or(chat) != fresh.chat {
            self.set_chat(fresh.chat);
        }
    }

    /// Another chat opened.
    pub fn clear(&self) {
        self.messages.set(Vec::new());
        self.chat.set(None);
        self.joined.set_value(None);
    }
}

/// The newest page as shown: the fetched messages with the live changes applied (a changed one
/// replaced where it is, a new one added in order; changes to messages of older pages are
/// applied to those pages).
pub(super) fn with_changes(
    chat_id: ChatId,
    mut page: Vec<MessageView>,
    changes: &[MessageView],
    in_older: impl Fn(MessageId) -> bool,
) -> Vec<MessageView> {
    for m in changes.iter().filter(|m| m.chat_id == chat_id) {
        if let Some(x) = page.iter_mut().find(|x| x.message_id == m.message_id) {
            if m.status.may_follow(x.status) {
                *x = m.clone();
            }
        } else if in_older(m.message_id) {
            continue;
        } else if page
            .first()
            .is_none_or(|first| m.message_id > first.message_id)
        {
            let at = page
                .iter()
                .position(|x| x.message_id > m.message_id)
                .unwrap_or(page.len());
            page.insert(at, m.clone());
        }
    }
    page
}

#[cfg(test)]
mod tests;
