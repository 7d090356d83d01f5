//! `/admin/api-keys` (admins only): make a key for other software (shown in full once, with a
//! copy button; afterwards only its prefix), see when each was last used, revoke one.

use crate::api::api_keys::{list_api_keys, CreateApiKey, RevokeApiKey};
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
                <button type="submit" class="primary" data-testid="create-api-key">{t!(i18n, api_keys_create)}</button>
            </ActionForm>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match keys.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">{t!(i18n, api_keys_none)}</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="api-key-list">
                                <thead><tr>
                                    <th>{t!(i18n, api_keys_name)}</th>
                                    <th>{t!(i18n, api_keys_prefix)}</th>
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
