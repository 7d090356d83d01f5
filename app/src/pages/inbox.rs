//! `/inbox` and `/inbox/{chat id}`: the chat list (tabs, mode filter, search, pages) beside the
//! open conversation, kept current by live events; no reload is ever needed.

use crate::api::chats::{list_chats, ListChats};
use crate::components::error_text::ErrorText;
use crate::components::guard::CurrentUser;
use crate::components::message::relative_time;
use crate::i18n::*;
use crate::live::use_live_events;
use crate::model::{ChatId, ChatPage, ChatSummary, Mode, Tab};
use crate::pages::conversation::ChatView;
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::{use_location, use_params_map};

/// Ticks every minute after hydration so relative times stay true ("now" is `None` while the
/// server renders, so server and browser render the same first HTML).
pub fn use_now() -> ReadSignal<Option<chrono::DateTime<chrono::Utc>>> {
    let (now, set_now) = signal(None);
    Effect::new(move |_| {
        set_now.set(Some(chrono::Utc::now()));
        #[cfg(feature = "hydrate")]
        {
            let handle = set_interval_with_handle(
                move || set_now.set(Some(chrono::Utc::now())),
                std::time::Duration::from_secs(60),
            );
            if let Ok(handle) = handle {
                on_cleanup(move || handle.clear());
            }
        }
    });
    now
}

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
    let is_admin = expect_context::<CurrentUser>()
        .get_untracked()
        .and_then(|r| r.ok())
        .flatten()
        .is_some_and(|u| u.is_admin());
    let tab = RwSignal::new(if is_admin { Tab::All } else { Tab::Mine });
    let mode = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let search_input = RwSignal::new(String::new());
    // Live events refresh what they touch: the list on chat changes, the open conversation on
    // its own events; "reload" (after a long disconnection) refreshes both. A burst of events
    // becomes one refetch.
    let refresh = RwSignal::new(0u64);
    let chat_refresh = RwSignal::new(0u64);
    provide_context(OpenChat {
        refresh: chat_refresh,
        is_admin,
    });
    let list_bump = coalesced(refresh);
    let chat_bump = coalesced(chat_refresh);
    use_live_events(
        || Some("/api/events".to_string()),
        move |kind, data| {
            let chat_id = serde_json::from_str::<serde_json::Value>(&data)
                .ok()
                .and_then(|v| v.get("chat_id").and_then(|c| c.as_i64()))
                .map(ChatId);
            if kind == "reload" || kind == "chat.updated" {
                list_bump();
            }
            if kind == "reload" || (chat_id.is_some() && chat_id == selected.get_untracked()) {
                chat_bump();
            }
        },
    );
    // Extra pages loaded with "Load more", appended after the first page.
    let more = RwSignal::new(Vec::<ChatSummary>::new());
    let next = RwSignal::new(None::<(chrono::DateTime<chrono::Utc>, ChatId)>);
    let first = Resource::new(
        move || (tab.get(), mode.get(), search.get(), refresh.get()),
        |(tab, mode, q, _)| list_chats(tab.as_str().to_string(), Some(mode), Some(q), None, None),
    );
    Effect::new(move |_| {
        if let Some(Ok(page)) = first.get() {
            more.set(Vec::new());
            next.set(page.next);
        }
    });
    let load_more = ServerAction::<ListChats>::new();
    Effect::new(move |_| {
        if let Some(Ok(ChatPage { chats, next: n })) = load_more.value().get() {
            more.update(|m| m.extend(chats));
            next.set(n);
        }
    });
    let now = use_now();
    // Runs once this page is hydrated: tests wait for it before clicking.
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
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
                    </div>
                </div>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match first.await {
                            Ok(page) if page.chats.is_empty() => view! { <p class="empty-state">{t!(i18n, inbox_empty)}</p> }.into_any(),
                            Ok(page) => view! {
                                <ul data-testid="chat-list">
                                    {page.chats.into_iter().map(|c| view! { <ChatRow chat=c selected now /> }).collect_view()}
                                    {move || more.get().into_iter().map(|c| view! { <ChatRow chat=c selected now /> }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(e) => view! { <ErrorText error=e /> }.into_any(),
                        }
                    })}
                </Transition>
                {move || next.get().map(|(at, id)| view! {
                    <button type="button" class="load-more" data-testid="load-more" on:click=move |_| {
                        load_more.dispatch(ListChats {
                            tab: tab.get_untracked().as_str().to_string(),
                            mode: Some(mode.get_untracked()),
                            q: Some(search.get_untracked()),
                            before_at: Some(at),
                            before_id: Some(id),
                        });
                    }>{t!(i18n, load_more)}</button>
                })}
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
    /// Bumped when a live event touches the open chat.
    refresh: RwSignal<u64>,
    is_admin: bool,
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
    let OpenChat { refresh, is_admin } = expect_context::<OpenChat>();
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<ChatId>().ok())
    });
    move || match id.get() {
        Some(chat_id) => view! { <ChatView chat_id refresh is_admin /> }.into_any(),
        None => view! { <crate::pages::not_found::NotFound /> }.into_any(),
    }
}

/// Bumps `counter` once shortly after the first call of a burst (immediately on the server).
fn coalesced(counter: RwSignal<u64>) -> impl Fn() + Copy + 'static {
    let pending = StoredValue::new(false);
    move || {
        if pending.get_value() {
            return;
        }
        pending.set_value(true);
        let fire = move || {
            pending.set_value(false);
            counter.update(|n| *n += 1);
        };
        #[cfg(feature = "hydrate")]
        set_timeout(fire, std::time::Duration::from_millis(50));
        #[cfg(not(feature = "hydrate"))]
        fire();
    }
}

pub fn mode_label(i18n: leptos_i18n::I18nContext<Locale>, mode: Mode) -> String {
    match mode {
        Mode::Bot => t_string!(i18n, mode_bot).to_string(),
        Mode::Agent => t_string!(i18n, mode_agent).to_string(),
        Mode::Paused => t_string!(i18n, mode_paused).to_string(),
        Mode::Closed => t_string!(i18n, mode_closed).to_string(),
    }
}

pub fn contact_title(c: &ChatSummary) -> String {
    c.contact_name
        .clone()
        .or_else(|| c.contact_phone.as_ref().map(|p| format!("+{p}")))
        .unwrap_or_else(|| "?".into())
}

#[component]
fn ChatRow(
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
