//! "New conversation" above the chat list: a channel, a number (`0812…`, `+62 812-…`), and the
//! chat opens, ready for a first message (a template on Meta, whose window a number that never
//! wrote has not opened).

use crate::api::chats::StartChat;
use crate::components::error_text::ErrorText;
use crate::i18n::*;
use crate::model::ChannelOption;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

#[component]
pub fn NewConversation(channels: Vec<ChannelOption>) -> impl IntoView {
    let i18n = use_i18n();
    let start = ServerAction::<StartChat>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(chat_id)) = start.value().get() {
            navigate(&format!("/inbox/{}", chat_id.0), Default::default());
        }
    });
    let enabled: Vec<ChannelOption> = channels.into_iter().filter(|c| c.enabled).collect();
    view! {
        <details class="new-conversation" data-testid="new-conversation">
            <summary>{t!(i18n, new_conversation)}</summary>
            <ActionForm action=start>
                <select name="channel_id" data-testid="new-conversation-channel" required>
                    {enabled.into_iter().map(|c| view! {
                        <option value=c.channel_id.to_string()>{c.name}</option>
                    }).collect_view()}
                </select>
                <input name="phone" type="tel" required data-testid="new-conversation-phone"
                    placeholder=move || t_string!(i18n, new_conversation_phone).to_string() />
                <button type="submit" class="primary" data-testid="new-conversation-start">{t!(i18n, new_conversation_start)}</button>
            </ActionForm>
            {move || match start.value().get() {
                Some(Err(e)) => Some(view! { <ErrorText error=e /> }),
                _ => None,
            }}
        </details>
    }
}
