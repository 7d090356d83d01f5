//! A channel's card: its state, activity, webhook URL and setup steps, its buttons, its
//! switches and its edit form. The card stays while its channel does and redraws only the part
//! whose fields changed, so what an admin is typing survives a test, an enable, or another
//! admin's change.

use super::forms::{MetaForm, SettingsForm, WhapiForm};
use super::templates::ChannelTemplates;
use super::Actions;
use crate::components::chat::use_now;
use crate::components::message::relative_time;
use crate::i18n::*;
use crate::model::{ChannelConfig, ChannelHealth, ChannelKind, ChannelView, ChannelsPage};
use leptos::prelude::*;

/// A card's channel as the newest list has it: the card stays while its channel does (keyed by
/// its id), and redraws part by part what changed (keyed by the whole value, a card was drawn
/// anew on any change, and an edit being typed in it was lost). A channel gone from the list
/// keeps its last value until its card is taken away.
pub(super) fn follow(current: Memo<Option<ChannelsPage>>, first: ChannelView) -> Memo<ChannelView> {
    let id = first.channel_id;
    Memo::new(move |prev: Option<&ChannelView>| {
        current
            .with(|p| {
                p.as_ref()
                    .and_then(|p| p.channels.iter().find(|c| c.channel_id == id).cloned())
            })
            .or_else(|| prev.cloned())
            .unwrap_or_else(|| first.clone())
    })
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
fn ChannelState(health: ChannelHealth, enabled: bool) -> impl IntoView {
    let i18n = use_i18n();
    let (class, label, detail) = match (&health, enabled) {
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

/// A channel's card. What never changes for a channel (its id, kind, where it is described) is
/// read once; the rest follows `channel`, each part redrawn only when its own fields change: a
/// connection test or an enable leaves the edit form and the switches as the admin left them.
#[component]
pub(super) fn ChannelCard(
    channel: Memo<ChannelView>,
    base: String,
    actions: Actions,
) -> impl IntoView {
    let i18n = use_i18n();
    let now = use_now();
    let (channel_id, kind, from_env) =
        channel.with_untracked(|c| (c.channel_id, c.kind, c.from_env));
    let id = channel_id.to_string();
    let editable = !from_env && kind != ChannelKind::Sandbox;
    let name = Memo::new(move |_| channel.with(|c| c.name.clone()));
    let phone = Memo::new(move |_| channel.with(|c| c.display_phone.clone()));
    let state = Memo::new(move |_| channel.with(|c| (c.health.clone(), c.enabled)));
    let enabled = Memo::new(move |_| channel.with(|c| c.enabled));
    let api_default = Memo::new(move |_| channel.with(|c| c.api_default));
    let deletable = Memo::new(move |_| editable && channel.with(|c| c.chats == 0));
    let described =
        Memo::new(move |_| channel.with(|c| (c.webhook_path.clone(), c.config.clone())));
    let settings = Memo::new(move |_| channel.with(|c| c.settings));
    // What the edit form is drawn from: the channel as this page last saved it, else as listed
    // when its description (name, settings of its kind, secrets' hints) changed. A save draws
    // the form anew with its secret fields empty, also when the new token's hint reads like the
    // old one's; the list's refetch after it, with the same description, does not draw it
    // again; a connection test or an enable never does.
    let described_as = |c: &ChannelView| (c.name.clone(), c.config.clone(), c.secrets.clone());
    let description = Memo::new(move |_| channel.with(described_as));
    // Numbered: each new source draws the form with new elements (a view drawn again in place
    // keeps what was typed into its fields, a saved secret among it).
    let form_source = RwSignal::new((0u32, channel.get_untracked()));
    Effect::watch(
        move || description.get(),
        move |now, _, _| {
            if form_source.with_untracked(|(_, s)| described_as(s) != *now) {
                form_source.update(|(n, s)| (*n, *s) = (*n + 1, channel.get_untracked()));
            }
        },
        false,
    );
    // Each save counted: one that changed nothing answers with the same channel.
    let saved_here = Memo::new(move |_| {
        let n = actions.save.version().get();
        actions.save.value().with(|v| match v {
            Some(Ok(c)) if c.channel_id == channel_id => Some((n, c.clone())),
            _ => None,
        })
    });
    Effect::watch(
        move || saved_here.get(),
        move |saved, _, _| {
            if let Some((_, c)) = saved {
                form_source.update(|(n, s)| (*n, *s) = (*n + 1, c.clone()));
            }
        },
        false,
    );
    let when = move |t: Option<chrono::DateTime<chrono::Utc>>| match t {
        Some(t) => relative_time(i18n, t, now.get()),
        None => t_string!(i18n, channel_never).to_string(),
    };
    let setup = move || match described.get() {
        (_, Some(ChannelConfig::Meta { verify_token, .. })) => Some(
            view! {
                <p class="hint">{t!(i18n, channel_setup_meta)}</p>
                <p class="verify-token">
                    {t!(i18n, channel_verify_token)} ": "
                    <code data-testid="verify-token">{verify_token}</code>
                </p>
            }
            .into_any(),
        ),
        _ if kind == ChannelKind::Whapi => {
            Some(view! { <p class="hint">{t!(i18n, channel_setup_whapi)}</p> }.into_any())
        }
        _ => None,
    };
    let webhook = move || {
        described
            .get()
            .0
            .map(|p| view! { <WebhookUrl url=format!("{base}{p}") /> })
    };
    let edit = move |_| {
        let c = form_source.with_untracked(|(_, c)| c.clone());
        match kind {
            ChannelKind::Meta => view! { <MetaForm channel=Some(c) actions /> }.into_any(),
            _ => view! { <WhapiForm channel=Some(c) actions /> }.into_any(),
        }
    };
    let (id_test, id_enable, id_delete, id_default) =
        (id.clone(), id.clone(), id.clone(), id.clone());
    view! {
        <article class="channel" class:disabled=move || !enabled.get()
            data-testid=move || format!("channel-{}", name.get())>
            <header>
                <h2>{move || name.get()}</h2>
                <span class="kind">{kind_label(i18n, kind)}</span>
                {from_env.then(|| view! {
                    <span class="badge" title=move || t_string!(i18n, channel_from_env_hint).to_string()>
                        {t!(i18n, channel_from_env)}
                    </span>
                })}
                {move || phone.get().map(|p| view! { <span class="number">{p}</span> })}
            </header>
            {move || {
                let (health, enabled) = state.get();
                view! { <ChannelState health enabled /> }
            }}
            <dl class="activity">
                <dt>{t!(i18n, channel_last_webhook)}</dt>
                <dd data-testid="last-webhook">{move || when(channel.with(|c| c.last_webhook_at))}</dd>
                <dt>{t!(i18n, channel_last_send)}</dt>
                <dd>{move || when(channel.with(|c| c.last_send_at))}</dd>
                <dt>{t!(i18n, channel_chats)}</dt>
                <dd>{move || channel.with(|c| c.chats)}</dd>
            </dl>
            {webhook}
            {setup}
            <div class="channel-actions">
                <ActionForm action=actions.test attr:class="inline">
                    <input type="hidden" name="channel_id" value=id_test />
                    <button type="submit" data-testid="test-channel">{t!(i18n, channel_test)}</button>
                </ActionForm>
                <ActionForm action=actions.enable attr:class="inline">
                    <input type="hidden" name="channel_id" value=id_enable />
                    <input type="hidden" name="enabled" value=move || (!enabled.get()).to_string() />
                    <button type="submit" data-testid="toggle-channel">
                        {move || if enabled.get() { t!(i18n, channel_disable).into_any() } else { t!(i18n, channel_enable).into_any() }}
                    </button>
                </ActionForm>
                <ActionForm action=actions.api_default attr:class="inline">
                    <input type="hidden" name="channel_id" value=id_default />
                    <input type="hidden" name="on" value=move || (!api_default.get()).to_string() />
                    <button type="submit" data-testid="toggle-api-default"
                        title=move || t_string!(i18n, channel_api_default_hint).to_string()>
                        {move || if api_default.get() { t!(i18n, channel_api_default_off).into_any() } else { t!(i18n, channel_api_default_on).into_any() }}
                    </button>
                </ActionForm>
                {move || api_default.get().then(|| view! { <span class="badge" data-testid="api-default">{t!(i18n, channel_api_default)}</span> })}
                {move || deletable.get().then(|| {
                    let id_delete = id_delete.clone();
                    view! {
                        <ActionForm action=actions.delete attr:class="inline">
                            <input type="hidden" name="channel_id" value=id_delete />
                            <button type="submit" class="danger">{t!(i18n, channel_delete)}</button>
                        </ActionForm>
                    }
                })}
            </div>
            {(kind == ChannelKind::Meta).then(|| view! { <ChannelTemplates channel_id /> })}
            {move || view! { <SettingsForm channel_id kind settings=settings.get() actions /> }}
            {editable.then(|| view! {
                <details class="channel-edit">
                    <summary>{t!(i18n, channel_edit)}</summary>
                    <For each=move || [form_source.with(|(n, _)| *n)] key=|n| *n children=edit />
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
