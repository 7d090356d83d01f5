//! A Meta channel's templates on its card: how many are approved, when they were synced, and
//! "Sync templates" (they also sync once a day by themselves).

use crate::api::templates::{channel_templates, SyncTemplates};
use crate::components::error_text::ErrorText;
use crate::i18n::*;
use crate::model::{ChannelId, TemplateList};
use leptos::prelude::*;

#[component]
pub fn ChannelTemplates(channel_id: ChannelId) -> impl IntoView {
    let i18n = use_i18n();
    let load = Action::new(move |c: &ChannelId| channel_templates(*c));
    Effect::new(move |_| {
        load.dispatch(channel_id);
    });
    let sync = ServerAction::<SyncTemplates>::new();
    let list = move || -> Option<TemplateList> {
        sync.value()
            .get()
            .and_then(Result::ok)
            .or_else(|| load.value().get().and_then(Result::ok))
    };
    view! {
        // The button first: the count arrives after the card is drawn, and a button after it
        // moved under the pointer (a click meant for it landed on the count).
        <div class="channel-templates" data-testid="channel-templates">
            <button type="button" data-testid="sync-templates"
                disabled=move || sync.pending().get()
                on:click=move |_| { sync.dispatch(SyncTemplates { channel_id }); }>
                {t!(i18n, templates_sync)}
            </button>
            <span data-testid="template-count">
                {move || list().map(|l| {
                    let approved = l.templates.iter().filter(|t| t.status == "APPROVED").count();
                    let when = l.synced_at
                        .map(crate::components::message::short_time)
                        .unwrap_or_else(|| "—".into());
                    t_string!(i18n, templates_synced, approved = approved, total = l.templates.len(), when = when).to_string()
                })}
            </span>
            {move || sync.value().get().and_then(Result::err).map(|e| view! { <ErrorText error=e /> })}
        </div>
    }
}
