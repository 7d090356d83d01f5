//! `/`: sends signed-in users to the inbox and everyone else to the login page.

use crate::components::guard::CurrentUser;
use leptos::prelude::*;
use leptos_router::components::Redirect;

#[component]
pub fn Home() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let path = match user.await {
                    Ok(Some(_)) => "/inbox",
                    _ => "/login",
                };
                view! { <Redirect path=path /> }
            })}
        </Suspense>
    }
}
