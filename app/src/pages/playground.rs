//! `/admin/playground` (admins only): try the API without writing code. Pick a key and a
//! channel, enter a number (shown normalised as it is typed), send a text, a photo or a
//! document (a file, or base64 as the gateways take it), or buttons or a list; see the answer,
//! the exact `curl` for the same call (with the key's prefix), and a log of the latest API
//! sends whose states follow live.

use crate::api::api_keys::list_api_keys;
use crate::api::chats::chat_channels;
use crate::api::playground::{playground_log, playground_send};
use crate::components::error_text::ErrorText;
use crate::i18n::*;
use crate::live::{use_live_events, Live};
use crate::model::{ApiSendView, LiveEvent, PlaygroundRequest};
use leptos::prelude::*;

/// The kinds the playground sends.
const KINDS: [&str; 5] = ["text", "image", "document", "buttons", "list"];

/// The `POST /api/v1/messages` body the form stands for (a file's base64 cut short).
fn request_body(s: &PlaygroundRequest, channel: &str) -> serde_json::Value {
    let mut body = serde_json::json!({ "to": s.to, "channel": channel });
    match s.kind.as_str() {
        "image" | "document" => {
            let data = s.file_base64.as_deref().unwrap_or_default();
            let short = match data.len() > 40 {
                true => format!("{}…", &data[..40]),
                false => data.to_owned(),
            };
            body["type"] = s.kind.clone().into();
            body["media"] =
                serde_json::json!({ "base64": short, "filename": s.file_name, "caption": s.text });
        }
        "buttons" | "list" => {
            let rows: Vec<_> = s
                .options
                .iter()
                .filter(|o| !o.trim().is_empty())
                .map(|o| serde_json::json!({ "id": o.trim(), "title": o.trim() }))
                .collect();
            body["type"] = "interactive".into();
            body["interactive"] = if s.kind == "list" {
                serde_json::json!({ "body": s.text, "list": { "button": s.list_button.clone().unwrap_or_else(|| "Pilih".into()), "sections": [{ "rows": rows }] } })
            } else {
                serde_json::json!({ "body": s.text, "buttons": rows })
            };
        }
        _ => body["text"] = s.text.clone().into(),
    }
    body
}

/// The same call as a `curl` command, the key shown by its prefix.
fn curl(origin: &str, prefix: &str, body: &serde_json::Value) -> String {
    format!(
        "curl -X POST '{origin}/api/v1/messages' \\\n  -H 'X-API-KEY: {prefix}…' \\\n  -H 'Content-Type: application/json' \\\n  -H 'Idempotency-Key: <a unique id>' \\\n  -d '{}'",
        body.to_string().replace('\'', "'\\''")
    )
}

#[component]
pub fn PlaygroundPage() -> impl IntoView {
    let i18n = use_i18n();
    let keys = LocalResource::new(list_api_keys);
    let channels = LocalResource::new(chat_channels);
    let form = RwSignal::new(PlaygroundRequest {
        kind: "text".into(),
        ..Default::default()
    });
    let options_text = RwSignal::new(String::new());
    let send = Action::new(move |s: &PlaygroundRequest| playground_send(s.clone()));
    let log = RwSignal::new(Vec::<ApiSendView>::new());
    let reload = Action::new(move |_: &()| async move {
        if let Ok(rows) = playground_log().await {
            log.set(rows);
        }
    });
    // The log, in the browser: at first, and after each send.
    Effect::new(move |_| {
        send.version().get();
        reload.dispatch(());
    });
    use_live_events(
        || Some("/api/events".to_string()),
        move |live| match live {
            Live::Event(LiveEvent::MessageUpdated(m))
            | Live::Event(LiveEvent::MessageCreated(m)) => log.update(|rows| {
                for r in rows.iter_mut().filter(|r| r.message_id == m.message_id) {
                    r.status = m.status;
                    r.error_reason = m.error_reason.clone();
                }
            }),
            Live::Reload => {
                reload.dispatch(());
            }
            _ => {}
        },
    );
    let key_prefix = move || {
        let id = form.with(|f| f.api_key_id);
        keys.get()
            .and_then(Result::ok)
            .and_then(|ks| ks.into_iter().find(|k| k.api_key_id == id))
            .map(|k| k.prefix)
            .unwrap_or_else(|| "ik_".into())
    };
    let channel_name = move || {
        let id = form.with(|f| f.channel_id);
        channels
            .get()
            .and_then(Result::ok)
            .and_then(|cs| cs.into_iter().find(|c| c.channel_id.0 == id))
            .map(|c| c.name)
            .unwrap_or_default()
    };
    let origin = move || {
        #[cfg(feature = "hydrate")]
        {
            web_sys::window()
                .and_then(|w| w.location().origin().ok())
                .unwrap_or_default()
        }
        #[cfg(not(feature = "hydrate"))]
        String::new()
    };
    let command = move || {
        let f = form.get();
        curl(&origin(), &key_prefix(), &request_body(&f, &channel_name()))
    };
    let normalised = move || {
        let to = form.with(|f| f.to.clone());
        match (
            to.trim().is_empty(),
            crate::model::phone::normalize_phone(&to),
        ) {
            (true, _) => String::new(),
            (false, Some(n)) => format!("→ {n}"),
            (false, None) => t_string!(i18n, playground_not_a_number).to_string(),
        }
    };
    let on_file = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::closure::Closure;
            use wasm_bindgen::JsCast;
            let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            let (name, kind) = (file.name(), file.type_());
            let Ok(reader) = web_sys::FileReader::new() else {
                return;
            };
            let read = reader.clone();
            let done = Closure::<dyn Fn()>::new(move || {
                if let Some(url) = read.result().ok().and_then(|r| r.as_string()) {
                    form.update(|f| {
                        f.file_base64 = Some(url.clone());
                        f.file_name = Some(name.clone());
                        f.file_type = Some(kind.clone());
                    });
                }
            });
            reader.set_onload(Some(done.as_ref().unchecked_ref()));
            done.forget();
            let _ = reader.read_as_data_url(&file);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    Effect::new(move |_| {
        // The first key and channel once they are known.
        if let Some(Ok(ks)) = keys.get() {
            if let Some(k) = ks.iter().find(|k| k.revoked_at.is_none()) {
                form.update(|f| {
                    if f.api_key_id == 0 {
                        f.api_key_id = k.api_key_id
                    }
                });
            }
        }
        if let Some(Ok(cs)) = channels.get() {
            if let Some(c) = cs.iter().find(|c| c.enabled) {
                form.update(|f| {
                    if f.channel_id == 0 {
                        f.channel_id = c.channel_id.0
                    }
                });
            }
        }
    });
    // The parts are drawn apart and erased (a view this deep overflows the compiler's query
    // depth in the release build).
    let form_view = view! {
                <form class="playground-form" on:submit=move |ev| {
                    ev.prevent_default();
                    let mut s = form.get_untracked();
                    s.options = options_text.get_untracked().lines().map(str::to_owned).collect();
                    send.dispatch(s);
                }>
                    <label>{t!(i18n, playground_key)}
                        <select data-testid="pg-key" on:change=move |ev| {
                            let v = event_target_value(&ev).parse().unwrap_or_default();
                            form.update(|f| f.api_key_id = v);
                        }>
                            {move || keys.get().and_then(Result::ok).unwrap_or_default().into_iter()
                                .filter(|k| k.revoked_at.is_none())
                                .map(|k| view! { <option value=k.api_key_id.to_string() selected=move || form.with(|f| f.api_key_id == k.api_key_id)>{format!("{} ({}…)", k.name, k.prefix)}</option> })
                                .collect_view()}
                        </select>
                    </label>
                    <label>{t!(i18n, playground_channel)}
                        <select data-testid="pg-channel" on:change=move |ev| {
                            let v = event_target_value(&ev).parse().unwrap_or_default();
                            form.update(|f| f.channel_id = v);
                        }>
                            {move || channels.get().and_then(Result::ok).unwrap_or_default().into_iter()
                                .map(|c| { let id = c.channel_id.0; view! { <option value=id.to_string() selected=move || form.with(|f| f.channel_id == id)>{c.name}</option> } })
                                .collect_view()}
                        </select>
                    </label>
                    <label>{t!(i18n, playground_to)}
                        <input data-testid="pg-to" placeholder="0812 3456 7890" prop:value=move || form.with(|f| f.to.clone())
                            on:input=move |ev| form.update(|f| f.to = event_target_value(&ev)) />
                        <span class="muted" data-testid="pg-normalised">{normalised}</span>
                    </label>
                    <fieldset class="kinds">
                        {KINDS.into_iter().map(|k| view! {
                            <label><input type="radio" name="pg-kind" value=k data-testid=format!("pg-kind-{k}")
                                prop:checked=move || form.with(|f| f.kind == k)
                                on:change=move |_| form.update(|f| f.kind = k.to_owned()) /> {k}</label>
                        }).collect_view()}
                    </fieldset>
                    <label>{t!(i18n, playground_text)}
                        <textarea data-testid="pg-text" prop:value=move || form.with(|f| f.text.clone())
                            on:input=move |ev| form.update(|f| f.text = event_target_value(&ev))></textarea>
                    </label>
                    <Show when=move || form.with(|f| f.kind == "image" || f.kind == "document")>
                        <label>{t!(i18n, playground_file)}
                            <input type="file" data-testid="pg-file" on:change=on_file />
                        </label>
                        <label>{t!(i18n, playground_base64)}
                            <textarea data-testid="pg-base64" prop:value=move || form.with(|f| f.file_base64.clone().unwrap_or_default())
                                on:input=move |ev| form.update(|f| f.file_base64 = Some(event_target_value(&ev)))></textarea>
                        </label>
                    </Show>
                    <Show when=move || form.with(|f| f.kind == "buttons" || f.kind == "list")>
                        <label>{t!(i18n, playground_options)}
                            <textarea data-testid="pg-options" prop:value=move || options_text.get()
                                on:input=move |ev| options_text.set(event_target_value(&ev))></textarea>
                        </label>
                        <Show when=move || form.with(|f| f.kind == "list")>
                            <label>{t!(i18n, playground_list_button)}
                                <input on:input=move |ev| form.update(|f| f.list_button = Some(event_target_value(&ev))) />
                            </label>
                        </Show>
                    </Show>
                    <button type="submit" class="primary" data-testid="pg-send" disabled=move || send.pending().get()>
                        {t!(i18n, playground_send)}
                    </button>
                    {move || send.value().get().map(|r| match r {
                        Ok(res) => view! { <pre class="answer" data-testid="pg-answer">{res.answer}</pre> }.into_any(),
                        Err(e) => view! { <ErrorText error=e /> }.into_any(),
                    })}
                </form>
    }
    .into_any();
    let curl_view = view! {
                <aside class="playground-curl">
                    <h2>{t!(i18n, playground_curl)}</h2>
                    <pre data-testid="pg-curl">{command}</pre>
                </aside>
    }
    .into_any();
    let log_view = view! {
            <table class="playground-log">
                <thead><tr>
                    <th>{t!(i18n, playground_col_time)}</th><th>{t!(i18n, playground_key)}</th>
                    <th>{t!(i18n, playground_to)}</th><th>{t!(i18n, playground_col_what)}</th>
                    <th>{t!(i18n, playground_col_status)}</th>
                </tr></thead>
                <tbody>
                    <For each=move || log.get() key=|r| (r.message_id, r.status) let:r>
                        <tr data-testid="pg-log-row" data-kind=r.kind.as_str() data-status=r.status.as_str()>
                            <td>{crate::components::message::short_time(r.sent_at)}</td>
                            <td>{r.key_name.clone()}</td>
                            <td>{r.to.clone()}</td>
                            <td>{r.kind.as_str()} " " {r.body.clone()}</td>
                            <td>{r.status.as_str()} {r.error_reason.clone().map(|e| format!(" — {e}"))}</td>
                        </tr>
                    </For>
                </tbody>
            </table>
    }
    .into_any();
    view! {
        <section class="playground" data-testid="playground-page">
            <h1>{t!(i18n, playground_title)}</h1>
            <p class="hint">{t!(i18n, playground_hint)}</p>
            {move || {
                let none = keys
                    .get()
                    .and_then(Result::ok)
                    .is_some_and(|ks| ks.iter().all(|k| k.revoked_at.is_some()));
                none.then(|| view! {
                    <p class="notice" data-testid="pg-no-key">
                        <a href="/admin/api-keys">{t!(i18n, playground_no_key)}</a>
                    </p>
                })
            }}
            <div class="playground-grid">
                {form_view}
                {curl_view}
            </div>
            <h2>{t!(i18n, playground_log)}</h2>
            {log_view}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_curl_is_the_api_call_the_form_stands_for() {
        let s = PlaygroundRequest {
            to: "0812 3456 7890".into(),
            kind: "buttons".into(),
            text: "Pilih".into(),
            options: vec!["Ya".into(), "Tidak".into(), " ".into()],
            ..Default::default()
        };
        let body = request_body(&s, "CS Jakarta");
        assert_eq!(body["type"], "interactive");
        assert_eq!(body["interactive"]["buttons"][1]["title"], "Tidak");
        assert_eq!(body["interactive"]["buttons"].as_array().unwrap().len(), 2);
        let c = curl("https://inbox.example.com", "ik_3f9a1c0d", &body);
        assert!(c.starts_with("curl -X POST 'https://inbox.example.com/api/v1/messages'"));
        assert!(c.contains("X-API-KEY: ik_3f9a1c0d…"));
    }
}
