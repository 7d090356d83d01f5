//! `/admin/bot` (admins only): the global switch, fallback, business hours with out-of-office
//! text, handover keywords, and the keyword rules.

use crate::api::bot::{bot_settings, DeleteBotRule, SaveBotRule, SaveBotSettings};
use crate::components::error_text::ErrorText;
use crate::i18n::*;
use crate::model::{BotForm, BotRuleView};
use leptos::prelude::*;

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

#[component]
pub fn BotPage() -> impl IntoView {
    let i18n = use_i18n();
    let save_settings = ServerAction::<SaveBotSettings>::new();
    let save_rule = ServerAction::<SaveBotRule>::new();
    let delete_rule = ServerAction::<DeleteBotRule>::new();
    let data = Resource::new(
        move || {
            (
                save_settings.version().get(),
                save_rule.version().get(),
                delete_rule.version().get(),
            )
        },
        |_| bot_settings(),
    );
    let error = move || {
        [
            save_settings.value().get().and_then(Result::err),
            save_rule.value().get().and_then(Result::err),
            delete_rule.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
    };
    let saved = move || save_settings.value().get().is_some_and(|r| r.is_ok());
    view! {
        <section class="bot-page" data-testid="bot-page">
            <h1>{t!(i18n, bot_title)}</h1>
            {move || error().map(|e| view! { <ErrorText error=e /> })}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(form) => view! {
                            <SettingsForm form=form.clone() action=save_settings saved />
                            <h2>{t!(i18n, bot_rules)}</h2>
                            <p class="hint">{t!(i18n, bot_rules_hint)}</p>
                            <ul class="rules" data-testid="rules">
                                {form.rules.into_iter().map(|r| view! { <RuleForm rule=r save=save_rule delete=delete_rule /> }).collect_view()}
                            </ul>
                            <h3>{t!(i18n, bot_new_rule)}</h3>
                            <RuleForm rule=BotRuleView { id: 0, keyword: String::new(), match_type: "contains".into(), reply: String::new(), enabled: true, buttons: Vec::new() } save=save_rule delete=delete_rule />
                        }.into_any(),
                        Err(e) => view! { <ErrorText error=e /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn SettingsForm(
    form: BotForm,
    action: ServerAction<SaveBotSettings>,
    saved: impl Fn() -> bool + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let day_label = move |i: usize| match i {
        0 => t_string!(i18n, day_mon).to_string(),
        1 => t_string!(i18n, day_tue).to_string(),
        2 => t_string!(i18n, day_wed).to_string(),
        3 => t_string!(i18n, day_thu).to_string(),
        4 => t_string!(i18n, day_fri).to_string(),
        5 => t_string!(i18n, day_sat).to_string(),
        _ => t_string!(i18n, day_sun).to_string(),
    };
    view! {
        <ActionForm action attr:class="bot-settings">
            <label class="check">
                <input type="checkbox" name="enabled" checked=form.enabled data-testid="bot-enabled" />
                {t!(i18n, bot_enabled)}
            </label>
            <label>{t!(i18n, bot_fallback)}<textarea name="fallback_reply" rows="2">{form.fallback_reply.clone()}</textarea></label>
            <fieldset>
                <legend>{t!(i18n, bot_hours)}</legend>
                <label class="check">
                    <input type="checkbox" name="hours_enabled" checked=form.hours_enabled />
                    {t!(i18n, bot_hours_enabled)}
                </label>
                <label>{t!(i18n, bot_time_zone)}<input name="time_zone" value=form.time_zone.clone() /></label>
                <table class="hours">
                    <tbody>
                        {form.days.iter().enumerate().map(|(i, (open, close))| view! {
                            <tr>
                                <th>{day_label(i)}</th>
                                <td><input type="time" name=format!("{}_open", DAYS[i]) value=open.clone() /></td>
                                <td><input type="time" name=format!("{}_close", DAYS[i]) value=close.clone() /></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <p class="hint">{t!(i18n, bot_hours_hint)}</p>
                <label>{t!(i18n, bot_out_of_office)}<textarea name="out_of_office_reply" rows="2">{form.out_of_office_reply.clone()}</textarea></label>
            </fieldset>
            <label>{t!(i18n, bot_handover_keywords)}<input name="handover_keywords" value=form.handover_keywords.clone() /></label>
            <label>{t!(i18n, bot_handover_reply)}<textarea name="handover_reply" rows="2">{form.handover_reply.clone()}</textarea></label>
            <button type="submit" class="primary" data-testid="bot-save">{t!(i18n, users_save)}</button>
            <Show when=saved><span class="notice">{t!(i18n, saved)}</span></Show>
        </ActionForm>
    }
}

#[component]
fn RuleForm(
    rule: BotRuleView,
    save: ServerAction<SaveBotRule>,
    delete: ServerAction<DeleteBotRule>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = rule.id;
    let exact = rule.match_type == "exact";
    view! {
        <li class="rule" data-testid="rule">
            <ActionForm action=save attr:class="inline">
                {(id != 0).then(|| view! { <input type="hidden" name="id" value=id.to_string() /> })}
                <input name="keyword" value=rule.keyword.clone() required placeholder=move || t_string!(i18n, bot_keyword).to_string() />
                <select name="match_type">
                    <option value="contains" selected=!exact>{t!(i18n, bot_contains)}</option>
                    <option value="exact" selected=exact>{t!(i18n, bot_exact)}</option>
                </select>
                <textarea name="reply" rows="2" required placeholder=move || t_string!(i18n, bot_reply).to_string()>{rule.reply.clone()}</textarea>
                <textarea name="buttons" rows="2" data-testid="rule-buttons" title=move || t_string!(i18n, bot_buttons_hint).to_string() placeholder=move || t_string!(i18n, bot_buttons).to_string()>{rule.buttons.join("\n")}</textarea>
                <label class="check"><input type="checkbox" name="enabled" checked=rule.enabled />{t!(i18n, bot_rule_enabled)}</label>
                <button type="submit">{if id == 0 { t!(i18n, users_create).into_any() } else { t!(i18n, users_save).into_any() }}</button>
            </ActionForm>
            {(id != 0).then(|| view! {
                <button type="button" class="danger" on:click=move |_| { delete.dispatch(DeleteBotRule { id }); }>{t!(i18n, delete)}</button>
            })}
        </li>
    }
}
