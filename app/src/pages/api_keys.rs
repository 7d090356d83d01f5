//! `/admin/api-keys` (admins only): make a key for other software (shown in full once, with a
//! copy button; afterwards only its prefix), see when each was last used, revoke one.

use crate::api::api_keys::{list_api_keys, CreateApiKey, RevokeApiKey};
use crate::api::chats::chat_channels;
use crate::components::error_text::ErrorText;
use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let keys = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_api_keys(),
    );
    let last_error = move || {
        [
            create.value().get().and_then(Result::err),
            revoke.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
    };
    let copied = RwSignal::new(false);
    let channels = LocalResource::new(chat_channels);
    let limited = RwSignal::new(Vec::<i64>::new());
    let channel_name = move |id: i64| {
        channels
            .get()
            .and_then(Result::ok)
            .and_then(|cs| cs.into_iter().find(|c| c.channel_id.0 == id))
            .map(|c| c.name)
            .unwrap_or_else(|| format!("#{id}"))
    };
    view! {
        <section class="api-keys" data-testid="api-keys-page">
            <h1>{t!(i18n, api_keys_title)}</h1>
            <p class="hint">{t!(i18n, api_keys_hint)}</p>
            {move || last_error().map(|e| view! { <ErrorText error=e /> })}
            {move || create.value().get().and_then(Result::ok).map(|made| {
                let key = made.key.clone();
                view! {
                    <div class="notice new-key" data-testid="new-key">
                        <p>{t!(i18n, api_keys_shown_once)}</p>
                        <code data-testid="new-key-value">{made.key.clone()}</code>
                        <button type="button" data-testid="copy-key" on:click=move |_| {
                            #[cfg(feature = "hydrate")]
                            if let Some(w) = web_sys::window() {
                                let _ = w.navigator().clipboard().write_text(&key);
                            }
                            #[cfg(not(feature = "hydrate"))]
                            let _ = &key;
                            copied.set(true);
                        }>
                            {move || if copied.get() { t_string!(i18n, api_keys_copied).to_string() } else { t_string!(i18n, api_keys_copy).to_string() }}
                        </button>
                    </div>
                }
            })}
            <ActionForm action=create attr:class="api-key-create">
                <input name="name" required maxlength="80" data-testid="api-key-name"
                    placeholder=move || t_string!(i18n, api_keys_name).to_string()
                    on:input=move |_| copied.set(false) />
                <input type="hidden" name="channels"
                    prop:value=move || limited.with(|l| l.iter().map(i64::to_string).collect::<Vec<_>>().join(",")) />
                <fieldset class="key-channels" data-testid="api-key-channels">
                    <legend>{t!(i18n, api_keys_channels_limit)}</legend>
                    {move || channels.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|c| {
                        let id = c.channel_id.0;
                        view! {
                            <label><input type="checkbox" prop:checked=move || limited.with(|l| l.contains(&id))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    limited.update(|l| { l.retain(|x| *x != id); if on { l.push(id); } });
                                } /> {c.name}</label>
                        }
                    }).collect_view()}
                </fieldset>
                <button type="submit" class="primary" data-testid="create-api-key">{t!(i18n, api_keys_create)}</button>
            </ActionForm>
            <p class="hint warning">{t!(i18n, api_keys_path_warning)}</p>
            <p class="hint"><a href="/api/docs">{t!(i18n, api_keys_docs)}</a> " · " <a href="/admin/playground">{t!(i18n, nav_playground)}</a></p>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match keys.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">{t!(i18n, api_keys_none)}</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="api-key-list">
                                <thead><tr>
                                    <th>{t!(i18n, api_keys_name)}</th>
                                    <th>{t!(i18n, api_keys_prefix)}</th>
                                    <th>{t!(i18n, api_keys_channels)}</th>
                                    <th>{t!(i18n, api_keys_last_used)}</th>
                                    <th></th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|k| {
                                        let id = k.api_key_id;
                                        let revoked = k.revoked_at.is_some();
                                        view! {
                                            <tr data-testid="api-key-row" data-revoked=revoked.to_string()>
                                                <td>{k.name.clone()}</td>
                                                <td><code>{format!("{}…", k.prefix)}</code></td>
                                                <td>{
                                                    let ids = k.channel_ids.clone();
                                                    move || match ids.clone() {
                                                        None => t_string!(i18n, api_keys_all_channels).to_string(),
                                                        Some(ids) => ids.into_iter().map(channel_name).collect::<Vec<_>>().join(", "),
                                                    }
                                                }</td>
                                                <td>{match k.last_used_at {
                                                    Some(t) => t.format("%Y-%m-%d %H:%M UTC").to_string(),
                                                    None => t_string!(i18n, api_keys_never).to_string(),
                                                }}</td>
                                                <td>{if revoked {
                                                    view! { <span class="muted">{t!(i18n, api_keys_revoked)}</span> }.into_any()
                                                } else {
                                                    view! {
                                                        <button type="button" data-testid="revoke-api-key"
                                                            on:click=move |_| { revoke.dispatch(RevokeApiKey { id }); }>
                                                            {t!(i18n, api_keys_revoke)}
                                                        </button>
                                                    }.into_any()
                                                }}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <ErrorText error=e /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
