//! `/setup`: creates the first account, an admin. Only while no account exists.

use crate::api::auth::{setup_status, CreateFirstAdmin};
use crate::components::error_text::ErrorText;
use crate::components::lang::LangSwitch;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::Redirect;

#[component]
pub fn SetupPage() -> impl IntoView {
    let status = Resource::new_blocking(|| (), |_| setup_status());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(s) if s.needs_first_admin => view! { <SetupForm /> }.into_any(),
                    _ => view! { <Redirect path="/login" /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SetupForm() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<CreateFirstAdmin>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            let _ = window().location().assign("/inbox");
        }
    });
    let error = move || action.value().get().and_then(Result::err);
    // Runs once the form is hydrated: tests wait for it before typing.
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    view! {
        <div class="auth-page" data-ready=move || if ready.get() { "true" } else { "false" }>
            <div class="auth-card">
                <div class="auth-head">
                    <h1>{t!(i18n, setup_title)}</h1>
                    <LangSwitch />
                </div>
                <p>{t!(i18n, setup_intro)}</p>
                <ActionForm action>
                    <label>
                        {t!(i18n, field_display_name)}
                        <input name="display_name" required data-testid="display-name" />
                    </label>
                    <label>
                        {t!(i18n, field_username)}
                        <input name="username" autocomplete="username" required data-testid="username" />
                    </label>
                    <label>
                        {t!(i18n, field_password)}
                        <input name="password" type="password" autocomplete="new-password" minlength="8" required data-testid="password" />
                    </label>
                    <button type="submit" class="primary" data-testid="setup-submit">{t!(i18n, setup_submit)}</button>
                </ActionForm>
                {move || error().map(|e| view! { <ErrorText error=e /> })}
            </div>
        </div>
    }
}
