//! The inbox UI and its server functions, shared by the server (feature `ssr`) and the browser
//! (feature `hydrate`).
//!
//! Module map, in reading order:
//! - [`error`]: `AppError`, the one error type that crosses the wire.
//! - [`model`]: the `model` crate, data shared with the browser (ids, enums, DTOs, reasons).
//! - [`api`]: `#[server]` functions, thin: auth check, one `ssr` call.
//! - [`components`]: the app shell, route guards, language switch, error text.
//! - [`pages`]: one file per page.
//! - `ssr` (server only): the request's state and session, role guards, error conversion;
//!   the backend itself is the `inbox` crate.

#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod error;
pub mod live;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

/// The shared data types, from the `model` crate (`crate::model::Mode`, ...).
pub use ::model;
pub use error::AppError;

use components::guard::{provide_current_user, Protected};
use i18n::I18nContextProvider;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// Holds taps that land before hydration and replays them after (`early_taps.js`).
const EARLY_TAPS: &str = include_str!("early_taps.js");

/// The HTML document around the app (server side only): the stylesheet and the wasm under their
/// hashed names when the build made them (`hash.txt` beside the server binary).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    ssr::csp::set_policy();
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <script nonce=leptos::nonce::use_nonce() inner_html=EARLY_TAPS></script>
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_current_user();
    // Hydration has run: taps held before it are replayed (`early_taps.js`), and tests and the
    // benchmark's first-screen script watch for it.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <I18nContextProvider>
            <Title text="Inbox" />
            <Router>
                // Async rendering: the whole page is ready before the first byte, so guards can
                // still answer with a redirect or a 403/404 status.
                <Routes fallback=pages::not_found::NotFound>
                    <Route path=path!("/") view=pages::home::Home ssr=SsrMode::Async />
                    <Route path=path!("/login") view=pages::login::LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/setup") view=pages::setup::SetupPage ssr=SsrMode::Async />
                    // One inbox page for the list and the open chat: opening another chat
                    // swaps only the conversation (the list, its tab and search, and the live
                    // stream stay).
                    <ParentRoute
                        path=path!("/inbox")
                        view=|| view! { <Protected><pages::inbox::InboxPage /></Protected> }
                        ssr=SsrMode::Async
                    >
                        <Route path=path!("") view=pages::inbox::NoChatSelected />
                        <Route path=path!(":id") view=pages::inbox::SelectedChat />
                    </ParentRoute>
                    <Route path=path!("/sandbox") view=pages::sandbox::SandboxPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/admin/bot")
                        view=|| view! { <Protected admin=true><pages::bot::BotPage /></Protected> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/admin/channels")
                        view=|| view! { <Protected admin=true><pages::channels::ChannelsPage /></Protected> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/admin/api-keys")
                        view=|| view! { <Protected admin=true><pages::api_keys::ApiKeysPage /></Protected> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/admin/webhooks")
                        view=|| view! { <Protected admin=true><pages::webhooks::WebhooksPage /></Protected> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/admin/playground")
                        view=|| view! { <Protected admin=true><pages::playground::PlaygroundPage /></Protected> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/admin/users")
                        view=|| view! { <Protected admin=true><pages::users::UsersPage /></Protected> }
                        ssr=SsrMode::Async
                    />
                </Routes>
            </Router>
        </I18nContextProvider>
    }
}
