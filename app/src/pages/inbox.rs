//! `/inbox`: the chat list. Until conversations exist it shows an empty state.

use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn InboxPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="inbox" data-testid="inbox">
            <h1>{t!(i18n, nav_inbox)}</h1>
            <div class="empty-state">
                <p>{t!(i18n, inbox_empty)}</p>
            </div>
        </section>
    }
}
