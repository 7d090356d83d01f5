//! The app shell around every signed-in page: navigation, language, who is signed in, logout.

use crate::components::lang::LangSwitch;
use crate::i18n::*;
use crate::model::UserInfo;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn AppShell(user: UserInfo, children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let is_admin = user.is_admin();
    let role = if is_admin {
        t_string!(i18n, role_admin).to_string()
    } else {
        t_string!(i18n, role_agent).to_string()
    };
    view! {
        <div class="app">
            <header class="topbar">
                <a class="brand" href="/inbox">{t!(i18n, app_name)}</a>
                <nav class="nav">
                    <A href="/inbox">{t!(i18n, nav_inbox)}</A>
                    <Show when=move || is_admin>
                        <A href="/admin/users">{t!(i18n, nav_users)}</A>
                        <A href="/admin/bot">{t!(i18n, nav_bot)}</A>
                        <A href="/admin/channels">{t!(i18n, nav_channels)}</A>
                        <A href="/admin/api-keys">{t!(i18n, nav_api_keys)}</A>
                        <A href="/admin/webhooks">{t!(i18n, nav_webhooks)}</A>
                        <A href="/admin/playground">{t!(i18n, nav_playground)}</A>
                    </Show>
                </nav>
                <div class="topbar-right">
                    <LangSwitch />
                    <span class="whoami" data-testid="whoami" title=role>
                        {user.display_name.clone()}
                    </span>
                    // A plain form: logout is a full navigation, so no page state survives it.
                    <form method="post" action="/api/logout" class="logout">
                        <button type="submit" data-testid="logout">{t!(i18n, nav_logout)}</button>
                    </form>
                </div>
            </header>
            <main class="content">{children()}</main>
        </div>
    }
}
