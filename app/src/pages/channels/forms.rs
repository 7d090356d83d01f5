//! The forms on a channel's card: its behaviour switches, and adding or editing a channel of
//! each kind (secrets write-only: a saved one shows only that it is set).

use super::Actions;
use crate::i18n::*;
use crate::model::{
    ChannelConfig, ChannelId, ChannelKind, ChannelSettings, ChannelView, SecretHint,
};
use leptos::prelude::*;

/// The channel's behaviour switches: read receipts, typing, the bot, its reply delay. Editable
/// on every channel, also those from the environment (they are not part of its description).
/// Drawn from `settings` as saved: the card draws it anew when they change.
#[component]
pub(super) fn SettingsForm(
    channel_id: ChannelId,
    kind: ChannelKind,
    settings: ChannelSettings,
    actions: Actions,
) -> impl IntoView {
    let i18n = use_i18n();
    let s = settings;
    let meta_note = (kind == ChannelKind::Meta)
        .then(|| view! { <small class="hint">{t!(i18n, setting_typing_meta_note)}</small> });
    view! {
        <fieldset class="channel-settings" data-testid="channel-settings">
            <legend>{t!(i18n, channel_settings)}</legend>
            <ActionForm action=actions.settings attr:class="stacked">
                <input type="hidden" name="channel_id" value=channel_id.to_string() />
                <label class="check">
                    <input type="checkbox" name="read_receipts" value="true" checked=s.read_receipts data-testid="setting-read-receipts" />
                    {t!(i18n, setting_read_receipts)}
                </label>
                <label class="check">
                    <input type="checkbox" name="typing" value="true" checked=s.typing data-testid="setting-typing" />
                    {t!(i18n, setting_typing)}
                </label>
                {meta_note}
                <label class="check">
                    <input type="checkbox" name="bot" value="true" checked=s.bot data-testid="setting-bot" />
                    {t!(i18n, setting_bot)}
                </label>
                <label>
                    {t!(i18n, setting_reply_delay)}
                    <input type="number" name="reply_delay_secs" min="0" max=crate::model::MAX_REPLY_DELAY_SECS.to_string() step="1" required
                        value=s.reply_delay_secs.to_string() data-testid="setting-reply-delay" />
                </label>
                <button type="submit" data-testid="save-settings">{t!(i18n, settings_save)}</button>
            </ActionForm>
        </fieldset>
    }
}

/// What every edit form starts from: the channel's id, name and secret hints (empty for a new
/// channel).
fn form_basics(channel: Option<&ChannelView>) -> (String, String, Vec<SecretHint>) {
    match channel {
        Some(c) => (c.channel_id.to_string(), c.name.clone(), c.secrets.clone()),
        None => Default::default(),
    }
}

fn hint_of(secrets: &[SecretHint], field: &str) -> Option<Option<String>> {
    secrets
        .iter()
        .find(|s| s.field == field)
        .map(|s| s.last4.clone())
}

/// "set, ending in …abcd" beside a secret field of a saved channel.
#[component]
fn SecretState(hint: Option<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    hint.map(|last4| {
        let text = match last4 {
            Some(l) => t_string!(i18n, channel_secret_set, last4 = l).to_string(),
            None => t_string!(i18n, channel_secret_set_short).to_string(),
        };
        view! { <small class="secret-state">{text}</small> }
    })
}

#[component]
pub(super) fn MetaForm(channel: Option<ChannelView>, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let (id, name, secrets) = form_basics(channel.as_ref());
    let (number, account, graph) = match channel.as_ref().and_then(|c| c.config.clone()) {
        Some(ChannelConfig::Meta {
            phone_number_id,
            business_account_id,
            graph_url,
            ..
        }) => (phone_number_id, business_account_id, graph_url),
        _ => Default::default(),
    };
    let saved = channel.is_some();
    view! {
        <ActionForm action=actions.save attr:class="channel-form">
            <input type="hidden" name="channel_id" value=id />
            <input type="hidden" name="kind" value="meta" />
            <label>{t!(i18n, field_channel_name)}<input name="name" required maxlength="60" value=name /></label>
            <label>{t!(i18n, field_phone_number_id)}
                <input name="phone_number_id" required inputmode="numeric" value=number readonly=saved />
            </label>
            <label>{t!(i18n, field_business_account_id)}<input name="business_account_id" value=account /></label>
            <label>{t!(i18n, field_graph_url)}<input name="graph_url" type="url" value=graph /></label>
            <label>{t!(i18n, field_access_token)}
                <input name="access_token" type="password" autocomplete="off" required=!saved />
                <SecretState hint=hint_of(&secrets, "access_token") />
            </label>
            <label>{t!(i18n, field_app_secret)}
                <input name="app_secret" type="password" autocomplete="off" required=!saved />
                <SecretState hint=hint_of(&secrets, "app_secret") />
            </label>
            {saved.then(|| view! { <p class="hint">{t!(i18n, channel_secret_replace)}</p> })}
            // The other kinds' fields, empty.
            <input type="hidden" name="base_url" value="" />
            <input type="hidden" name="token" value="" />
            <button type="submit" class="primary" data-testid="save-channel">{t!(i18n, channel_save)}</button>
        </ActionForm>
    }
}

#[component]
pub(super) fn WhapiForm(channel: Option<ChannelView>, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let (id, name, secrets) = form_basics(channel.as_ref());
    let base = match channel.as_ref().and_then(|c| c.config.clone()) {
        Some(ChannelConfig::Whapi { base_url }) => base_url,
        _ => String::new(),
    };
    let saved = channel.is_some();
    view! {
        <ActionForm action=actions.save attr:class="channel-form">
            <input type="hidden" name="channel_id" value=id />
            <input type="hidden" name="kind" value="whapi" />
            <label>{t!(i18n, field_channel_name)}<input name="name" required maxlength="60" value=name data-testid="whapi-name" /></label>
            <label>{t!(i18n, field_base_url)}<input name="base_url" type="url" value=base data-testid="whapi-base-url" /></label>
            <label>{t!(i18n, field_whapi_token)}
                <input name="token" type="password" autocomplete="off" required=!saved data-testid="whapi-token" />
                <SecretState hint=hint_of(&secrets, "token") />
            </label>
            {saved.then(|| view! { <p class="hint">{t!(i18n, channel_secret_replace)}</p> })}
            <input type="hidden" name="phone_number_id" value="" />
            <input type="hidden" name="business_account_id" value="" />
            <input type="hidden" name="graph_url" value="" />
            <input type="hidden" name="access_token" value="" />
            <input type="hidden" name="app_secret" value="" />
            <button type="submit" class="primary" data-testid="save-whapi">{t!(i18n, channel_save)}</button>
        </ActionForm>
    }
}
