//! Who is signed in, and the `Protected` wrapper that sends anonymous visitors to the login
//! page and shows "not allowed" to agents on admin pages. The server functions check roles
//! again on every call; this only decides what to render.

use crate::api::auth::me;
use crate::components::nav::AppShell;
use crate::i18n::*;
use crate::model::UserInfo;
use crate::AppError;
use leptos::prelude::*;
use leptos_router::components::Redirect;

pub type CurrentUser = Resource<Result<Option<UserInfo>, AppError>>;

/// Loads the signed-in user once per page load (blocking, so the server can redirect before
/// it sends any HTML).
pub fn provide_current_user() {
    let user: CurrentUser = Resource::new_blocking(|| (), |_| me());
    provide_context(user);
}

/// Sets the HTTP status of the server-rendered page (no-op in the browser).
pub fn set_page_status(_code: u16) {
    #[cfg(feature = "ssr")]
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        opts.set_status(http::StatusCode::from_u16(_code).unwrap_or(http::StatusCode::OK));
    }
}

#[component]
pub fn Protected(#[prop(optional)] admin: bool, children: ChildrenFn) -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    let children = StoredValue::new(children);
    // A `Transition`, not a `Suspense`: a resource that the page reads outside a boundary of
    // its own (in an effect, say) registers with this one, and a `Suspense` would take the
    // whole page out of the document on every refetch of it: the screen blinks and a
    // focused composer loses its focus, with the keys typed meanwhile.
    //
    // The signed-in user is read once per page (a new user means a new page load), so the
    // `Suspend` is not in a reactive closure: in one, the user resource resolving on the server
    // re-ran it and built the page a second time, and the first copy's resources, still
    // fetching, lost the request's context and sent an error to the browser as their data (a
    // failed hydration, now and then).
    view! {
        <Transition fallback=|| ()>
            {Suspend::new(async move {
                match user.await {
                    Ok(Some(u)) if admin && !u.is_admin() => {
                        view! { <AppShell user=u><NotAllowed /></AppShell> }.into_any()
                    }
                    Ok(Some(u)) => {
                        view! { <AppShell user=u>{children.with_value(|c| c())}</AppShell> }.into_any()
                    }
                    Ok(None) | Err(AppError::Unauthenticated) => view! { <Redirect path="/login" /> }.into_any(),
                    Err(e) => view! { <crate::components::error_text::ErrorText error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn NotAllowed() -> impl IntoView {
    let i18n = use_i18n();
    set_page_status(403);
    view! {
        <section class="page-message" data-testid="not-allowed">
            <h1>{t!(i18n, not_allowed_title)}</h1>
            <p>{t!(i18n, not_allowed_body)}</p>
            <a href="/inbox">{t!(i18n, back_to_inbox)}</a>
        </section>
    }
}
