//! `/inbox` and `/inbox/{chat id}`: the chat list (tabs, mode filter, search, pages) beside the
//! open conversation, kept current by live events applied in place; no reload is ever needed.
//! [`rows`]: where a changed chat goes in the list, and one row as drawn; [`start`]: "New
//! conversation".

mod rows;
mod start;

use crate::api::chats::{assignees, chat_channels, list_chats, open_chat, ListChats};
use crate::components::alerts::AccountAlerts;
use crate::components::chat::use_now;
use crate::components::error_text::ErrorText;
use crate::components::guard::CurrentUser;
use crate::i18n::*;
use crate::live::{coalesced, use_live_events, Live};
use crate::model::{
    Assignee, ChannelId, ChatId, ChatPage, ChatSummary, Conversation, LiveEvent, Mode, Tab,
};
use crate::pages::conversation::{ChatView, LiveChat};
use crate::AppError;
use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::{use_location, use_params_map};
use leptos_router::LazyRoute;
use rows::{ChatRow, ListView};

#[component]
pub fn InboxPage() -> impl IntoView {
    let i18n = use_i18n();
    // The open chat, from the address (`/inbox/{id}`); its view is the nested route's.
    let location = use_location();
    let selected = Memo::new(move |_| {
        location
            .pathname
            .read()
            .strip_prefix("/inbox/")
            .and_then(|id| id.parse::<ChatId>().ok())
    });
    let user = expect_context::<CurrentUser>()
        .get_untracked()
        .and_then(|r| r.ok())
        .flatten();
    let is_admin = user.as_ref().is_some_and(|u| u.is_admin());
    let me = user.map(|u| u.user_id);
    let tab = RwSignal::new(if is_admin { Tab::All } else { Tab::Mine });
    let mode = RwSignal::new(String::new());
    // The channel filter: the chosen channel's id, or nothing for all.
    let channel = RwSignal::new(None::<ChannelId>);
    let channel_options = Resource::new(|| (), |_| chat_channels());
    let search = RwSignal::new(String::new());
    let search_input = RwSignal::new(String::new());
    // Live events change what they touch in place: a chat's row moves to its place in the
    // list with its new preview and unread count, the open conversation gets its new or changed
    // bubble. Only "reload" (the stream opened, or the server cannot prove this browser has
    // every event) refetches, and a burst of those becomes one refetch. A search the browser
    // cannot evaluate (it matches message text) refetches on chat changes too.
    let refresh = RwSignal::new(0u64);
    let live_chat = LiveChat::new();
    // The open chat's data is fetched here, in the page that is built once, and not in
    // `ChatView`: during the server render the router's outlet can build the conversation twice
    // (a Suspense's dry run walks into it), and a resource made in the discarded copy lost its
    // context and sent its error to the browser as this page's data.
    let data = Resource::new(
        move || (selected.get(), live_chat.reload.get()),
        |(id, _)| async move {
            match id {
                Some(id) => open_chat(id, None).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let people = Resource::new(
        move || selected.get(),
        move |id| async move {
            if is_admin && id.is_some() {
                assignees().await
            } else {
                Ok(Vec::new())
            }
        },
    );
    provide_context(OpenChat {
        live: live_chat,
        is_admin,
        data,
        people,
    });
    // Chat rows changed lately, oldest change first, each with the number of its change. A
    // refetch drops, when it returns, the changes made before it began (its answer has them).
    let patches = RwSignal::new(Vec::<(u64, ChatSummary)>::new());
    let next_patch = StoredValue::new(0u64);
    let cut = StoredValue::new(0u64);
    let list_bump = coalesced(refresh);
    let chat_bump = coalesced(live_chat.refresh);
    use_live_events(
        || Some("/api/events".to_string()),
        move |live| match live {
            Live::Reload => {
                list_bump();
                chat_bump();
            }
            Live::Event(LiveEvent::ChatUpdated(chat)) => {
                if selected.get_untracked() == Some(chat.chat_id) {
                    live_chat.set_chat(chat.clone());
                }
                if search.get_untracked().trim().is_empty() {
                    let n = next_patch.get_value();
                    next_patch.set_value(n + 1);
                    patches.update(|p| {
                        p.retain(|(_, c)| c.chat_id != chat.chat_id);
                        p.push((n, chat));
                    });
                } else {
                    list_bump();
                }
            }
            Live::Event(LiveEvent::MessageCreated(m)) => {
                if selected.get_untracked() == Some(m.chat_id) {
                    live_chat.apply(m, true);
                }
            }
            Live::Event(LiveEvent::MessageUpdated(m)) => {
                if selected.get_untracked() == Some(m.chat_id) {
                    live_chat.apply(m, false);
                }
            }
            // Chat rows show their channel's name.
            Live::Event(LiveEvent::ChannelChanged(_)) => list_bump(),
        },
    );
    // Another chat opened: what was patched into the previous one is not this one's.
    Effect::watch(
        move || selected.get(),
        move |_, _, _| live_chat.clear(),
        false,
    );
    // What the first page depends on: a change refetches it (and draws the list anew).
    let asked = move || (tab.get(), mode.get(), channel.get(), search.get());
    // Reloads of the first page (below) asked for so far, and the newest of them that began
    // before the list was last asked for anew: its answer, and any older one's, is out of date.
    let reloads = StoredValue::new(0u64);
    let floor = StoredValue::new(0u64);
    // A refetch of the list begins: the changes so far will be in its answer.
    Effect::watch(
        asked,
        move |_, _, _| {
            cut.set_value(next_patch.get_value());
            floor.set_value(reloads.get_value());
        },
        false,
    );
    // Extra pages loaded with "Load more", appended after the first page.
    let more = RwSignal::new(Vec::<ChatSummary>::new());
    let next = RwSignal::new(None::<(chrono::DateTime<chrono::Utc>, ChatId)>);
    let first = Resource::new(asked, |(tab, mode, channel, q)| {
        list_chats(
            tab.as_str().to_string(),
            Some(mode),
            Some(q),
            None,
            None,
            channel,
        )
    });
    // The first page fetched again by a reload (the stream opened, on every page load, or the
    // server asked), for the same tab, filter and search: it takes the first page's place, and
    // the rows it shares with the list keep their nodes (a refetch of `first` would draw the
    // whole list again, and did so on every load once the stream opened). Reloads can overlap:
    // each is numbered and carries the change number it began at, so an answer older than the
    // one shown is dropped (it has not seen what came between) and takes no change away. (An
    // action's value is the last answer to arrive, not the last asked for.)
    let reload = Action::new(|(n, cut, args): &(u64, u64, ListChats)| {
        let (n, cut, args) = (*n, *cut, args.clone());
        async move { (n, cut, fetch_page(args).await) }
    });
    let reloaded = RwSignal::new(None::<(u64, ChatPage)>);
    let dropped = move |cut: u64| {
        if patches.with_untracked(|p| p.iter().any(|(n, _)| *n < cut)) {
            patches.update(|p| p.retain(|(n, _)| *n >= cut));
        }
    };
    Effect::new(move |_| {
        if let Some(Ok(page)) = first.get() {
            // A reload asked for after this fetch began, and answered before it, is newer.
            if reloaded.with_untracked(|r| r.as_ref().is_some_and(|(n, _)| *n > floor.get_value()))
            {
                return;
            }
            reloaded.set(None);
            more.set(Vec::new());
            next.set(page.next);
            // The refetch returned: the changes it has go, later ones stay.
            dropped(cut.get_value());
        }
    });
    Effect::watch(
        move || refresh.get(),
        move |_, _, _| {
            reloads.update_value(|n| *n += 1);
            reload.dispatch((
                reloads.get_value(),
                next_patch.get_value(),
                ListChats {
                    tab: tab.get_untracked().as_str().to_string(),
                    mode: Some(mode.get_untracked()),
                    q: Some(search.get_untracked()),
                    before_at: None,
                    before_id: None,
                    channel: channel.get_untracked(),
                },
            ));
        },
        false,
    );
    Effect::new(move |_| {
        let Some((n, reload_cut, Ok(page))) = reload.value().get() else {
            return;
        };
        // Asked for another tab, filter or search since (even if back to this one): `first`
        // has that list, fetched after this one.
        if n <= floor.get_value() {
            return;
        }
        // A newer reload's answer is shown already.
        if reloaded.with_untracked(|r| r.as_ref().is_some_and(|(m, _)| *m > n)) {
            return;
        }
        next.set(page.next);
        more.set(Vec::new());
        reloaded.set(Some((n, page)));
        dropped(reload_cut);
    });
    // "Load more": the page after the list's end, one at a time (a second tap while it loads
    // does nothing). Its answer is appended only if the list still ends where it was asked from:
    // an answer for an end that has moved on (the list reloaded meanwhile) would list chats twice.
    type End = (chrono::DateTime<chrono::Utc>, ChatId);
    let load_more = Action::new(|(end, args): &(End, ListChats)| {
        let (end, args) = (*end, args.clone());
        async move { (end, fetch_page(args).await) }
    });
    Effect::new(move |_| {
        if let Some((end, Ok(ChatPage { chats, next: n }))) = load_more.value().get() {
            if next.get_untracked() == Some(end) {
                more.update(|m| m.extend(chats));
                next.set(n);
            }
        }
    });
    // The list as shown: the fetched pages with the live changes applied.
    let rows = Memo::new(move |_| {
        let mut rows: Vec<ChatSummary> = reloaded
            .get()
            .map(|(_, p)| p.chats)
            .or_else(|| first.get().and_then(Result::ok).map(|p| p.chats))
            .unwrap_or_default();
        rows.extend(more.get());
        let complete = next.get().is_none();
        let filter = ListView {
            tab: tab.get(),
            mode: Mode::parse(&mode.get()),
            channel: channel.get(),
            me,
        };
        for (_, chat) in patches.get() {
            filter.apply(&mut rows, chat, complete);
        }
        rows
    });
    let now = use_now();
    // Runs once this page is hydrated: tests wait for it before clicking. The conversation's
    // code (a lazy chunk, `OpenConversation`) is fetched then, in a task of its own after the
    // hydration's, so that the first chat opened does not wait for it; on `/inbox/{id}` it is
    // already in.
    let ready = RwSignal::new(false);
    Effect::new(move |_| {
        ready.set(true);
        set_timeout(
            || leptos::task::spawn_local(<crate::OpenConversation as LazyRoute>::preload()),
            std::time::Duration::ZERO,
        );
    });
    let tab_button = move |t: Tab, label: String, test_id: &'static str| {
        view! {
            <button type="button" class:active=move || tab.get() == t data-testid=test_id on:click=move |_| tab.set(t)>
                {label}
            </button>
        }
    };
    view! {
        <div
            class="inbox"
            class:has-selection=move || selected.get().is_some()
            data-testid="inbox"
            data-ready=move || if ready.get() { "true" } else { "false" }
        >
            <aside class="chat-list">
                {is_admin.then(|| view! { <AccountAlerts /> })}
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let options = channel_options.await.unwrap_or_default();
                        view! { <start::NewConversation channels=options /> }
                    })}
                </Transition>
                <div class="list-controls">
                    <div class="tabs" role="tablist">
                        {move || tab_button(Tab::Mine, t_string!(i18n, tab_mine).to_string(), "tab-mine")}
                        {move || tab_button(Tab::Unassigned, t_string!(i18n, tab_unassigned).to_string(), "tab-unassigned")}
                        {move || tab_button(Tab::All, t_string!(i18n, tab_all).to_string(), "tab-all")}
                    </div>
                    <div class="filters">
                        <input
                            type="search"
                            data-testid="search"
                            placeholder=move || t_string!(i18n, search_placeholder).to_string()
                            prop:value=move || search_input.get()
                            on:input=move |ev| search_input.set(event_target_value(&ev))
                            on:change=move |_| search.set(search_input.get_untracked())
                            on:keydown=move |ev| if ev.key() == "Enter" { search.set(search_input.get_untracked()) }
                        />
                        <select data-testid="mode-filter" on:change=move |ev| mode.set(event_target_value(&ev))>
                            <option value="">{t!(i18n, mode_any)}</option>
                            <option value="bot">{t!(i18n, mode_bot)}</option>
                            <option value="agent">{t!(i18n, mode_agent)}</option>
                            <option value="paused">{t!(i18n, mode_paused)}</option>
                            <option value="closed">{t!(i18n, mode_closed)}</option>
                        </select>
                        // Only worth offering with more than one channel.
                        <Transition fallback=|| ()>
                            {move || Suspend::new(async move {
                                let options = channel_options.await.unwrap_or_default();
                                (options.len() > 1).then(|| view! {
                                    <select
                                        data-testid="channel-filter"
                                        aria-label=move || t_string!(i18n, filter_channel).to_string()
                                        on:change=move |ev| channel.set(event_target_value(&ev).parse::<i64>().ok().map(ChannelId))
                                    >
                                        <option value="">{t!(i18n, filter_all_channels)}</option>
                                        {options.into_iter().map(|o| view! {
                                            <option value=o.channel_id.to_string() selected=channel.get_untracked() == Some(o.channel_id)>
                                                {o.name}
                                            </option>
                                        }).collect_view()}
                                    </select>
                                })
                            })}
                        </Transition>
                    </div>
                </div>
                // The newest reload's error only: an older one's is out of date.
                {move || reload.value().get().and_then(|(n, _, r)| r.err().filter(|_| n == reloads.get_value())).map(|e| view! { <ErrorText error=e /> })}
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match first.await {
                            Ok(_) => view! {
                                <Show
                                    when=move || !rows.with(Vec::is_empty)
                                    fallback=move || view! { <p class="empty-state">{t!(i18n, inbox_empty)}</p> }
                                >
                                    <ul data-testid="chat-list">
                                        <For
                                            each=move || rows.get()
                                            key=|c| c.clone()
                                            children=move |c| view! { <ChatRow chat=c selected now /> }
                                        />
                                    </ul>
                                </Show>
                            }.into_any(),
                            Err(e) => view! { <ErrorText error=e /> }.into_any(),
                        }
                    })}
                </Transition>
                {move || next.get().map(|(at, id)| view! {
                    <button
                        type="button"
                        class="load-more"
                        data-testid="load-more"
                        disabled=move || load_more.pending().get()
                        on:click=move |_| {
                            if load_more.pending().get_untracked() {
                                return;
                            }
                            load_more.dispatch(((at, id), ListChats {
                                tab: tab.get_untracked().as_str().to_string(),
                                mode: Some(mode.get_untracked()),
                                q: Some(search.get_untracked()),
                                before_at: Some(at),
                                before_id: Some(id),
                                channel: channel.get_untracked(),
                            }));
                        }
                    >{t!(i18n, load_more)}</button>
                })}
                {move || load_more.value().get().and_then(|(_, r)| r.err()).map(|e| view! { <ErrorText error=e /> })}
            </aside>
            <section class="conversation">
                <Outlet />
            </section>
        </div>
    }
}

/// A page of the list, asked for as [`ListChats`] (for actions that carry more than the call).
async fn fetch_page(args: ListChats) -> Result<ChatPage, AppError> {
    list_chats(
        args.tab,
        args.mode,
        args.q,
        args.before_at,
        args.before_id,
        args.channel,
    )
    .await
}

/// What the inbox page gives the conversation shown in its outlet.
#[derive(Clone, Copy)]
struct OpenChat {
    /// The open chat's live changes.
    live: LiveChat,
    is_admin: bool,
    /// The open chat (`None` on `/inbox`); may still be the previous chat's while it reloads.
    data: Resource<Result<Option<Conversation>, AppError>>,
    people: Resource<Result<Vec<Assignee>, AppError>>,
}

/// `/inbox`: no chat open yet.
#[component]
pub fn NoChatSelected() -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="empty-state">{t!(i18n, select_chat)}</p> }
}

/// `/inbox/{id}`: the conversation; another chat's address builds a new one.
#[component]
pub fn SelectedChat() -> impl IntoView {
    let OpenChat {
        live,
        is_admin,
        data,
        people,
    } = expect_context::<OpenChat>();
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<ChatId>().ok())
    });
    move || match id.get() {
        Some(chat_id) => view! { <ChatView chat_id live is_admin data people /> }.into_any(),
        None => view! { <crate::pages::not_found::NotFound /> }.into_any(),
    }
}
