//! `/admin/channels` (admins only): every channel with its state, activity and webhook URL (with
//! the provider's setup steps), "Test connection", enable/disable, delete, and a form per kind
//! to add or edit one. Secrets are write-only: the page shows only that one is set.
//!
//! - [`forms`]: the forms on a card: behaviour switches, and adding or editing a channel per kind.

mod forms;
mod templates;

use forms::{MetaForm, SettingsForm, WhapiForm};
use templates::ChannelTemplates;

use crate::api::channels::{
    list_channels, DeleteChannel, SaveChannel, SetChannelApiDefault, SetChannelEnabled,
    SetChannelSettings, TestChannel,
};
use crate::components::chat::use_now;
use crate::components::error_text::ErrorText;
use crate::components::message::relative_time;
use crate::i18n::*;
use crate::live::{use_live_events, Latest, Live};
use crate::model::{
    ChannelConfig, ChannelHealth, ChannelKind, ChannelView, ChannelsPage, LiveEvent,
};
use leptos::prelude::*;

/// Which cards' edit forms are unfolded ("edit-3"): the list is fetched again when the live
/// stream (re)opens or a channel changes, and an admin's open form must stay open.
#[derive(Clone, Copy)]
struct Unfolded(RwSignal<std::collections::HashSet<String>>);

impl Unfolded {
    fn is_open(self, key: &str) -> bool {
        self.0.with_untracked(|o| o.contains(key))
    }

    /// The summary of `key`'s `<details>` was clicked: it flips (`toggle` does not bubble, so
    /// the summary's click is what is seen).
    fn flip(self, key: String) -> impl Fn(leptos::ev::MouseEvent) + Clone + 'static {
        move |_| {
            self.0.update(|o| {
                if !o.remove(&key) {
                    o.insert(key.clone());
                }
            })
        }
    }
}

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
    provide_context(Unfolded(RwSignal::new(Default::default())));
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
                                        each=move || {
                                            current.get().map(|p| {
                                                p.channels.into_iter().map(|c| (c, p.base_url.clone())).collect::<Vec<_>>()
                                            }).unwrap_or_default()
                                        }
                                        key=|c| c.clone()
                                        children=move |(c, base)| view! { <ChannelCard channel=c base actions /> }
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

fn kind_label(i18n: leptos_i18n::I18nContext<Locale>, kind: ChannelKind) -> String {
    match kind {
        ChannelKind::Meta => t_string!(i18n, channel_kind_meta).to_string(),
        ChannelKind::Whapi => t_string!(i18n, channel_kind_whapi).to_string(),
        ChannelKind::Sandbox => t_string!(i18n, channel_kind_sandbox).to_string(),
        ChannelKind::Qontak | ChannelKind::Waha | ChannelKind::Gateway => {
            t_string!(i18n, channel_kind_other).to_string()
        }
    }
}

/// Our explanation of a failed test, in the reader's language.
fn failure_text(i18n: leptos_i18n::I18nContext<Locale>, failure: &str) -> String {
    match failure {
        "wrong_token" => t_string!(i18n, failure_wrong_token).to_string(),
        "wrong_number" => t_string!(i18n, failure_wrong_number).to_string(),
        "missing_permission" => t_string!(i18n, failure_missing_permission).to_string(),
        "not_connected" => t_string!(i18n, failure_not_connected).to_string(),
        "rate_limited" => t_string!(i18n, failure_rate_limited).to_string(),
        "timeout" => t_string!(i18n, failure_timeout).to_string(),
        "unreachable" => t_string!(i18n, failure_unreachable).to_string(),
        _ => t_string!(i18n, failure_other).to_string(),
    }
}

#[component]
fn ChannelState(channel: ChannelView) -> impl IntoView {
    let i18n = use_i18n();
    let (class, label, detail) = match (&channel.health, channel.enabled) {
        (ChannelHealth::Unreadable, _) => (
            "failed",
            t_string!(i18n, channel_state_unreadable).to_string(),
            None,
        ),
        (_, false) => (
            "disabled",
            t_string!(i18n, channel_state_disabled).to_string(),
            None,
        ),
        (ChannelHealth::Connected { summary, .. }, true) => (
            "connected",
            t_string!(i18n, channel_state_connected).to_string(),
            Some(summary.clone()).filter(|s| !s.is_empty()),
        ),
        (
            ChannelHealth::Failed {
                failure, detail, ..
            },
            true,
        ) => (
            "failed",
            format!(
                "{}: {}",
                t_string!(i18n, channel_state_failed),
                failure_text(i18n, failure)
            ),
            Some(format!("{}: {detail}", t_string!(i18n, provider_said))),
        ),
        (ChannelHealth::Untested, true) => (
            "untested",
            t_string!(i18n, channel_state_untested).to_string(),
            None,
        ),
    };
    view! {
        <p class=format!("channel-state {class}") data-testid="channel-state" data-state=class>
            <strong>{label}</strong>
            {detail.map(|d| view! { <span class="detail">{d}</span> })}
        </p>
    }
}

#[component]
fn ChannelCard(channel: ChannelView, base: String, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let now = use_now();
    let id = channel.channel_id.to_string();
    let editable = !channel.from_env && channel.kind != ChannelKind::Sandbox;
    let deletable = editable && channel.chats == 0;
    let when = move |t: Option<chrono::DateTime<chrono::Utc>>| match t {
        Some(t) => relative_time(i18n, t, now.get()),
        None => t_string!(i18n, channel_never).to_string(),
    };
    let (last_webhook, last_send) = (channel.last_webhook_at, channel.last_send_at);
    let webhook_url = channel.webhook_path.clone().map(|p| format!("{base}{p}"));
    let setup = match (&channel.kind, &channel.config) {
        (ChannelKind::Meta, Some(ChannelConfig::Meta { verify_token, .. })) => Some(
            view! {
                <p class="hint">{t!(i18n, channel_setup_meta)}</p>
                <p class="verify-token">
                    {t!(i18n, channel_verify_token)} ": "
                    <code data-testid="verify-token">{verify_token.clone()}</code>
                </p>
            }
            .into_any(),
        ),
        (ChannelKind::Whapi, _) => {
            Some(view! { <p class="hint">{t!(i18n, channel_setup_whapi)}</p> }.into_any())
        }
        _ => None,
    };
    let edit = editable.then(|| match channel.kind {
        ChannelKind::Meta => {
            view! { <MetaForm channel=Some(channel.clone()) actions /> }.into_any()
        }
        _ => view! { <WhapiForm channel=Some(channel.clone()) actions /> }.into_any(),
    });
    let next_enabled = (!channel.enabled).to_string();
    let unfolded = expect_context::<Unfolded>();
    let edit_key = format!("edit-{}", channel.channel_id);
    let (id_test, id_enable, id_delete, id_default) =
        (id.clone(), id.clone(), id.clone(), id.clone());
    let next_default = (!channel.api_default).to_string();
    view! {
        <article class="channel" class:disabled=!channel.enabled data-testid=format!("channel-{}", channel.name)>
            <header>
                <h2>{channel.name.clone()}</h2>
                <span class="kind">{kind_label(i18n, channel.kind)}</span>
                {channel.from_env.then(|| view! {
                    <span class="badge" title=move || t_string!(i18n, channel_from_env_hint).to_string()>
                        {t!(i18n, channel_from_env)}
                    </span>
                })}
                {channel.display_phone.clone().map(|p| view! { <span class="number">{p}</span> })}
            </header>
            <ChannelState channel=channel.clone() />
            <dl class="activity">
                <dt>{t!(i18n, channel_last_webhook)}</dt>
                <dd data-testid="last-webhook">{move || when(last_webhook)}</dd>
                <dt>{t!(i18n, channel_last_send)}</dt>
                <dd>{move || when(last_send)}</dd>
                <dt>{t!(i18n, channel_chats)}</dt>
                <dd>{channel.chats}</dd>
            </dl>
            {webhook_url.map(|url| view! { <WebhookUrl url /> })}
            {setup}
            <div class="channel-actions">
                <ActionForm action=actions.test attr:class="inline">
                    <input type="hidden" name="channel_id" value=id_test />
                    <button type="submit" data-testid="test-channel">{t!(i18n, channel_test)}</button>
                </ActionForm>
                <ActionForm action=actions.enable attr:class="inline">
                    <input type="hidden" name="channel_id" value=id_enable />
                    <input type="hidden" name="enabled" value=next_enabled />
                    <button type="submit" data-testid="toggle-channel">
                        {if channel.enabled { t!(i18n, channel_disable).into_any() } else { t!(i18n, channel_enable).into_any() }}
                    </button>
                </ActionForm>
                <ActionForm action=actions.api_default attr:class="inline">
                    <input type="hidden" name="channel_id" value=id_default />
                    <input type="hidden" name="on" value=next_default />
                    <button type="submit" data-testid="toggle-api-default"
                        title=move || t_string!(i18n, channel_api_default_hint).to_string()>
                        {if channel.api_default { t!(i18n, channel_api_default_off).into_any() } else { t!(i18n, channel_api_default_on).into_any() }}
                    </button>
                </ActionForm>
                {channel.api_default.then(|| view! { <span class="badge" data-testid="api-default">{t!(i18n, channel_api_default)}</span> })}
                {deletable.then(|| view! {
                    <ActionForm action=actions.delete attr:class="inline">
                        <input type="hidden" name="channel_id" value=id_delete />
                        <button type="submit" class="danger">{t!(i18n, channel_delete)}</button>
                    </ActionForm>
                })}
            </div>
            {(channel.kind == ChannelKind::Meta).then(|| view! { <ChannelTemplates channel_id=channel.channel_id /> })}
            <SettingsForm channel=channel.clone() actions />
            {edit.map(|form| view! {
                <details class="channel-edit" open=unfolded.is_open(&edit_key)>
                    <summary on:click=unfolded.flip(edit_key.clone())>{t!(i18n, channel_edit)}</summary>
                    {form}
                </details>
            })}
        </article>
    }
}

/// The webhook URL, selectable, with a copy button.
#[component]
fn WebhookUrl(url: String) -> impl IntoView {
    let i18n = use_i18n();
    let copied = RwSignal::new(false);
    let to_copy = url.clone();
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let _ = window().navigator().clipboard().write_text(&to_copy);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &to_copy;
        copied.set(true);
    };
    view! {
        <label class="webhook-url">
            {t!(i18n, channel_webhook_url)}
            <input readonly value=url data-testid="webhook-url" on:focus=|e| {
                #[cfg(feature = "hydrate")]
                {
                    use wasm_bindgen::JsCast;
                    if let Some(input) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                        input.select();
                    }
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = e;
            } />
        </label>
        <button type="button" on:click=copy data-testid="copy-webhook">
            {move || if copied.get() { t_string!(i18n, channel_copied).to_string() } else { t_string!(i18n, channel_copy).to_string() }}
        </button>
    }
}
