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
use leptos_router::{lazy_route, path, Lazy, LazyRoute, SsrMode};

/// Holds taps that land before hydration and replays them after (`early_taps.js`).
const EARLY_TAPS: &str = include_str!("early_taps.js");
/// Scrolls a server-drawn conversation to its newest message before hydration
/// (`newest_messages.js`).
const NEWEST_MESSAGES: &str = include_str!("newest_messages.js");

/// The HTML document around the app (server side only): the stylesheet and the wasm under their
/// hashed names when the build made them (`hash.txt` beside the server binary).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    ssr::csp::set_policy();
    // A lazy page opened first: its chunks download beside the main wasm, not after it.
    // The chunk loader the app's JS imports, found at once rather than after that JS.
    #[cfg(feature = "ssr")]
    let (loader, chunks) = (
        ssr::chunk_hints::loader(&options),
        ssr::chunk_hints::request_path()
            .map(|path| ssr::chunk_hints::preloads(&options, &path))
            .unwrap_or_default(),
    );
    #[cfg(not(feature = "ssr"))]
    let (loader, chunks) = (None::<String>, Vec::<String>::new());
    let chunk_preloads = chunks
        .into_iter()
        .map(|href| {
            view! {
                <link rel="preload" href=href r#as="fetch" r#type="application/wasm" crossorigin="anonymous" />
            }
        })
        .collect_view();
    let loader_preload = loader.map(|href| view! { <link rel="modulepreload" href=href /> });
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                // The tab's icon (`public/favicon.svg`); without it browsers ask for
                // /favicon.ico, which the server answered with a rendered 404 page.
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <AutoReload options=options.clone() />
                <script nonce=leptos::nonce::use_nonce() inner_html=EARLY_TAPS></script>
                <script nonce=leptos::nonce::use_nonce() inner_html=NEWEST_MESSAGES></script>
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                {loader_preload}
                {chunk_preloads}
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

    view! {
        <I18nContextProvider cookie_options=components::lang::cookie_options()>
            <Title text="Inbox" />
            <Router>
                // Async rendering: the whole page is ready before the first byte, so guards can
                // still answer with a redirect or a 403/404 status.
                <Routes fallback=pages::not_found::NotFound>
                    <Route path=path!("/") view=pages::home::Home ssr=SsrMode::Async />
                    <Route path=path!("/login") view={Lazy::<SignIn>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/setup") view={Lazy::<FirstAdmin>::new()} ssr=SsrMode::Async />
                    // One inbox page for the list and the open chat: opening another chat
                    // swaps only the conversation (the list, its tab and search, and the live
                    // stream stay).
                    <ParentRoute
                        path=path!("/inbox")
                        view=|| view! { <Protected><pages::inbox::InboxPage /></Protected> }
                        ssr=SsrMode::Async
                    >
                        <Route path=path!("") view=pages::inbox::NoChatSelected />
                        <Route path=path!(":id") view={Lazy::<OpenConversation>::new()} />
                    </ParentRoute>
                    <Route path=path!("/sandbox") view={Lazy::<SandboxPhone>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/bot") view={Lazy::<AdminBot>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/channels") view={Lazy::<AdminChannels>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/api-keys") view={Lazy::<AdminApiKeys>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/webhooks") view={Lazy::<AdminWebhooks>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/playground") view={Lazy::<AdminPlayground>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/users") view={Lazy::<AdminUsers>::new()} ssr=SsrMode::Async />
                </Routes>
            </Router>
        </I18nContextProvider>
    }
}

/// Pages whose code loads only when opened (the conversation: once the inbox list has hydrated)
/// (`#[lazy_route]`: the browser's wasm is split at these points by `site-split`; a page opened
/// first fetches its chunks before it hydrates). Each is a route with no data of its own: the
/// pages load their data as before.
macro_rules! lazy_pages {
    ($($(#[$doc:meta])* $name:ident => $view:expr;)*) => {$(
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name;

        #[lazy_route]
        impl LazyRoute for $name {
            fn data() -> Self {
                $name
            }

            fn view(_this: Self) -> AnyView {
                $view.into_any()
            }
        }
    )*};
}

lazy_pages! {
    /// `/admin/bot`.
    AdminBot => view! { <Protected admin=true><pages::bot::BotPage /></Protected> };
    /// `/admin/channels`.
    AdminChannels => view! { <Protected admin=true><pages::channels::ChannelsPage /></Protected> };
    /// `/admin/api-keys`.
    AdminApiKeys => view! { <Protected admin=true><pages::api_keys::ApiKeysPage /></Protected> };
    /// `/admin/webhooks`.
    AdminWebhooks => view! { <Protected admin=true><pages::webhooks::WebhooksPage /></Protected> };
    /// `/admin/playground`.
    AdminPlayground => view! { <Protected admin=true><pages::playground::PlaygroundPage /></Protected> };
    /// `/admin/users`.
    AdminUsers => view! { <Protected admin=true><pages::users::UsersPage /></Protected> };
    /// `/inbox/{id}`, the open conversation (the composer, the bubbles of every kind of message):
    /// the inbox list hydrates without it and fetches it right after (`InboxPage`).
    OpenConversation => view! { <pages::inbox::SelectedChat /> };
    /// `/sandbox`, the demo's customer phone.
    SandboxPhone => view! { <pages::sandbox::SandboxPage /> };
    /// `/login`: its form posts without the wasm; the page's own code comes with it.
    SignIn => view! { <pages::login::LoginPage /> };
    /// `/setup`, used once: the first admin.
    FirstAdmin => view! { <pages::setup::SetupPage /> };
}
