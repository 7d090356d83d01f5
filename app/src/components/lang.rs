//! The language switch. leptos_i18n remembers the choice in a cookie; without one, the
//! language follows the browser's Accept-Language.

use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn LangSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let choose = move |l: Locale| move |_| i18n.set_locale(l);
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
