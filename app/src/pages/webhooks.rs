//! `/admin/webhooks` (admins only): the endpoints that get the inbox's events (URL, secret
//! shown once, the events, enabled; a paused one says so), each with its delivery log (time,
//! event, HTTP status, latency, attempts, the answer's first bytes), "Redeliver" per delivery
//! and "Send test event".

use crate::api::hooks::{
    list_webhooks, webhook_log, CreateWebhook, DeleteWebhook, RedeliverWebhook, SetWebhookEnabled,
    TestWebhook,
};
use crate::components::error_text::ErrorText;
use crate::i18n::*;
use crate::model::WebhookView;
use leptos::prelude::*;

use crate::model::hooks::EVENTS;

#[derive(Clone, Copy)]
struct Actions {
    enable: ServerAction<SetWebhookEnabled>,
    delete: ServerAction<DeleteWebhook>,
    test: ServerAction<TestWebhook>,
    redeliver: ServerAction<RedeliverWebhook>,
}

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateWebhook>::new();
    let actions = Actions {
        enable: ServerAction::new(),
        delete: ServerAction::new(),
        test: ServerAction::new(),
        redeliver: ServerAction::new(),
    };
    let hooks = Resource::new(
        move || {
            (
                create.version().get(),
                actions.enable.version().get(),
                actions.delete.version().get(),
            )
        },
        |_| list_webhooks(),
    );
    let last_error = move || {
        [
            create.value().get().and_then(Result::err),
            actions.enable.value().get().and_then(Result::err),
            actions.delete.value().get().and_then(Result::err),
            actions.test.value().get().and_then(Result::err),
            actions.redeliver.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
    };
    let chosen = RwSignal::new(Vec::<String>::new());
    view! {
        <section class="webhooks" data-testid="webhooks-page">
            <h1>{t!(i18n, webhooks_title)}</h1>
            <p class="hint">{t!(i18n, webhooks_hint)} " " <a href="/api/docs#webhooks">{t!(i18n, webhooks_docs)}</a></p>
            {move || last_error().map(|e| view! { <ErrorText error=e /> })}
            {move || create.value().get().and_then(Result::ok).map(|made| view! {
                <div class="notice new-key" data-testid="new-webhook">
                    <p>{t!(i18n, webhooks_secret_once)}</p>
                    <code data-testid="new-webhook-secret">{made.secret.clone()}</code>
                </div>
            })}
            <ActionForm action=create attr:class="webhook-create">
                <input name="url" type="url" required data-testid="webhook-url-input"
                    placeholder="https://shop.example.com/inbox-webhook" />
                <input name="secret" data-testid="webhook-secret-input" autocomplete="off"
                    placeholder=move || t_string!(i18n, webhooks_secret_placeholder).to_string() />
                <input type="hidden" name="events" prop:value=move || chosen.get().join(",") />
                <fieldset class="events">
                    <legend>{t!(i18n, webhooks_events)}</legend>
                    {EVENTS.into_iter().map(|e| view! {
                        <label><input type="checkbox" on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            chosen.update(|c| { c.retain(|x| x != e); if on { c.push(e.to_owned()); } });
                        } /> <code>{e}</code></label>
                    }).collect_view()}
                </fieldset>
                <button type="submit" class="primary" data-testid="create-webhook">{t!(i18n, webhooks_add)}</button>
            </ActionForm>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match hooks.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">{t!(i18n, webhooks_none)}</p> }.into_any(),
                        Ok(list) => list.into_iter().map(|h| view! { <Endpoint hook=h actions /> }).collect_view().into_any(),
                        Err(e) => view! { <ErrorText error=e /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Endpoint(hook: WebhookView, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let id = hook.id;
    // Loaded in the browser (the log changes by the second; nothing to render before).
    let log = LocalResource::new(move || {
        actions.test.version().get();
        actions.redeliver.version().get();
        webhook_log(id)
    });
    // While a delivery is on its way, the log looks again every second and a half.
    Effect::new(move |_| {
        let waiting = log
            .get()
            .and_then(Result::ok)
            .is_some_and(|rows| rows.iter().any(|d| d.state == "pending"));
        if waiting {
            set_timeout(
                move || log.refetch(),
                std::time::Duration::from_millis(1500),
            );
        }
    });
    let events = if hook.events.is_empty() {
        t_string!(i18n, webhooks_all_events).to_string()
    } else {
        hook.events.join(", ")
    };
    let next = !hook.enabled || hook.paused_at.is_some();
    view! {
        <article class="webhook" data-testid="webhook" class:disabled=!hook.enabled>
            <header>
                <h2><code>{hook.url.clone()}</code></h2>
                {hook.secret_last4.clone().map(|l| view! { <span class="muted">{t!(i18n, webhooks_secret_ends)} " …" {l}</span> })}
            </header>
            <p class="muted">{events}</p>
            {hook.paused_at.map(|at| view! {
                <p class="warning" data-testid="webhook-paused">
                    {t!(i18n, webhooks_paused)} " " {at.format("%Y-%m-%d %H:%M UTC").to_string()}
                    {hook.pause_reason.clone().map(|r| format!(" ({r})"))}
                </p>
            })}
            <div class="channel-actions">
                <button type="button" data-testid="webhook-test" on:click=move |_| { actions.test.dispatch(TestWebhook { id }); }>
                    {t!(i18n, webhooks_test)}
                </button>
                <button type="button" data-testid="webhook-toggle" on:click=move |_| { actions.enable.dispatch(SetWebhookEnabled { id, enabled: next }); }>
                    {if next { t!(i18n, webhooks_enable).into_any() } else { t!(i18n, webhooks_disable).into_any() }}
                </button>
                <button type="button" class="danger" on:click=move |_| { actions.delete.dispatch(DeleteWebhook { id }); }>
                    {t!(i18n, webhooks_delete)}
                </button>
                <button type="button" on:click=move |_| log.refetch()>{t!(i18n, webhooks_refresh)}</button>
            </div>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match log.await {
                        Ok(rows) if rows.is_empty() => view! { <p class="empty">{t!(i18n, webhooks_no_deliveries)}</p> }.into_any(),
                        Ok(rows) => view! {
                            <table class="delivery-log">
                                <thead><tr>
                                    <th>{t!(i18n, webhooks_col_time)}</th><th>{t!(i18n, webhooks_col_event)}</th>
                                    <th>{t!(i18n, webhooks_col_status)}</th><th>{t!(i18n, webhooks_col_latency)}</th>
                                    <th>{t!(i18n, webhooks_col_attempts)}</th><th>{t!(i18n, webhooks_col_answer)}</th><th></th>
                                </tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|d| {
                                        let delivery_id = d.id;
                                        let status = d.http_status.map(|s| s.to_string())
                                            .or_else(|| d.error.clone())
                                            .unwrap_or_else(|| "…".into());
                                        view! {
                                            <tr data-testid="delivery" data-state=d.state.clone() data-event=d.event.clone()>
                                                <td>{d.last_at.unwrap_or(d.created_at).format("%H:%M:%S").to_string()}</td>
                                                <td><code>{d.event.clone()}</code> <span class="muted">{d.event_id.clone()}</span></td>
                                                <td>{d.state.clone()} " " {status}</td>
                                                <td>{d.latency_ms.map(|ms| format!("{ms} ms"))}</td>
                                                <td>{d.attempts}</td>
                                                <td><code class="answer">{d.response.clone()}</code></td>
                                                <td><button type="button" on:click=move |_| { actions.redeliver.dispatch(RedeliverWebhook { delivery_id }); }>
                                                    {t!(i18n, webhooks_redeliver)}
                                                </button></td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <ErrorText error=e /> }.into_any(),
                    }
                })}
            </Transition>
        </article>
    }
}
