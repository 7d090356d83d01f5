//! Pieces of the conversation's header and body: the admin's assignee list, and Meta's 24-hour
//! window notice.

use crate::api::chats::Assign;
use crate::i18n::*;
use crate::model::{ChannelKind, ChatSummary, UserId};
use crate::AppError;
use leptos::prelude::*;

/// Meta allows free-form replies for 24 hours after the customer's last message.
const WINDOW_HOURS: i64 = 24;

#[component]
pub(super) fn AssignSelect(
    chat: ChatSummary,
    people: Resource<Result<Vec<crate::model::Assignee>, AppError>>,
    assign: ServerAction<Assign>,
) -> impl IntoView {
    let i18n = use_i18n();
    let chat_id = chat.chat_id;
    let current = chat.assigned_user_id;
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let list = people.await.unwrap_or_default();
                view! {
                    <select data-testid="assign-select" on:change=move |ev| {
                        let user_id = event_target_value(&ev).parse::<UserId>().ok();
                        assign.dispatch(Assign { chat_id, user_id });
                    }>
                        // As the mode's select: the attribute for the server's page, the property
                        // for every later drawing.
                        <option value="" selected=current.is_none() prop:selected=current.is_none()>{t!(i18n, unassigned)}</option>
                        {list.into_iter().map(|p| view! {
                            <option value=p.user_id.to_string() selected=current == Some(p.user_id) prop:selected=current == Some(p.user_id)>{p.display_name}</option>
                        }).collect_view()}
                    </select>
                }
            })}
        </Transition>
    }
}

/// Meta chats: how long free-form replies are still allowed.
/// Meta's window is closed: the customer last wrote more than 24 hours ago (or never did).
pub(super) fn window_closed(chat: &ChatSummary, now: chrono::DateTime<chrono::Utc>) -> bool {
    chat.channel_kind == ChannelKind::Meta
        && chat
            .last_customer_message_at
            .is_none_or(|t| t + chrono::Duration::hours(WINDOW_HOURS) <= now)
}

pub(super) fn window_notice(
    i18n: leptos_i18n::I18nContext<Locale>,
    chat: &ChatSummary,
    now: Option<chrono::DateTime<chrono::Utc>>,
) -> Option<impl IntoView> {
    if chat.channel_kind != ChannelKind::Meta {
        return None;
    }
    let now = now?;
    let closes = chat
        .last_customer_message_at
        .map(|t| t + chrono::Duration::hours(WINDOW_HOURS));
    Some(match closes {
        Some(at) if at > now => {
            let hours = (at - now).num_minutes() as f64 / 60.0;
            view! { <p class="window open" data-testid="window">{t_string!(i18n, window_open, hours = format!("{hours:.1}")).to_string()}</p> }.into_any()
        }
        _ => view! { <p class="window closed" data-testid="window">{t!(i18n, window_closed)}</p> }
            .into_any(),
    })
}
