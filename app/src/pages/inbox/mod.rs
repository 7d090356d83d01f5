//! `/inbox` and `/inbox/{chat id}`: the chat list (tabs, mode filter, search, pages) beside the
//! open conversation, kept current by live events applied in place; no reload is ever needed.
//! [`list`]: the list's pages, catch-ups and live changes; [`rows`]: where a changed chat goes in
//! the list, and one row as drawn; [`start`]: "New conversation".

mod list;
mod rows;
mod start;

use crate::api::chats::{assignees, chat_channels, open_chat};
use crate::components::alerts::AccountAlerts;
use crate::components::chat::use_now;
use crate::components::error_text::ErrorText;
use crate::components::guard::CurrentUser;
use crate::i18n::*;
use crate::live::{coalesced, use_live_events, Live};
use crate::model::{Assignee, ChannelId, ChatId, Conversation, LiveEvent, Tab};
use crate::pages::conversation::{ChatView, LiveChat};
use crate::AppError;
use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::{use_location, use_params_map};
use leptos_router::LazyRoute;
use list::{ChatList, Filters};
use rows::ChatRow;

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
    let list = ChatList::new(
        Filters {
            tab,
            mode,
            channel,
            search,
        },
        me,
    );
    let list_bump = coalesced(refresh);
    let chat_bump = coalesced(live_chat.refresh);
    use_live_events(
        || Some("/api/events".to_string()),
        move |live| match live {
            Live::Reload => {
                // What arrives from now on may lie past a gap until the catch-up is joined.
                live_chat.stream_opened();
                list_bump();
                chat_bump();
            }
            Live::Event(LiveEvent::ChatUpdated(chat)) => {
                if selected.get_untracked() == Some(chat.chat_id) {
                    live_chat.set_chat(chat.clone());
                }
                if search.get_untracked().trim().is_empty() {
                    list.patch(chat);
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
            // The customer's phone's (the server leaves it out of this stream).
            Live::Event(LiveEvent::Typing(_)) => {}
        },
    );
    // Another chat opened: what was patched into the previous one is not this one's.
    Effect::watch(
        move || selected.get(),
        move |_, _, _| live_chat.clear(),
        false,
    );
    Effect::watch(move || refresh.get(), move |_, _, _| list.catch_up(), false);
    let rows = list.rows;
    let first = list.first;
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
                {move || list.catch_up_error().map(|e| view! { <ErrorText error=e /> })}
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
                {move || list.has_more().then(|| view! {
                    <button
                        type="button"
                        class="load-more"
                        data-testid="load-more"
                        disabled=move || list.loading_more()
                        on:click=move |_| list.load_more()
                    >{t!(i18n, load_more)}</button>
                })}
                {move || list.load_more_error().map(|e| view! { <ErrorText error=e /> })}
            </aside>
            <section class="conversation">
                <Outlet />
            </section>
        </div>
    }
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
