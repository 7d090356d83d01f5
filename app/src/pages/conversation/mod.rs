//! The open conversation: header with mode, assignment, Take and "Hand back to bot"; the
//! customer panel; Meta's 24-hour window; history with older pages; the composer (Enter sends,
//! Shift+Enter adds a line). Fetched when it opens and on a reload; every other change arrives
//! live and is applied in place ([`live`]).
//!
//! - [`header`]: the header (mode, assignee, Take, "Hand back") and its actions.
//! - [`live`]: the open chat's live changes and how they apply to the loaded pages.
//! - [`parts`]: the assignee list and the 24-hour window notice.
//! - [`history`]: the older pages above the newest one.
//! - [`drafts`]: unsent replies per chat, kept while the tab lives.
//! - [`typing`]: tells the server while the agent types, so the customer sees "typing…".
//! - [`composer`]: the reply, its quote and its file.
//! - [`templates`]: past Meta's 24-hour window, the template picker instead of the composer.
//! - [`dom`]: steps on the page itself: a quoted message brought into view, the cursor put in the
//!   composer.

mod composer;
mod dom;
mod drafts;
mod header;
mod history;
pub mod live;
mod parts;
mod templates;
mod typing;

pub use live::LiveChat;

use crate::api::chats::{open_chat, MarkRead, RetryMessage};
use crate::components::chat::use_now;
use crate::components::error_text::ErrorText;
use crate::components::guard::CurrentUser;
use crate::components::message::Bubble;
use crate::i18n::*;
use crate::live::Latest;
use crate::model::{Assignee, ChatId, Conversation, MessageId, MessageView, SendOptions};
use crate::AppError;
use composer::Composer;
use dom::{focus_composer, show_message};
use header::{ChatHeader, HeaderActions};
use history::History;
use leptos::prelude::*;
use live::with_changes;
use parts::window_notice;

#[component]
pub fn ChatView(
    chat_id: ChatId,
    live: LiveChat,
    is_admin: bool,
    /// Owned by the inbox page: no resource may be created in this view (see `InboxPage`).
    data: Resource<Result<Option<Conversation>, AppError>>,
    people: Resource<Result<Vec<Assignee>, AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let me = expect_context::<CurrentUser>()
        .get_untracked()
        .and_then(|r| r.ok())
        .flatten()
        .map(|u| u.user_id);
    let retry = ServerAction::<RetryMessage>::new();
    let mark = ServerAction::<MarkRead>::new();
    let actions = HeaderActions::new();
    // `data` is fetched when a chat opens and on a reload only: everything else (new messages,
    // ticks, this agent's own replies and changes) arrives as live changes, applied in place.
    let is_this = move |r: &Result<Option<Conversation>, AppError>| matches!(r, Ok(Some(c)) if c.chat.chat_id == chat_id);
    let History {
        older,
        has_older,
        load_older,
        list,
    } = History::new(chat_id, live);
    // A catch-up: the newest page, with what differs from what is shown applied as changes
    // (a new message as created, so the view scrolls to it and reads it). Only when the page
    // does not reach what is shown (more than a page came meanwhile) is the conversation
    // fetched anew. Catch-ups can overlap: an older one answered late is dropped (`Latest`).
    let catch_up = Latest::new(move |began: &u64| {
        let began = *began;
        async move { (began, open_chat(chat_id, None).await) }
    });
    Effect::watch(
        move || live.refresh.get(),
        move |_, _, _| {
            catch_up.dispatch(live.next_change());
        },
        false,
    );
    Effect::new(move |_| {
        if let Some((_, (began, Ok(fresh)))) = catch_up.answer() {
            let fetched = data.with_untracked(|d| match d {
                Some(Ok(Some(c))) if c.chat.chat_id == chat_id => {
                    Some((c.messages.clone(), c.chat.clone()))
                }
                _ => None,
            });
            live.catch_up(chat_id, began, fresh, fetched, older.get_untracked());
        }
    });
    Effect::new(move |_| {
        if data.get().as_ref().is_some_and(is_this) {
            live.fetched();
        }
    });
    // This agent's own retry shows at once, even before its live event arrives.
    Effect::new(move |_| {
        if let Some(Ok(view)) = retry.value().get() {
            live.apply(view, false);
        }
    });
    // Read when it opens, again when a message arrives while it is open and in view (a tab in
    // the background has not read anything), and when its tab comes back to the front: the
    // customer's blue ticks stay true.
    let to_front = RwSignal::new(0u32);
    let listener =
        window_event_listener_untyped("visibilitychange", move |_| to_front.update(|n| *n += 1));
    on_cleanup(move || listener.remove());
    Effect::new(move |_| {
        live.appended.track();
        to_front.track();
        #[cfg(feature = "hydrate")]
        if document().hidden() {
            return;
        }
        mark.dispatch(MarkRead { chat_id });
    });
    let now = use_now();
    // Newest at the bottom: keep the view scrolled there when messages arrive.
    Effect::new(move |_| {
        live.appended.track();
        list.track();
        if data.get().as_ref().is_some_and(is_this) {
            // After the list has drawn the new bubble.
            request_animation_frame(move || {
                if let Some(el) = list.get_untracked() {
                    el.set_scroll_top(el.scroll_height());
                }
            });
        }
    });
    // Past Meta's 24-hour window only a template can be sent (known once the page runs: the
    // clock is not read while the server renders).
    // A memo: the composer is built again only when the answer changes, not each time the clock
    // or the chat moves (it was built anew once the page had hydrated and read the clock).
    let window_closed = Memo::new(move |_| {
        let Some(now) = now.get() else { return false };
        live.chat()
            .filter(|c| c.chat_id == chat_id)
            .or_else(|| data.get().and_then(Result::ok).flatten().map(|c| c.chat))
            .filter(|c| c.chat_id == chat_id)
            .is_some_and(|c| parts::window_closed(&c, now))
    });
    // What the composer offers (from the chat's channel), and the message a reply quotes.
    let sending = RwSignal::new(SendOptions::default());
    let replying = RwSignal::new(None::<MessageView>);
    // Created once here, not per bubble: a bubble's own derived signal was disposed with the
    // list's item while the bubble still read it.
    let quotes = Signal::derive(move || sending.with(|s| s.quotes));
    Effect::new(move |_| {
        if let Some(Ok(Some(c))) = data.get() {
            if c.chat.chat_id == chat_id {
                sending.set(c.sending);
            }
        }
    });
    // "Start chat" on a customer's contact card: that number's chat on this chat's channel.
    let start = ServerAction::<crate::api::chats::StartChat>::new();
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(started)) = start.value().get() {
            navigate(&format!("/inbox/{}", started.0), Default::default());
        }
    });
    let on_start = Callback::new(move |phone: String| {
        let channel = data
            .get_untracked()
            .and_then(Result::ok)
            .flatten()
            .map(|c| c.chat.channel_id);
        if let Some(channel_id) = channel {
            start.dispatch(crate::api::chats::StartChat { channel_id, phone });
        }
    });
    // A reaction picked on a customer's message: the bubble shows it when the answer (or its
    // live update) arrives.
    let react = ServerAction::<crate::api::chats::React>::new();
    let reactions = Signal::derive(move || sending.with(|s| s.reactions));
    let on_react = Callback::new(move |(message_id, emoji): (MessageId, String)| {
        react.dispatch(crate::api::chats::React {
            chat_id,
            message_id,
            emoji,
        });
    });
    Effect::new(move |_| {
        if let Some(Ok(view)) = react.value().get() {
            live.apply(view, false);
        }
    });
    let on_reply = Callback::new(move |m: MessageView| {
        replying.set(Some(m));
        focus_composer();
    });
    // A click on a quote: its message, loading older pages until it is there.
    let jump_to = RwSignal::new(None::<MessageId>);
    let on_jump = Callback::new(move |id: MessageId| jump_to.set(Some(id)));
    Effect::new(move |_| {
        let Some(id) = jump_to.get() else { return };
        older.track();
        // After the pages just loaded are drawn.
        request_animation_frame(move || {
            // Shown, or not in this chat's history at all.
            if show_message(id) || !has_older.get_untracked() {
                jump_to.set(None);
            } else if !load_older.pending().get_untracked() {
                let newest_page = || {
                    data.get_untracked()
                        .and_then(Result::ok)
                        .flatten()
                        .and_then(|c| c.messages.first().map(|m| m.message_id))
                };
                let before = older
                    .get_untracked()
                    .first()
                    .map(|m| m.message_id)
                    .or_else(newest_page);
                if let Some(b) = before {
                    load_older.dispatch(b);
                }
            }
        });
    });
    let refused = actions.refusals();
    let action_error = move || -> Option<AppError> {
        [actions.error(), retry.value().get().and_then(Result::err)]
            .into_iter()
            .flatten()
            .next()
    };

    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(Some(Conversation { chat, customer, messages, has_older: more, .. }))
                        if chat.chat_id == chat_id =>
                    {
                        if older.get_untracked().is_empty() {
                            has_older.set(more);
                        }
                        let first_id = messages.first().map(|m| m.message_id);
                        let fetched = chat.clone();
                        let current = move || {
                            live.chat()
                                .filter(|c| c.chat_id == chat_id)
                                .unwrap_or_else(|| fetched.clone())
                        };
                        let current_for_window = current.clone();
                        let head = header::shown(current.clone());
                        let shown = move || {
                            let changes = live.changes();
                            with_changes(chat_id, messages.clone(), &changes, |id| {
                                older.with(|o| o.iter().any(|x| x.message_id == id))
                            })
                        };
                        view! {
                            <ChatHeader chat_id head me is_admin people actions refused />
                            <div class="chat-body">
                                <div class="chat-main">
                                    {move || window_notice(i18n, &current_for_window(), now.get())}
                                    <ol
                                        class="messages"
                                        data-testid="messages"
                                        node_ref=list
                                        on:scroll=move |_| {
                                            // Scrolled to the top: fetch the page before the oldest shown.
                                            let Some(el) = list.get_untracked() else { return };
                                            if el.scroll_top() < 40 && has_older.get_untracked() && !load_older.pending().get_untracked() {
                                                let before = older.get_untracked().first().map(|m| m.message_id).or(first_id);
                                                if let Some(b) = before {
                                                    load_older.dispatch(b);
                                                }
                                            }
                                        }
                                    >
                                        {move || has_older.get().then(|| {
                                            let before = older.get().first().map(|m| m.message_id).or(first_id);
                                            view! {
                                                <li class="older">
                                                    <button type="button" data-testid="load-older" on:click=move |_| {
                                                        if let Some(b) = before { load_older.dispatch(b); }
                                                    }>{t!(i18n, load_older)}</button>
                                                </li>
                                            }
                                        })}
                                        <For
                                            each=move || older.get()
                                            key=|m| (m.message_id, m.status, m.error_code.clone(), m.media.as_ref().map(|f| f.state), m.reaction.clone())
                                            children=move |m| view! { <Bubble message=m retry on_reply on_jump quotes on_start on_react reactions /> }
                                        />
                                        <For
                                            each=shown
                                            key=|m| (m.message_id, m.status, m.error_code.clone(), m.media.as_ref().map(|f| f.state), m.reaction.clone())
                                            children=move |m| view! { <Bubble message=m retry on_reply on_jump quotes on_start on_react reactions /> }
                                        />
                                    </ol>
                                </div>
                                <aside class="customer-panel" data-testid="customer-panel">
                                    <h2>{t!(i18n, customer)}</h2>
                                    <dl>
                                        <dt>{t!(i18n, customer_name)}</dt><dd>{customer.name.clone().unwrap_or_else(|| "—".into())}</dd>
                                        <dt>{t!(i18n, customer_phone)}</dt><dd>{customer.phone.clone().map(|p| format!("+{p}")).unwrap_or_else(|| "—".into())}</dd>
                                        <dt>{t!(i18n, customer_channel)}</dt><dd>{chat.channel_name.clone()}</dd>
                                        <dt>{t!(i18n, customer_since)}</dt><dd>{customer.first_contact_at.format("%Y-%m-%d").to_string()}</dd>
                                        <dt>{t!(i18n, customer_chats)}</dt><dd data-testid="customer-chats">{customer.chat_count}</dd>
                                    </dl>
                                </aside>
                            </div>
                        }.into_any()
                    }
                    // The previous chat's data while this one loads.
                    Ok(_) => ().into_any(),
                    Err(e) => view! { <ErrorText error=e /> }.into_any(),
                }
            })}
        </Transition>
        {move || action_error().map(|e| view! { <ErrorText error=e /> })}
        {move || if window_closed.get() {
            // The picker's code is a chunk of its own, fetched the first time it is needed.
            view! { <Suspense fallback=|| ()>{Suspend::new(templates::picker(chat_id, live))}</Suspense> }.into_any()
        } else {
            view! { <Composer chat_id live sending replying /> }.into_any()
        }}
    }
}
