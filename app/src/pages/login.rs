//! `/login`. Sends to `/setup` while no account exists, and to the inbox when already signed in.

use crate::api::auth::{setup_status, Login};
use crate::components::error_text::ErrorText;
use crate::components::guard::CurrentUser;
use crate::components::lang::LangSwitch;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::Redirect;

#[component]
pub fn LoginPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    let status = Resource::new_blocking(|| (), |_| setup_status());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let status = status.await;
                match (user.await, status) {
                    (Ok(Some(_)), _) => view! { <Redirect path="/inbox" /> }.into_any(),
                    (_, Ok(s)) if s.needs_first_admin => view! { <Redirect path="/setup" /> }.into_any(),
                    (_, s) => view! { <LoginForm demo=s.map(|s| s.demo).unwrap_or(false) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn LoginForm(demo: bool) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<Login>::new();
    // A full page load after signing in, so every resource starts fresh for this user.
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
                    <h1>{t!(i18n, login_title)}</h1>
                    <LangSwitch />
                </div>
                <ActionForm action>
                    <label>
                        {t!(i18n, field_username)}
                        <input name="username" autocomplete="username" required autofocus data-testid="username" />
                    </label>
                    <label>
                        {t!(i18n, field_password)}
                        <input name="password" type="password" autocomplete="current-password" required data-testid="password" />
                    </label>
                    <button type="submit" class="primary" disabled=move || action.pending().get() data-testid="login-submit">
                        {t!(i18n, login_submit)}
                    </button>
                </ActionForm>
                {move || error().map(|e| view! { <ErrorText error=e /> })}
                <Show when=move || demo>
                    <div class="demo-hint" data-testid="demo-hint">
                        <strong>{t!(i18n, demo_accounts)}</strong>
                        <p>"admin / admin-demo · rina / rina-demo"</p>
                    </div>
                </Show>
            </div>
        </div>
    }
}
