//! The admins' banner of provider account alerts (Meta `account_update`: a restriction, a
//! violation, a disabled number): what stops customers' messages from arriving or replies from
//! going out must be seen at once, not found in a log.

use crate::api::alerts::account_alerts;
use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn AccountAlerts() -> impl IntoView {
    let i18n = use_i18n();
    // Fetched in the browser only, once the page is hydrated (effects run only there): the
    // page renders the same on the server and at hydration, and no resource is created (a
    // server-side LocalResource warned on every render).
    let alerts = RwSignal::new(Vec::new());
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(list) = account_alerts().await {
                alerts.set(list);
            }
        });
    });
    move || {
        let list = alerts.get();
        (!list.is_empty()).then(|| {
            view! {
                <div class="account-alerts" role="alert" data-testid="account-alerts">
                    <strong>{t!(i18n, account_alert_title)}</strong>
                    <ul>
                        {list
                            .into_iter()
                            .map(|a| {
                                view! {
                                    <li>
                                        <code>{a.event}</code>
                                        {a.detail.map(|d| view! { <span class="detail">" "{d}</span> })}
                                        <time datetime=a.received_at.to_rfc3339()>
                                            " · "{a.received_at.format("%Y-%m-%d %H:%M UTC").to_string()}
                                        </time>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </div>
            }
        })
    }
}
