//! `/inbox` and `/inbox/{chat id}`: the chat list beside the open conversation, kept current by
//! live events (no reload needed).

use crate::api::chats::{list_chats, open_chat, MarkRead, RetryMessage, SendReply};
use crate::components::error_text::ErrorText;
use crate::components::message::{short_time, Bubble};
use crate::i18n::*;
use crate::live::use_live_events;
use crate::model::{ChatSummary, Mode};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

#[component]
pub fn InboxPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let selected = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    // Every live event refreshes what is on screen.
    let refresh = RwSignal::new(0u64);
    use_live_events(|| Some("/api/events".to_string()), move |_, _| refresh.update(|n| *n += 1));
    let chats = Resource::new(move || refresh.get(), |_| list_chats());
    view! {
        <div class="inbox" class:has-selection=move || selected().is_some() data-testid="inbox">
            <aside class="chat-list">
                <h1>{t!(i18n, nav_inbox)}</h1>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match chats.await {
                            Ok(list) if list.is_empty() => view! { <p class="empty-state">{t!(i18n, inbox_empty)}</p> }.into_any(),
                            Ok(list) => view! {
                                <ul data-testid="chat-list">
                                    {list.into_iter().map(|c| view! { <ChatRow chat=c selected=selected() /> }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(e) => view! { <ErrorText error=e /> }.into_any(),
                        }
                    })}
                </Transition>
            </aside>
            <section class="conversation">
                {move || match selected() {
                    Some(id) => view! { <ChatView chat_id=id refresh /> }.into_any(),
                    None => view! { <p class="empty-state">{t!(i18n, select_chat)}</p> }.into_any(),
                }}
            </section>
        </div>
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

fn contact_title(c: &ChatSummary) -> String {
    c.contact_name.clone().or_else(|| c.contact_phone.as_ref().map(|p| format!("+{p}"))).unwrap_or_else(|| "?".into())
}

#[component]
fn ChatRow(chat: ChatSummary, selected: Option<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let href = format!("/inbox/{}", chat.chat_id);
    let unread = chat.unread_count;
    let is_selected = selected == Some(chat.chat_id);
    view! {
        <li class:selected=is_selected data-testid="chat-row">
            <A href=href>
                <div class="row-top">
                    <strong class="name">{contact_title(&chat)}</strong>
                    <span class="time">{chat.last_message_at.map(short_time)}</span>
                </div>
                <div class="row-bottom">
                    <span class="preview">{chat.last_message_preview.clone()}</span>
                    <Show when=move || { unread > 0 }>
                        <span class="unread" data-testid="unread">{unread}</span>
                    </Show>
                </div>
                <div class="badges">
                    <span class="badge channel">{chat.channel_name.clone()}</span>
                    <span class=format!("badge mode {}", chat.mode.as_str())>{mode_label(i18n, chat.mode)}</span>
                </div>
            </A>
        </li>
    }
}

#[component]
fn ChatView(chat_id: i64, refresh: RwSignal<u64>) -> impl IntoView {
    let i18n = use_i18n();
    let reply = ServerAction::<SendReply>::new();
    let retry = ServerAction::<RetryMessage>::new();
    let mark = ServerAction::<MarkRead>::new();
    let data = Resource::new(move || (refresh.get(), reply.version().get(), retry.version().get()), move |_| open_chat(chat_id, None));
    // Opening a chat marks it read.
    Effect::new(move |_| {
        mark.dispatch(MarkRead { chat_id });
    });
    let text = RwSignal::new(String::new());
    let send = move || {
        let body = text.get_untracked();
        if body.trim().is_empty() {
            return;
        }
        reply.dispatch(SendReply { chat_id, text: body });
        text.set(String::new());
    };
    let reply_error = move || reply.value().get().and_then(Result::err);
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((chat, messages)) => view! {
                        <header class="chat-head">
                            <a class="back" href="/inbox">"←"</a>
                            <div>
                                <strong data-testid="chat-title">{contact_title(&chat)}</strong>
                                <span class="contact-phone">{chat.contact_phone.clone().map(|p| format!(" +{p}"))}</span>
                            </div>
                            <span class="badge channel">{chat.channel_name.clone()}</span>
                            <span class=format!("badge mode {}", chat.mode.as_str()) data-testid="chat-mode">{mode_label(i18n, chat.mode)}</span>
                        </header>
                        <ol class="messages" data-testid="messages">
                            {messages.into_iter().map(|m| view! { <Bubble message=m retry /> }).collect_view()}
                        </ol>
                    }.into_any(),
                    Err(e) => view! { <ErrorText error=e /> }.into_any(),
                }
            })}
        </Transition>
        {move || reply_error().map(|e| view! { <ErrorText error=e /> })}
        <form class="composer" on:submit=move |ev| { ev.prevent_default(); send(); }>
            <textarea
                rows="2"
                data-testid="composer"
                placeholder=move || t_string!(i18n, composer_placeholder).to_string()
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
                on:keydown=move |ev| {
                    // Enter sends; Shift+Enter starts a new line.
                    if ev.key() == "Enter" && !ev.shift_key() {
                        ev.prevent_default();
                        send();
                    }
                }
            ></textarea>
            <button type="submit" class="primary" data-testid="send">{t!(i18n, send)}</button>
        </form>
    }
}
