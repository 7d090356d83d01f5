//! The 404 page.

use crate::components::guard::set_page_status;
use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    set_page_status(404);
    view! {
        <section class="page-message" data-testid="not-found">
            <h1>{t!(i18n, not_found_title)}</h1>
            <p>{t!(i18n, not_found_body)}</p>
            <a href="/">{t!(i18n, back_home)}</a>
        </section>
    }
}
