//! `/admin/channels` (admins only): every channel with its state, activity and webhook URL (with
//! the provider's setup steps), "Test connection", enable/disable, delete, and a form per kind
//! to add or edit one. Secrets are write-only: the page shows only that one is set.
//!
//! - [`card`]: a channel's card, which follows its channel part by part.
//! - [`forms`]: the forms on a card: behaviour switches, and adding or editing a channel per kind.

mod card;
mod forms;
mod templates;

use card::{follow, ChannelCard};
use forms::{MetaForm, WhapiForm};

use crate::api::channels::{
    list_channels, DeleteChannel, SaveChannel, SetChannelApiDefault, SetChannelEnabled,
    SetChannelSettings, TestChannel,
};
use crate::components::error_text::ErrorText;
use crate::i18n::*;
use crate::live::{use_live_events, Latest, Live};
use crate::model::{ChannelsPage, LiveEvent};
use leptos::prelude::*;

#[derive(Clone, Copy)]
struct Actions {
    save: ServerAction<SaveChannel>,
    test: ServerAction<TestChannel>,
    enable: ServerAction<SetChannelEnabled>,
    delete: ServerAction<DeleteChannel>,
    settings: ServerAction<SetChannelSettings>,
    api_default: ServerAction<SetChannelApiDefault>,
}

#[component]
pub fn ChannelsPage() -> impl IntoView {
    let i18n = use_i18n();
    let actions = Actions {
        save: ServerAction::new(),
        test: ServerAction::new(),
        enable: ServerAction::new(),
        delete: ServerAction::new(),
        settings: ServerAction::new(),
        api_default: ServerAction::new(),
    };
    // Another admin (or another server process) changed a channel.
    let changed = RwSignal::new(0u32);
    use_live_events(
        || Some("/api/events".to_string()),
        move |live| {
            if matches!(
                live,
                Live::Reload | Live::Event(LiveEvent::ChannelChanged(_))
            ) {
                changed.update(|n| *n += 1);
            }
        },
    );
    // The page as the server drew it; later fetches (after an action, a channel changed, the
    // stream opened) replace it card by card: a card whose channel did not change keeps its
    // nodes and its state (a refetch of this resource drew every card anew, and an answer that
    // came back to a card drawn over was lost).
    let page = Resource::new(|| (), |_| list_channels());
    // An older answer that arrives late does not replace a newer one.
    let refetch = Latest::new(|_: &()| list_channels());
    // The newest list fetched (a failed fetch keeps it, and shows its error).
    let fetched = RwSignal::new(None::<ChannelsPage>);
    Effect::watch(
        move || {
            (
                actions.save.version().get(),
                actions.test.version().get(),
                actions.enable.version().get(),
                actions.delete.version().get(),
                actions.settings.version().get(),
                actions.api_default.version().get(),
                changed.get(),
            )
        },
        move |_, _, _| {
            refetch.dispatch(());
        },
        false,
    );
    Effect::new(move |_| {
        if let Some((_, Ok(p))) = refetch.answer() {
            fetched.set(Some(p));
        }
    });
    let current = Memo::new(move |_| fetched.get().or_else(|| page.get().and_then(Result::ok)));
    let refetch_error = move || refetch.answer().and_then(|(_, r)| r.err());
    let last_error = move || {
        [
            actions.save.value().get().and_then(Result::err),
            actions.test.value().get().and_then(Result::err),
            actions.enable.value().get().and_then(Result::err),
            actions.delete.value().get().and_then(Result::err),
            actions.settings.value().get().and_then(Result::err),
            actions.api_default.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
    };
    view! {
        <section class="channels" data-testid="channels-page">
            <h1>{t!(i18n, channels_title)}</h1>
            <p class="hint">{t!(i18n, channels_intro)}</p>
            {move || last_error().or_else(refetch_error).map(|e| view! { <ErrorText error=e /> })}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(_) => {
                            // `synced`: fetched again since the live stream opened.
                            let synced = move || fetched.with(Option::is_some).to_string();
                            view! {
                                <div class="channel-list" data-testid="channel-list" data-synced=synced>
                                    <For
                                        each=move || current.with(|p| p.as_ref().map(|p| p.channels.clone()).unwrap_or_default())
                                        key=|c| c.channel_id
                                        children=move |c| {
                                            let base = current.with_untracked(|p| p.as_ref().map(|p| p.base_url.clone()).unwrap_or_default());
                                            view! { <ChannelCard channel=follow(current, c) base actions /> }
                                        }
                                    />
                                </div>
                            }
                            .into_any()
                        }
                        Err(e) => view! { <ErrorText error=e /> }.into_any(),
                    }
                })}
            </Transition>
            <details class="channel-add" data-testid="add-meta">
                <summary>{t!(i18n, channel_add_meta)}</summary>
                <MetaForm channel=None actions />
            </details>
            <details class="channel-add" data-testid="add-whapi">
                <summary>{t!(i18n, channel_add_whapi)}</summary>
                <WhapiForm channel=None actions />
            </details>
        </section>
    }
}
