//! Past Meta's 24-hour window the composer is a template picker: the chat's channel's approved
//! templates, a field for each variable (Meta's example as its placeholder), the text exactly
//! as the customer will read it (rendered by the server, which stores the same text), and Send.
//! An empty variable is refused before sending, by name.

use super::LiveChat;
use crate::api::templates::{chat_templates, template_preview, SendTemplate};
use crate::components::error_text::ErrorText;
use crate::i18n::*;
use crate::model::{ChatId, Reason, TemplateView};
use crate::AppError;
use leptos::prelude::*;

#[component]
pub fn TemplatePicker(chat_id: ChatId, live: LiveChat) -> impl IntoView {
    let i18n = use_i18n();
    // Fetched once the page runs (an action, not a resource: nothing is fetched while the
    // server renders, when the window's state is not known yet).
    let load = Action::new(move |c: &ChatId| chat_templates(*c));
    Effect::new(move |_| {
        load.dispatch(chat_id);
    });
    let templates = move || {
        load.value()
            .get()
            .and_then(Result::ok)
            .map(|l| {
                l.templates
                    .into_iter()
                    .filter(|t| t.status == "APPROVED")
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let chosen = RwSignal::new(None::<TemplateView>);
    let values = RwSignal::new(Vec::<String>::new());
    let error = RwSignal::new(None::<AppError>);
    let preview = Action::new(move |(t, v): &(TemplateView, Vec<String>)| {
        template_preview(chat_id, t.name.clone(), t.language.clone(), v.clone())
    });
    let refresh_preview = move || {
        if let Some(t) = chosen.get_untracked() {
            preview.dispatch((t, values.get_untracked()));
        }
    };
    let send = ServerAction::<SendTemplate>::new();
    Effect::new(move |_| match send.value().get() {
        Some(Ok(views)) => {
            for v in views {
                live.apply(v, true);
            }
            values.update(|v| v.iter_mut().for_each(String::clear));
            error.set(None);
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let submit = move || {
        let Some(t) = chosen.get_untracked() else {
            return;
        };
        let vals = values.get_untracked();
        // Never sent blank: the first empty variable is named.
        if let Some(empty) = t
            .variables
            .iter()
            .zip(&vals)
            .find(|(_, v)| v.trim().is_empty())
        {
            error.set(Some(AppError::invalid(
                &empty.0.label,
                Reason::TemplateValueMissing,
            )));
            return;
        }
        error.set(None);
        send.dispatch(SendTemplate {
            chat_id,
            name: t.name.clone(),
            language: t.language.clone(),
            values: vals,
        });
    };
    view! {
        <div class="template-picker" data-testid="template-picker">
            <p class="hint">{t!(i18n, templates_needed)}</p>
            {move || {
                let list = templates();
                let loaded = load.value().with(Option::is_some);
                if loaded && list.is_empty() {
                    return view! { <p class="empty" data-testid="no-templates">{t!(i18n, templates_none)}</p> }.into_any();
                }
                let options = list.clone();
                view! {
                    <select data-testid="template-select" on:change=move |ev| {
                        let key = event_target_value(&ev);
                        let t = options.iter().find(|t| format!("{}|{}", t.name, t.language) == key).cloned();
                        values.set(vec![String::new(); t.as_ref().map(|t| t.variables.len()).unwrap_or(0)]);
                        chosen.set(t);
                        error.set(None);
                        refresh_preview();
                    }>
                        <option value="">{t!(i18n, templates_choose)}</option>
                        {list.into_iter().map(|t| {
                            let key = format!("{}|{}", t.name, t.language);
                            view! { <option value=key>{format!("{} ({}, {})", t.name, t.language, t.category.to_lowercase())}</option> }
                        }).collect_view()}
                    </select>
                }.into_any()
            }}
            {move || chosen.get().map(|t| {
                let fields = t.variables.iter().enumerate().map(|(i, v)| {
                    let placeholder = v.example.clone().unwrap_or_default();
                    view! {
                        <label class="template-var">
                            <span>{v.label.clone()}</span>
                            <input data-testid="template-var" placeholder=placeholder
                                prop:value=move || values.with(|vs| vs.get(i).cloned().unwrap_or_default())
                                on:input=move |ev| {
                                    let value = event_target_value(&ev);
                                    values.update(|vs| if let Some(slot) = vs.get_mut(i) { *slot = value; });
                                    refresh_preview();
                                } />
                        </label>
                    }
                }).collect_view();
                view! {
                    <div class="template-fields">{fields}</div>
                    <div class="template-preview" data-testid="template-preview">
                        {move || match preview.value().get() {
                            Some(Ok(text)) => text.into_any(),
                            Some(Err(AppError::Invalid { field, reason: Reason::TemplateValueMissing })) => view! {
                                <span class="muted">{t_string!(i18n, templates_fill, name = field).to_string()}</span>
                            }.into_any(),
                            Some(Err(e)) => view! { <ErrorText error=e /> }.into_any(),
                            None => t.body.clone().into_any(),
                        }}
                    </div>
                    <button type="button" class="primary" data-testid="template-send"
                        disabled=move || send.pending().get()
                        on:click=move |_| submit()>{t!(i18n, templates_send)}</button>
                }
            })}
            {move || error.get().map(|e| view! { <ErrorText error=e /> })}
        </div>
    }
}
