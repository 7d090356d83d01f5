//! The language switch. A choice is kept in a cookie for a year, for the whole site; the server
//! only reads it (and without one the language follows the browser's Accept-Language, so a
//! language the browser merely asked for is not written down as chosen).

use crate::i18n::*;
use leptos::prelude::*;

/// The cookie leptos_i18n reads on the server (its default name).
#[cfg(feature = "hydrate")]
const COOKIE: &str = "i18n_pref_locale";

/// The language context's cookie options. On the server: read only. The browser writes the
/// cookie itself when a language is picked ([`remember`]): leptos_i18n's own cookie code in the
/// browser brought a cookie library with a date-time crate (some 55 KiB of the download), and
/// wrote the cookie without a path, so a choice made on an admin page held only under `/admin`.
pub fn cookie_options() -> leptos_i18n::context::CookieOptions<Locale> {
    let options = leptos_i18n::context::CookieOptions::<Locale>::default();
    #[cfg(feature = "ssr")]
    let options = options.readonly(true);
    options
}

/// Keeps `locale` as the reader's choice: for a year, on every page of the site.
fn remember(locale: Locale) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let cookie = format!(
            "{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            locale.as_str()
        );
        if let Some(doc) = document().dyn_ref::<web_sys::HtmlDocument>() {
            let _ = doc.set_cookie(&cookie);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = locale;
}

#[component]
pub fn LangSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let choose = move |l: Locale| {
        move |_| {
            i18n.set_locale(l);
            remember(l);
        }
    };
    let current = move |l: Locale| move || i18n.get_locale() == l;
    view! {
        <div class="lang-switch" role="group" aria-label="Language">
            <button type="button" class:active=current(Locale::en) on:click=choose(Locale::en) data-testid="lang-en">
                "EN"
            </button>
            <button type="button" class:active=current(Locale::id) on:click=choose(Locale::id) data-testid="lang-id">
                "ID"
            </button>
        </div>
    }
}
