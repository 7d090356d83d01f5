//! The composer: the reply being typed (kept per chat while the tab lives; Enter sends,
//! Shift+Enter adds a line), the message it quotes ("Replying to", Escape drops it), and a
//! file (the picker, drag-and-drop anywhere on the composer, or a paste), checked against the
//! channel's rules before upload, with a preview and the upload's progress; the text then goes
//! as the file's caption. On channels with buttons, "Options" adds up to 3 reply buttons or a
//! list of up to 10 rows under the text.

use super::{drafts, typing, LiveChat};
use crate::api::chats::{SendOptions as SendOptionsFn, SendReply};
use crate::components::error_text::ErrorText;
use crate::components::upload::{text_placeholder, upload, Picked};
use crate::i18n::*;
use crate::model::{ChatId, ChoiceView, MessageView, OptionsForm, SendOptions};
use crate::AppError;
use leptos::prelude::*;

/// The most options the panel offers: a list's rows (buttons stop at 3).
const MAX_OPTIONS: usize = 10;
const MAX_BUTTONS: usize = 3;

/// The quote line of a message: its text, or what it carries.
pub fn quote_text(m: &MessageView) -> String {
    let text = m
        .body
        .clone()
        .or_else(|| m.media.as_ref().and_then(|f| f.filename.clone()))
        .unwrap_or_else(|| format!("[{}]", m.kind));
    text.chars().take(120).collect()
}

#[component]
pub fn Composer(
    chat_id: ChatId,
    live: LiveChat,
    /// What the chat's channel can send besides text.
    sending: RwSignal<SendOptions>,
    /// The message the reply quotes, chosen on its bubble.
    replying: RwSignal<Option<MessageView>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let reply = ServerAction::<SendReply>::new();
    let text = RwSignal::new(drafts::get(chat_id));
    let typing = typing::TypingSignal::new(chat_id);
    let file = RwSignal::new(None::<Picked>);
    let progress = RwSignal::new(None::<f64>);
    let error = RwSignal::new(None::<AppError>);
    // The options panel: buttons, or a list (with its button's text and rows' descriptions).
    let options_open = RwSignal::new(false);
    let as_list = RwSignal::new(false);
    let list_button = RwSignal::new(String::new());
    let shown_options = RwSignal::new(2usize);
    // One pair of signals per slot, made once: the rows' inputs keep their focus as they change.
    let titles: [RwSignal<String>; MAX_OPTIONS] =
        std::array::from_fn(|_| RwSignal::new(String::new()));
    let descriptions: [RwSignal<String>; MAX_OPTIONS] =
        std::array::from_fn(|_| RwSignal::new(String::new()));
    let send_options = ServerAction::<SendOptionsFn>::new();
    // This agent's own reply shows at once, even before its live event arrives.
    Effect::new(move |_| match reply.value().get() {
        Some(Ok(views)) => {
            for v in views {
                live.apply(v, true);
            }
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let clear_options = move || {
        for s in titles.iter().chain(&descriptions) {
            s.set(String::new());
        }
        list_button.set(String::new());
        shown_options.set(2);
        options_open.set(false);
    };
    let choose = move |picked: Option<Picked>| {
        let Some(picked) = picked else { return };
        match picked.check(&sending.get_untracked()) {
            Ok(()) => {
                error.set(None);
                if let Some(old) = file.get_untracked() {
                    old.release();
                }
                file.set(Some(picked));
            }
            Err(e) => {
                picked.release();
                error.set(Some(e));
            }
        }
    };
    let clear_file = move || {
        if let Some(old) = file.get_untracked() {
            old.release();
        }
        file.set(None);
    };
    let sent = move || {
        typing.sent();
        text.set(String::new());
        drafts::set(chat_id, "");
        replying.set(None);
    };
    // Options are kept (with the text) until the server took them: a refusal names what to fix.
    Effect::new(move |_| match send_options.value().get() {
        Some(Ok(view)) => {
            live.apply(view, true);
            clear_options();
            sent();
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let send = move || {
        if progress.get_untracked().is_some() {
            return;
        }
        let body = text.get_untracked();
        let reply_to = replying.get_untracked().map(|m| m.message_id);
        error.set(None);
        if let Some(picked) = file.get_untracked() {
            let mut fields = vec![("caption", body)];
            if let Some(id) = reply_to {
                fields.push(("reply_to", id.0.to_string()));
            }
            progress.set(Some(0.0));
            upload::<Vec<MessageView>>(
                &format!("/chats/{}/files", chat_id.0),
                &picked,
                fields,
                move |share| progress.set(Some(share)),
                move |answer| {
                    progress.set(None);
                    match answer {
                        Ok(views) => {
                            for v in views {
                                live.apply(v, true);
                            }
                            clear_file();
                            sent();
                        }
                        Err(e) => error.set(Some(e)),
                    }
                },
            );
            return;
        }
        if options_open.get_untracked() {
            let count = shown_options.get_untracked();
            let options: Vec<ChoiceView> = titles[..count]
                .iter()
                .zip(&descriptions[..count])
                .map(|(t, d)| (t.get_untracked(), d.get_untracked()))
                .filter(|(t, _)| !t.trim().is_empty())
                .map(|(title, d)| ChoiceView {
                    title,
                    description: (as_list.get_untracked() && !d.trim().is_empty()).then_some(d),
                })
                .collect();
            if !options.is_empty() {
                // Limits are checked by the server, which names what is wrong.
                send_options.dispatch(SendOptionsFn {
                    chat_id,
                    options: OptionsForm {
                        body,
                        button: as_list.get_untracked().then(|| list_button.get_untracked()),
                        options,
                    },
                    reply_to,
                });
                return;
            }
        }
        if body.trim().is_empty() {
            return;
        }
        reply.dispatch(SendReply {
            chat_id,
            text: body,
            reply_to,
        });
        sent();
    };
    let pick_input = NodeRef::<leptos::html::Input>::new();
    // Files only come from the browser's events.
    #[cfg(not(feature = "hydrate"))]
    let _ = choose;
    let can_attach = move || !sending.with(|s| s.files.is_empty());
    let file_preview = move || {
        file.get().map(|picked| {
            let name = picked.name.clone();
            let size = picked.size_text();
            view! {
                <div class="composer-file" data-testid="composer-file">
                    {picked.preview.clone().map(|src| view! { <img class="file-preview" src=src alt=name.clone() /> })}
                    <span class="file-name">{picked.name.clone()}</span>
                    <span class="file-size">{size}</span>
                    {move || progress.get().map(|share| view! {
                        <progress data-testid="upload-progress" max="1" value=share></progress>
                    })}
                    <button type="button" class="remove" data-testid="composer-file-remove"
                        title=move || t_string!(i18n, remove_file).to_string()
                        disabled=move || progress.get().is_some()
                        on:click=move |_| clear_file()>"✕"</button>
                </div>
            }
        })
    };
    let can_offer = move || sending.with(|s| s.interactive) && file.with(Option::is_none);
    let option_rows = titles
        .iter()
        .zip(&descriptions)
        .enumerate()
        .map(|(i, (&title, &description))| {
            // (A comparison inside `view!` would read as the tag's end.)
            let unused = move || shown_options.get() <= i;
            view! {
                <li class="option-row" hidden=unused>
                    <input data-testid="option-title" maxlength="24"
                        placeholder=move || t_string!(i18n, option_title, n = i + 1).to_string()
                        prop:value=move || title.get()
                        on:input=move |ev| title.set(event_target_value(&ev)) />
                    <input data-testid="option-description" maxlength="72" hidden=move || !as_list.get()
                        placeholder=move || t_string!(i18n, option_description).to_string()
                        prop:value=move || description.get()
                        on:input=move |ev| description.set(event_target_value(&ev)) />
                </li>
            }
        })
        .collect_view();
    let full = move || {
        let max = if as_list.get() {
            MAX_OPTIONS
        } else {
            MAX_BUTTONS
        };
        shown_options.get() >= max
    };
    let options_panel = view! {
        <div class="composer-options" data-testid="composer-options" hidden=move || !options_open.get()>
            <div class="options-kind">
                <label><input type="radio" name="options-kind" data-testid="options-buttons" prop:checked=move || !as_list.get()
                    on:change=move |_| {
                        as_list.set(false);
                        shown_options.update(|n| *n = (*n).min(MAX_BUTTONS));
                    } />{t!(i18n, options_buttons)}</label>
                <label><input type="radio" name="options-kind" data-testid="options-list" prop:checked=move || as_list.get()
                    on:change=move |_| as_list.set(true) />{t!(i18n, options_list)}</label>
                <input data-testid="options-list-button" maxlength="20" hidden=move || !as_list.get()
                    placeholder=move || t_string!(i18n, options_list_button).to_string()
                    prop:value=move || list_button.get()
                    on:input=move |ev| list_button.set(event_target_value(&ev)) />
            </div>
            <ol class="option-rows">{option_rows}</ol>
            <button type="button" data-testid="option-add"
                disabled=full
                on:click=move |_| shown_options.update(|n| *n = (*n + 1).min(MAX_OPTIONS))>
                {t!(i18n, option_add)}
            </button>
            <span class="hint">{move || if as_list.get() { t_string!(i18n, options_list_hint).to_string() } else { t_string!(i18n, options_buttons_hint).to_string() }}</span>
        </div>
    };
    let quoting = move || {
        replying.get().map(|m| {
            view! {
                <div class="composer-quote" data-testid="composer-quote">
                    <span class="label">{t!(i18n, replying_to)}</span>
                    <span class="quote-text">{quote_text(&m)}</span>
                    <button type="button" class="remove" data-testid="composer-quote-remove"
                        on:click=move |_| replying.set(None)>"✕"</button>
                </div>
            }
        })
    };
    view! {
        {move || error.get().map(|e| view! { <ErrorText error=e /> })}
        <form
            class="composer"
            on:submit=move |ev| { ev.prevent_default(); send(); }
            on:dragover=move |ev| { if can_attach() { ev.prevent_default(); } }
            on:drop=move |ev| {
                if !can_attach() { return; }
                ev.prevent_default();
                #[cfg(feature = "hydrate")]
                choose(Picked::first(ev.data_transfer().and_then(|d| d.files())));
                #[cfg(not(feature = "hydrate"))]
                let _ = ev;
            }
        >
            {quoting}
            {file_preview}
            {options_panel}
            <div class="composer-row">
                {move || can_offer().then(|| view! {
                    <button type="button" class="offer" data-testid="options-toggle"
                        class:active=move || options_open.get()
                        title=move || t_string!(i18n, options_toggle).to_string()
                        on:click=move |_| options_open.update(|o| *o = !*o)>"☰"</button>
                })}
                {move || can_attach().then(|| view! {
                    <label class="attach" title=move || t_string!(i18n, attach_file).to_string()>
                        "📎"
                        <input
                            type="file"
                            data-testid="attach"
                            node_ref=pick_input
                            accept=move || sending.with(|s| s.accept())
                            on:change=move |_ev| {
                                #[cfg(feature = "hydrate")]
                                if let Some(input) = pick_input.get_untracked() {
                                    choose(Picked::first(input.files()));
                                    input.set_value("");
                                }
                            }
                        />
                    </label>
                })}
                <textarea
                    rows="2"
                    data-testid="composer"
                    placeholder=move || text_placeholder(i18n, file.with(Option::is_some))
                    prop:value=move || text.get()
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        drafts::set(chat_id, &value);
                        if !value.trim().is_empty() {
                            typing.key();
                        }
                        text.set(value);
                    }
                    on:paste=move |ev| {
                        #[cfg(feature = "hydrate")]
                        if can_attach() {
                            if let Some(picked) = Picked::first(ev.clipboard_data().and_then(|d| d.files())) {
                                ev.prevent_default();
                                choose(Some(picked));
                            }
                        }
                        #[cfg(not(feature = "hydrate"))]
                        let _ = ev;
                    }
                    on:keydown=move |ev| {
                        // Enter sends; Shift+Enter starts a new line; Escape drops the quote.
                        if ev.key() == "Enter" && !ev.shift_key() {
                            ev.prevent_default();
                            send();
                        } else if ev.key() == "Escape" {
                            replying.set(None);
                        }
                    }
                ></textarea>
                <button type="submit" class="primary" data-testid="send"
                    disabled=move || progress.get().is_some()>{t!(i18n, send)}</button>
            </div>
        </form>
    }
}
