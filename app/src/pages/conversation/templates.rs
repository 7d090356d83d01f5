//! Past Meta's 24-hour window the composer is a template picker: the chat's channel's approved
//! templates, a field for each variable (Meta's example as its placeholder), the text exactly
//! as the customer will read it (rendered by the server, which stores the same text), and Send.
//! An empty variable is refused before sending, by name. A photo, video or document header
//! takes a public link or a file the agent attaches (uploaded with the template, shown in its
//! bubble).

use super::LiveChat;
use crate::api::templates::{chat_templates, template_preview, SendTemplate};
use crate::components::error_text::ErrorText;
use crate::components::upload::{upload, Picked};
use crate::i18n::*;
use crate::model::{ChatId, MessageView, Reason, TemplateView};
use crate::AppError;
use leptos::prelude::*;

/// The picker, as a lazy chunk (`#[lazy]`): most conversations are inside the window, so its
/// code (and the template forms') is fetched only when a chat past the window is opened.
#[lazy]
pub fn picker(chat_id: ChatId, live: LiveChat) -> AnyView {
    view! { <TemplatePicker chat_id live /> }.into_any()
}

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
    // A file attached as the media header (instead of its link), and its upload's progress.
    let header_file = RwSignal::new(None::<Picked>);
    let uploading = RwSignal::new(None::<f64>);
    let pick_input = NodeRef::<leptos::html::Input>::new();
    let preview = Action::new(move |(t, v): &(TemplateView, Vec<String>)| {
        template_preview(chat_id, t.name.clone(), t.language.clone(), v.clone())
    });
    // The values sent: without the media header's when a file stands for it.
    let sent_values = move |t: &TemplateView, vals: Vec<String>| -> Vec<String> {
        if header_file.with_untracked(Option::is_none) {
            return vals;
        }
        t.variables
            .iter()
            .zip(vals)
            .filter(|(var, _)| var.key != MEDIA_KEY)
            .map(|(_, v)| v)
            .collect()
    };
    let refresh_preview = move || {
        if let Some(t) = chosen.get_untracked() {
            let vals = sent_values(&t, values.get_untracked());
            preview.dispatch((t, vals));
        }
    };
    let done = move |views: Vec<MessageView>| {
        for v in views {
            live.apply(v, true);
        }
        values.update(|v| v.iter_mut().for_each(String::clear));
        header_file.set(None);
        error.set(None);
    };
    let send = ServerAction::<SendTemplate>::new();
    Effect::new(move |_| match send.value().get() {
        Some(Ok(views)) => done(views),
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
        let vals = sent_values(&t, vals);
        if let Some(picked) = header_file.get_untracked() {
            if uploading.get_untracked().is_some() {
                return;
            }
            uploading.set(Some(0.0));
            let fields = vec![
                ("name", t.name.clone()),
                ("language", t.language.clone()),
                ("values", serde_json::to_string(&vals).unwrap_or_default()),
            ];
            upload::<Vec<MessageView>>(
                &format!("/chats/{}/template-file", chat_id.0),
                &picked,
                fields,
                move |share| uploading.set(Some(share)),
                move |answer| {
                    uploading.set(None);
                    match answer {
                        Ok(views) => done(views),
                        Err(e) => error.set(Some(e)),
                    }
                },
            );
            return;
        }
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
                        header_file.set(None);
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
                    let media = v.key == MEDIA_KEY;
                    let accept = accept_for(&v.label);
                    let has_file = move || header_file.with(Option::is_some);
                    view! {
                        <label class="template-var" hidden=move || media && has_file()>
                            <span>{v.label.clone()}</span>
                            <input data-testid="template-var" placeholder=placeholder
                                prop:value=move || values.with(|vs| vs.get(i).cloned().unwrap_or_default())
                                on:input=move |ev| {
                                    let value = event_target_value(&ev);
                                    values.update(|vs| if let Some(slot) = vs.get_mut(i) { *slot = value; });
                                    refresh_preview();
                                } />
                        </label>
                        {media.then(|| view! {
                            <div class="template-file">
                                {move || match header_file.get() {
                                    Some(p) => view! {
                                        <span data-testid="template-file-name">{format!("📎 {} ({})", p.name, p.size_text())}</span>
                                        <button type="button" data-testid="template-file-remove"
                                            on:click=move |_| {
                                                header_file.set(None);
                                                values.update(|vs| if let Some(slot) = vs.get_mut(i) { slot.clear(); });
                                                refresh_preview();
                                            }>"✕"</button>
                                    }.into_any(),
                                    None => view! {
                                        <span class="muted">{t!(i18n, templates_or)}</span>
                                        <label class="attach-inline">
                                            {t!(i18n, templates_attach)}
                                            <input type="file" data-testid="template-file" accept=accept.clone() node_ref=pick_input
                                                on:change=move |_ev| {
                                                    #[cfg(feature = "hydrate")]
                                                    if let Some(input) = pick_input.get_untracked() {
                                                        if let Some(p) = Picked::first(input.files()) {
                                                            // Stands for the link, so the check for empty values passes.
                                                            let name = p.name.clone();
                                                            values.update(|vs| if let Some(slot) = vs.get_mut(i) { *slot = name; });
                                                            header_file.set(Some(p));
                                                            refresh_preview();
                                                        }
                                                        input.set_value("");
                                                    }
                                                } />
                                        </label>
                                    }.into_any(),
                                }}
                            </div>
                        })}
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
                    {move || uploading.get().map(|share| view! {
                        <progress data-testid="upload-progress" max="1" value=share></progress>
                    })}
                    <button type="button" class="primary" data-testid="template-send"
                        disabled=move || send.pending().get() || uploading.get().is_some()
                        on:click=move |_| submit()>{t!(i18n, templates_send)}</button>
                }
            })}
            {move || error.get().map(|e| view! { <ErrorText error=e /> })}
        </div>
    }
}

/// The variable of a photo, video or document header.
const MEDIA_KEY: &str = "header.media";

/// The files a media header takes, by its label (`image URL`, `video URL`, `document URL`).
fn accept_for(label: &str) -> String {
    match label.split(' ').next() {
        Some("image") => "image/jpeg,image/png",
        Some("video") => "video/mp4,video/3gpp",
        _ => "application/pdf,application/msword,application/vnd.openxmlformats-officedocument.wordprocessingml.document,application/vnd.ms-excel,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/plain",
    }
    .to_owned()
}
