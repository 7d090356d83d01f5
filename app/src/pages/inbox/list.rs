//! The chat list's data: the first page for the tab, filter and search (fetched anew when they
//! change), its catch-ups, the pages added by "Load more", and the live changes applied on top.
//! Answers can come back in any order: each kind is checked against what is shown before it is
//! applied, so a late answer neither replaces a newer list nor lists a chat twice.

use super::rows::ListView;
use crate::api::chats::{list_chats, ListChats};
use crate::live::Latest;
use crate::model::{ChannelId, ChatId, ChatPage, ChatSummary, Mode, Tab, UserId};
use crate::AppError;
use leptos::prelude::*;

/// Where the list ends: the last chat's activity and id (the next page starts after it).
type End = (chrono::DateTime<chrono::Utc>, ChatId);
/// A page as fetched.
type Page = Result<ChatPage, AppError>;

/// What the list shows: the tab, the mode filter, the channel and the search.
#[derive(Clone, Copy)]
pub(super) struct Filters {
    pub tab: RwSignal<Tab>,
    pub mode: RwSignal<String>,
    pub channel: RwSignal<Option<ChannelId>>,
    pub search: RwSignal<String>,
}

impl Filters {
    /// What the first page depends on (tracked): a change fetches it anew.
    fn asked(&self) -> (Tab, String, Option<ChannelId>, String) {
        (
            self.tab.get(),
            self.mode.get(),
            self.channel.get(),
            self.search.get(),
        )
    }

    /// The call for the page after `end` (the first page without one).
    fn call(&self, end: Option<End>) -> ListChats {
        ListChats {
            tab: self.tab.get_untracked().as_str().to_string(),
            mode: Some(self.mode.get_untracked()),
            q: Some(self.search.get_untracked()),
            before_at: end.map(|e| e.0),
            before_id: end.map(|e| e.1),
            channel: self.channel.get_untracked(),
        }
    }
}

#[derive(Clone, Copy)]
pub(super) struct ChatList {
    /// The first page as fetched for the current filters (the server's, on the first load).
    pub first: Resource<Page>,
    /// The list as shown: the fetched pages with the live changes applied.
    pub rows: Memo<Vec<ChatSummary>>,
    /// Chat rows changed lately, oldest change first, each with the number of its change. A
    /// fetch of the first page drops, when it returns, the changes made before it began (its
    /// answer has them).
    patches: RwSignal<Vec<(u64, ChatSummary)>>,
    next_patch: StoredValue<u64>,
    /// Catch-ups, each with the change number it began at.
    catch_up: Latest<(u64, ListChats), (u64, Page)>,
    load_more: Action<(End, ListChats), (End, Page)>,
    /// Where the loaded part of the list ends (`None`: every page is loaded).
    next: RwSignal<Option<End>>,
    filters: Filters,
}

impl ChatList {
    pub fn new(filters: Filters, me: Option<UserId>) -> ChatList {
        let patches = RwSignal::new(Vec::<(u64, ChatSummary)>::new());
        let next_patch = StoredValue::new(0u64);
        // The change number the current fetch of the first page began at.
        let cut = StoredValue::new(0u64);
        // The list's catch-ups (below), and the newest of them that began before the list was
        // last asked for anew: its answer, and any older one's, is out of date.
        let catch_up = Latest::new(|(cut, call): &(u64, ListChats)| {
            let (cut, call) = (*cut, call.clone());
            async move { (cut, fetch_page(call).await) }
        });
        let floor = StoredValue::new(0u64);
        // A fetch of the first page begins: the changes so far will be in its answer.
        Effect::watch(
            move || filters.asked(),
            move |_, _, _| {
                cut.set_value(next_patch.get_value());
                floor.set_value(catch_up.calls());
            },
            false,
        );
        // Pages added with "Load more", after the first page.
        let more = RwSignal::new(Vec::<ChatSummary>::new());
        let next = RwSignal::new(None::<End>);
        let first = Resource::new(
            move || filters.asked(),
            |(tab, mode, channel, q)| {
                list_chats(
                    tab.as_str().to_string(),
                    Some(mode),
                    Some(q),
                    None,
                    None,
                    channel,
                )
            },
        );
        // The first page fetched again by a catch-up (the stream opened, on every page load, or
        // the server asked), for the same filters: it takes the first page's place, and the rows
        // it shares with the list keep their nodes (a refetch of `first` would draw the whole
        // list again, and did so on every load once the stream opened). Catch-ups can overlap:
        // an answer older than one answered is dropped (`Latest`), and each carries the change
        // number it began at, so it takes away only the changes it has.
        let caught_up = RwSignal::new(None::<(u64, ChatPage)>);
        let dropped = move |cut: u64| {
            if patches.with_untracked(|p| p.iter().any(|(n, _)| *n < cut)) {
                patches.update(|p| p.retain(|(n, _)| *n >= cut));
            }
        };
        Effect::new(move |_| {
            if let Some(Ok(page)) = first.get() {
                // A catch-up asked for after this fetch began, and answered before it, is newer.
                let newer = caught_up
                    .with_untracked(|c| c.as_ref().is_some_and(|(n, _)| *n > floor.get_value()));
                if newer {
                    return;
                }
                caught_up.set(None);
                more.set(Vec::new());
                next.set(page.next);
                // The fetch returned: the changes it has go, later ones stay.
                dropped(cut.get_value());
            }
        });
        Effect::new(move |_| {
            let Some((n, (cut, Ok(page)))) = catch_up.answer() else {
                return;
            };
            // Asked for other filters since (even if back to these): `first` has that list,
            // fetched after this one.
            if n <= floor.get_value() {
                return;
            }
            next.set(page.next);
            more.set(Vec::new());
            caught_up.set(Some((n, page)));
            dropped(cut);
        });
        // "Load more": the page after the list's end, one at a time. Its answer is added only if
        // the list still ends where it was asked from: an answer for an end that has moved on
        // (added twice, or the list caught up meanwhile) would list chats twice.
        let load_more = Action::new(|(end, call): &(End, ListChats)| {
            let (end, call) = (*end, call.clone());
            async move { (end, fetch_page(call).await) }
        });
        Effect::new(move |_| {
            if let Some((end, Ok(ChatPage { chats, next: n }))) = load_more.value().get() {
                if next.get_untracked() == Some(end) {
                    more.update(|m| m.extend(chats));
                    next.set(n);
                }
            }
        });
        let rows = Memo::new(move |_| {
            let mut rows: Vec<ChatSummary> = caught_up
                .get()
                .map(|(_, p)| p.chats)
                .or_else(|| first.get().and_then(Result::ok).map(|p| p.chats))
                .unwrap_or_default();
            rows.extend(more.get());
            let complete = next.get().is_none();
            let view = ListView {
                tab: filters.tab.get(),
                mode: Mode::parse(&filters.mode.get()),
                channel: filters.channel.get(),
                me,
            };
            for (_, chat) in patches.get() {
                view.apply(&mut rows, chat, complete);
            }
            rows
        });
        ChatList {
            first,
            rows,
            patches,
            next_patch,
            catch_up,
            load_more,
            next,
            filters,
        }
    }

    /// A chat changed (a live event): its row moves to its place with what changed, or leaves.
    pub fn patch(&self, chat: ChatSummary) {
        let n = self.next_patch.get_value();
        self.next_patch.set_value(n + 1);
        self.patches.update(|p| {
            p.retain(|(_, c)| c.chat_id != chat.chat_id);
            p.push((n, chat));
        });
    }

    /// Fetches the first page again and applies what differs.
    pub fn catch_up(&self) {
        self.catch_up
            .dispatch((self.next_patch.get_value(), self.filters.call(None)));
    }

    /// The newest catch-up's error (an older one's is out of date).
    pub fn catch_up_error(&self) -> Option<AppError> {
        let newest = self.catch_up.calls();
        self.catch_up
            .answer()
            .and_then(|(n, (_, r))| r.err().filter(|_| n == newest))
    }

    /// Whether more pages follow the loaded part (tracked).
    pub fn has_more(&self) -> bool {
        self.next.with(Option::is_some)
    }

    /// Adds the page after the list's end; nothing while one is loading.
    pub fn load_more(&self) {
        if self.load_more.pending().get_untracked() {
            return;
        }
        if let Some(end) = self.next.get_untracked() {
            self.load_more.dispatch((end, self.filters.call(Some(end))));
        }
    }

    /// Whether a page is being added (tracked).
    pub fn loading_more(&self) -> bool {
        self.load_more.pending().get()
    }

    /// The last "Load more" error, until a page is added.
    pub fn load_more_error(&self) -> Option<AppError> {
        self.load_more.value().get().and_then(|(_, r)| r.err())
    }
}

/// A page of the list, asked for as [`ListChats`] (the actions carry more than the call).
async fn fetch_page(call: ListChats) -> Page {
    list_chats(
        call.tab,
        call.mode,
        call.q,
        call.before_at,
        call.before_id,
        call.channel,
    )
    .await
}
