//! The conversation's header: who the customer is, the channel, the mode select, the admin's
//! assignee select, Take and "Hand back to bot", and the actions behind them.

use super::parts::AssignSelect;
use crate::api::chats::{Assign, HandBack, SetMode, Take};
use crate::components::chat::{contact_title, mode_label};
use crate::i18n::*;
use crate::model::{Assignee, ChatId, ChatSummary, Mode, UserId};
use crate::AppError;
use leptos::prelude::*;

/// The header's changes to the chat.
#[derive(Clone, Copy)]
pub(super) struct HeaderActions {
    set_mode: ServerAction<SetMode>,
    assign: ServerAction<Assign>,
    take: ServerAction<Take>,
    hand_back: ServerAction<HandBack>,
}

impl HeaderActions {
    pub fn new() -> HeaderActions {
        HeaderActions {
            set_mode: ServerAction::new(),
            assign: ServerAction::new(),
            take: ServerAction::new(),
            hand_back: ServerAction::new(),
        }
    }

    /// The refusal of the newest change, if it was refused.
    pub fn error(self) -> Option<AppError> {
        [
            self.set_mode.value().get().and_then(Result::err),
            self.assign.value().get().and_then(Result::err),
            self.take.value().get().and_then(Result::err),
            self.hand_back.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
    }

    /// Counts this agent's refused changes: the header is drawn again on each, to show the chat
    /// as it is, not the choice left in a select. An accepted change arrives as a live change
    /// (drawn on its answer as well, the header showed the old state until the live change came).
    pub fn refusals(self) -> RwSignal<u32> {
        let refused = RwSignal::new(0u32);
        for value in [
            self.set_mode.value(),
            self.assign.value(),
            self.take.value(),
            self.hand_back.value(),
        ] {
            Effect::new(move |_| {
                if value.with(|v| matches!(v, Some(Err(_)))) {
                    refused.update(|n| *n += 1);
                }
            });
        }
        refused
    }
}

/// What the header shows of the chat: its activity (preview, times, unread count) left out, so
/// that a customer writing does not draw the header again (the assignee select was replaced,
/// closing a dropdown the admin had open). Counted, not owned by the closure that makes it: the
/// old header can still be drawn once after a reload has run that closure again.
pub(super) fn shown(
    current: impl Fn() -> ChatSummary + Send + Sync + 'static,
) -> ArcMemo<ChatSummary> {
    ArcMemo::new(move |_| ChatSummary {
        unread_count: 0,
        last_message_at: None,
        last_message_preview: None,
        last_customer_message_at: None,
        ..current()
    })
}

#[component]
pub(super) fn ChatHeader(
    chat_id: ChatId,
    head: ArcMemo<ChatSummary>,
    me: Option<UserId>,
    is_admin: bool,
    people: Resource<Result<Vec<Assignee>, AppError>>,
    actions: HeaderActions,
    refused: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let HeaderActions {
        set_mode,
        assign,
        take,
        hand_back,
    } = actions;
    move || {
        refused.track();
        let chat = head.get();
        let mine = chat.assigned_user_id.is_some() && chat.assigned_user_id == me;
        let may_act = is_admin || chat.assigned_user_id.is_none() || mine;
        view! {
            <header class="chat-head">
                <a class="back" href="/inbox">"←"</a>
                <div class="who">
                    <strong data-testid="chat-title">{contact_title(&chat)}</strong>
                    <span class="contact-phone">{chat.contact_phone.clone().map(|p| format!(" +{p}"))}</span>
                </div>
                <span class="badge channel">{chat.channel_name.clone()}</span>
                <select
                    data-testid="mode-select"
                    disabled=!may_act
                    on:change=move |ev| {
                        set_mode.dispatch(SetMode { chat_id, mode: event_target_value(&ev) });
                    }
                >
                    // `selected` for the page as the server draws it; `prop:selected` so that the
                    // select shows the chat's mode once drawn again. (A browser keeps an option
                    // picked by hand and ignores later changes to the attribute: after the
                    // agent's pick and two changes by others, the select showed BOT, its first
                    // option.)
                    {[Mode::Bot, Mode::Agent, Mode::Paused, Mode::Closed].into_iter().map(|m| view! {
                        <option value=m.as_str() selected=m == chat.mode prop:selected=m == chat.mode>{mode_label(i18n, m)}</option>
                    }).collect_view()}
                </select>
                {is_admin.then(|| view! { <AssignSelect chat=chat.clone() people assign /> })}
                {(!is_admin && chat.assigned_user_id.is_none()).then(|| view! {
                    <button type="button" data-testid="take" on:click=move |_| { take.dispatch(Take { chat_id }); }>{t!(i18n, take)}</button>
                })}
                {(may_act && chat.mode != Mode::Bot).then(|| view! {
                    <button type="button" data-testid="hand-back" on:click=move |_| { hand_back.dispatch(HandBack { chat_id }); }>{t!(i18n, hand_back)}</button>
                })}
                {(!is_admin && chat.assigned_user_id.is_some() && !mine).then(|| view! {
                    <span class="badge assignee" data-testid="assigned-elsewhere">{chat.assigned_name.clone()}</span>
                })}
            </header>
        }
    }
}
