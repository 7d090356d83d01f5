//! One message bubble: who sent it, the text (always rendered as text, never as HTML), the
//! time, the honest delivery tick, and for a failed reply the provider's reason and Retry; a
//! file through [`Attachment`].

use crate::api::chats::RetryMessage;
use crate::components::attachment::Attachment;
use crate::i18n::*;
use crate::model::{DeliveryState, Direction, MessageId, MessageKind, MessageView, SenderKind};
use leptos::prelude::*;

/// Times are shown in Western Indonesia Time (UTC+7) until the business time zone setting exists.
pub fn short_time(t: chrono::DateTime<chrono::Utc>) -> String {
    let wib = chrono::FixedOffset::east_opt(7 * 3600)
        .unwrap_or(chrono::FixedOffset::east_opt(0).expect("zero offset"));
    t.with_timezone(&wib).format("%H:%M").to_string()
}

/// "now", "5 min", "3 h", "2 d", else the date; before hydration (`now` = None) the time.
pub fn relative_time(
    i18n: leptos_i18n::I18nContext<Locale>,
    t: chrono::DateTime<chrono::Utc>,
    now: Option<chrono::DateTime<chrono::Utc>>,
) -> String {
    let Some(now) = now else { return short_time(t) };
    let minutes = (now - t).num_minutes().max(0);
    match minutes {
        0 => t_string!(i18n, time_now).to_string(),
        1..=59 => t_string!(i18n, time_minutes, n = minutes).to_string(),
        60..=1439 => t_string!(i18n, time_hours, n = minutes / 60).to_string(),
        1440..=10079 => t_string!(i18n, time_days, n = minutes / 1440).to_string(),
        _ => t.format("%Y-%m-%d").to_string(),
    }
}

/// A system event in the reader's language, from its structured form.
fn system_text(
    i18n: leptos_i18n::I18nContext<Locale>,
    event: &serde_json::Value,
    fallback: &str,
) -> String {
    let get = |k: &str| event.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let mode = |k: &str| get(k).map(|m| m.to_uppercase()).unwrap_or_default();
    let via_api = event.get("via_api").and_then(|v| v.as_bool()) == Some(true);
    let by = get("by").map(|by| match via_api {
        true => t_string!(i18n, by_api_key, name = by).to_string(),
        false => by,
    });
    match (get("event").as_deref(), by) {
        (Some("mode"), Some(by)) => t_string!(
            i18n,
            sys_mode_by,
            from = mode("from"),
            to = mode("to"),
            by = by
        )
        .to_string(),
        (Some("mode"), None) => {
            t_string!(i18n, sys_mode, from = mode("from"), to = mode("to")).to_string()
        }
        (Some("assign"), Some(by)) => t_string!(
            i18n,
            sys_assign_by,
            to = get("to").unwrap_or_default(),
            by = by
        )
        .to_string(),
        (Some("assign"), None) => {
            t_string!(i18n, sys_assign, to = get("to").unwrap_or_default()).to_string()
        }
        (Some("unassign"), Some(by)) => t_string!(i18n, sys_unassign_by, by = by).to_string(),
        (Some("unassign"), None) => t_string!(i18n, sys_unassign).to_string(),
        (Some("started"), Some(by)) => t_string!(i18n, sys_started, by = by).to_string(),
        _ => fallback.to_string(),
    }
}

#[component]
pub fn Bubble(
    message: MessageView,
    #[prop(optional)] retry: Option<ServerAction<RetryMessage>>,
    /// "Reply" on the bubble: the composer quotes this message.
    #[prop(optional)]
    on_reply: Option<Callback<MessageView>>,
    /// A click on the quote above the text: show the quoted message.
    #[prop(optional)]
    on_jump: Option<Callback<MessageId>>,
    /// Whether the channel carries quotes (no "Reply" otherwise).
    #[prop(optional, into)]
    quotes: Signal<bool>,
    /// "Start chat" on a shared contact card: the number.
    #[prop(optional)]
    on_start: Option<Callback<String>>,
    /// A reaction picked on a customer's message.
    #[prop(optional)]
    on_react: Option<Callback<(MessageId, String)>>,
    /// Whether the channel carries reactions (no picker otherwise).
    #[prop(optional, into)]
    reactions: Signal<bool>,
    /// Drawn on the sandbox phone, whose owner is the customer: ticks on the customer's own
    /// messages (`true`: the business read it), none on the business's.
    #[prop(optional)]
    customer_read: Option<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let m = message;
    if m.sender_kind == SenderKind::System {
        let event = m.event.clone().unwrap_or_default();
        let fallback = m.body.clone().unwrap_or_default();
        return view! {
            <li class="bubble system" data-testid="system-event">
                <p class="body">{move || system_text(i18n, &event, &fallback)}</p>
            </li>
        }
        .into_any();
    }
    let class = format!("bubble {} {} kind-{}", m.direction, m.sender_kind, m.kind);
    // A file shows itself; its caption is the text (a document's name is not repeated).
    let body = match &m.media {
        Some(media) => m
            .body
            .clone()
            .filter(|b| Some(b) != media.filename.as_ref()),
        None => Some(m.body.clone().unwrap_or_else(|| format!("[{}]", m.kind))),
    };
    let attachment = m.media.clone().map(|media| {
        let kind = crate::model::MediaView::shown_kind(m.kind, media.mime_type.as_deref());
        view! { <Attachment message_id=m.message_id kind=kind media=media/> }
    });
    let sender = match m.sender_kind {
        SenderKind::Bot => Some(t_string!(i18n, sender_bot).to_string()),
        SenderKind::Agent => match &m.via_api {
            Some(name) => Some(t_string!(i18n, sender_api, name = name.clone()).to_string()),
            None => m.sender_name.clone(),
        },
        SenderKind::Customer | SenderKind::System => None,
    };
    let outbound = m.direction == Direction::Out;
    // The ticks' state: ours as the provider reported it; on the phone, the customer's.
    let ticked = match customer_read {
        None => outbound.then_some(m.status),
        Some(read) => (!outbound).then_some(if read {
            DeliveryState::Read
        } else {
            DeliveryState::Delivered
        }),
    };
    let status = ticked.unwrap_or(m.status);
    let icon = match status {
        DeliveryState::Queued => "🕓",
        DeliveryState::Sent => "✓",
        DeliveryState::Delivered | DeliveryState::Read => "✓✓",
        DeliveryState::Failed => "⚠",
        DeliveryState::Received => "",
    };
    let tick_title = move || match status {
        DeliveryState::Queued => t_string!(i18n, status_queued).to_string(),
        DeliveryState::Sent => t_string!(i18n, status_sent).to_string(),
        DeliveryState::Delivered => t_string!(i18n, status_delivered).to_string(),
        DeliveryState::Read => t_string!(i18n, status_read).to_string(),
        DeliveryState::Failed => t_string!(i18n, status_failed).to_string(),
        DeliveryState::Received => String::new(),
    };
    let failed = m.status == DeliveryState::Failed;
    let reason = [m.error_code.clone(), m.error_reason.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    let message_id = m.message_id;
    let quoted = m.quoted.clone().map(|q| {
        let who = if q.from_customer {
            t_string!(i18n, quoted_customer).to_string()
        } else {
            t_string!(i18n, quoted_business).to_string()
        };
        let text = match (&q.message_id, &q.body) {
            (Some(_), Some(body)) => body.clone(),
            (Some(_), None) => q.kind.map(|k| format!("[{k}]")).unwrap_or_default(),
            (None, _) => t_string!(i18n, quoted_missing).to_string(),
        };
        let target = q.message_id;
        view! {
            <blockquote
                class="quoted"
                class:linked=target.is_some()
                data-testid="quoted"
                data-quoted-id=target.map(|id| id.0.to_string())
                on:click=move |_| {
                    if let (Some(id), Some(jump)) = (target, on_jump) {
                        jump.run(id);
                    }
                }
            >
                <span class="who">{who}</span>
                <span class="quote-text">{text}</span>
            </blockquote>
        }
    });
    // What a message with options offered, numbered as a customer without buttons reads it.
    let options = m.interactive.clone().map(|i| {
        view! {
            <div class="options" data-testid="options">
                {i.button.map(|b| view! { <span class="list-button">"☰ "{b}</span> })}
                <ol>
                    {i.options.into_iter().map(|o| view! {
                        <li data-testid="option">
                            <span class="option-title">{o.title}</span>
                            {o.description.map(|d| view! { <span class="option-description">{d}</span> })}
                        </li>
                    }).collect_view()}
                </ol>
            </div>
        }
    });
    // A shared place links to the map; a contact card offers a chat with each number.
    let location = m.location.clone().map(|l| {
        let label = crate::model::join_place(&l);
        view! {
            <a class="location" data-testid="location" href=l.map_url() target="_blank" rel="noopener noreferrer">
                "📍 "{label}
            </a>
        }
    });
    let cards = (!m.contacts.is_empty()).then(|| {
        view! {
            <ul class="cards" data-testid="contact-cards">
                {m.contacts.clone().into_iter().map(|c| view! {
                    <li data-testid="contact-card">
                        <span class="card-name">"👤 "{c.name.clone().unwrap_or_else(|| "—".into())}</span>
                        {c.phones.into_iter().map(|p| {
                            let shown = if p.starts_with('+') || p.starts_with('0') { p.clone() } else { format!("+{p}") };
                            let number = p.clone();
                            view! {
                                <span class="card-phone">{shown}</span>
                                {on_start.map(|start| view! {
                                    <button type="button" data-testid="start-chat"
                                        on:click=move |_| start.run(number.clone())>{t!(i18n, start_chat)}</button>
                                })}
                            }
                        }).collect_view()}
                    </li>
                }).collect_view()}
            </ul>
        }
    });
    let reaction = m.reaction.clone().map(|emoji| {
        view! { <span class="reaction" data-testid="reaction" title=move || t_string!(i18n, reaction_customer).to_string()>{emoji}</span> }
    });
    // Only a message the provider has can be quoted.
    let quotable = m.direction == Direction::In
        || matches!(
            m.status,
            DeliveryState::Sent | DeliveryState::Delivered | DeliveryState::Read
        );
    let reply_button = on_reply.filter(|_| quotable).map(|reply| {
        let m = m.clone();
        view! {
            <button type="button" class="reply-action" data-testid="reply-to"
                hidden=move || !quotes.get()
                title=move || t_string!(i18n, reply_to_message).to_string()
                on:click=move |_| reply.run(m.clone())>"↩"</button>
        }
    });
    let react_button = on_react
        .filter(|_| m.direction == Direction::In && m.kind != MessageKind::Reaction)
        .map(|react| {
            let has_reaction = m.reaction.is_some();
            view! {
                <details class="react-action" data-testid="react" hidden=move || !reactions.get()>
                    <summary title=move || t_string!(i18n, react_to_message).to_string()>"☺"</summary>
                    <span class="react-picker">
                        {crate::model::REACTIONS.iter().map(|emoji| view! {
                            <button type="button" data-testid="react-with" data-emoji=*emoji
                                on:click=move |_| react.run((message_id, emoji.to_string()))>{*emoji}</button>
                        }).collect_view()}
                        {has_reaction.then(|| view! {
                            <button type="button" class="react-take-back" data-testid="react-take-back"
                                title=move || t_string!(i18n, react_take_back).to_string()
                                on:click=move |_| react.run((message_id, String::new()))>"✕"</button>
                        })}
                    </span>
                </details>
            }
        });
    view! {
        <li class=class id=format!("m-{}", message_id.0) data-testid="message" data-message-id=message_id.0.to_string() data-status=m.status.as_str() data-direction=m.direction.as_str()>
            {reply_button}
            {react_button}
            {sender.map(|s| view! { <span class="sender">{s}</span> })}
            {quoted}
            {attachment}
            {body.map(|body| view! { <p class="body">{body}</p> })}
            {options}
            {location}
            {cards}
            {reaction}
            {m.revoked_at.map(|_| view! { <p class="revoked" data-testid="revoked">{t!(i18n, message_revoked)}</p> })}
            <footer>
                <time datetime=m.sent_at.to_rfc3339()>{short_time(m.sent_at)}</time>
                {ticked.map(|t| view! { <span class=format!("tick {t}") title=tick_title data-testid="tick">{icon}</span> })}
            </footer>
            {failed.then(|| view! {
                <p class="failure" data-testid="failure">
                    <span>{t!(i18n, status_failed)}": "{reason}</span>
                    {retry.map(|action| view! {
                        <button type="button" data-testid="retry" on:click=move |_| { action.dispatch(RetryMessage { message_id }); }>
                            {t!(i18n, retry)}
                        </button>
                    })}
                </p>
            })}
        </li>
    }
    .into_any()
}
