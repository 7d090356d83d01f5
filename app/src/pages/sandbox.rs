//! `/sandbox`: a pretend customer phone. Pick a name and number and chat with the business;
//! the business's replies arrive here live (once the outbox has sent them), with "typing…"
//! while an agent types or the bot waits out its reply delay. The customer can send a photo, a voice note (an
//! OGG audio file), a video or a document, with a caption. Open to anyone in demo mode, else to
//! admins.

use crate::api::sandbox::{sandbox_messages, SandboxSend};
use crate::components::error_text::ErrorText;
use crate::components::lang::LangSwitch;
use crate::components::message::Bubble;
use crate::components::upload::{text_placeholder, upload, Picked};
use crate::i18n::*;
use crate::live::use_live_events;
use leptos::prelude::*;

#[component]
pub fn SandboxPage() -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new("Budi Santoso".to_string());
    let phone_input = RwSignal::new("6281298765432".to_string());
    // The number in use; changes when the field is left, not on every keystroke.
    let phone = RwSignal::new(phone_input.get_untracked());
    let refresh = RwSignal::new(0u64);
    let send = ServerAction::<SandboxSend>::new();
    use_live_events(
        move || Some(format!("/api/sandbox/events?phone={}", phone.get())),
        // The phone refetches on every event: its fetch is what marks our replies delivered and
        // read (showing them on the phone is what those ticks mean for the sandbox).
        move |_| refresh.update(|n| *n += 1),
    );
    let messages = Resource::new(
        move || (phone.get(), refresh.get(), send.version().get()),
        |(p, _, _)| sandbox_messages(p),
    );
    // "Typing…" under the business's name while the thread says so, for as long as it says.
    let typing = RwSignal::new(false);
    let typing_ends = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let left = match messages.get() {
            Some(Ok(thread)) => thread.typing_for_ms,
            _ => return,
        };
        if let Some(handle) = typing_ends.try_update_value(Option::take).flatten() {
            handle.clear();
        }
        typing.set(left.is_some());
        if let Some(ms) = left {
            let handle = set_timeout_with_handle(
                move || typing.set(false),
                std::time::Duration::from_millis(ms.into()),
            );
            typing_ends.set_value(handle.ok());
        }
    });
    on_cleanup(move || {
        if let Some(handle) = typing_ends.try_update_value(Option::take).flatten() {
            handle.clear();
        }
    });
    let text = RwSignal::new(String::new());
    let file = RwSignal::new(None::<Picked>);
    let uploading = RwSignal::new(false);
    let upload_error = RwSignal::new(None::<crate::AppError>);
    let pick_input = NodeRef::<leptos::html::Input>::new();
    let submit = move || {
        let body = text.get_untracked();
        if let Some(picked) = file.get_untracked() {
            if uploading.get_untracked() {
                return;
            }
            uploading.set(true);
            upload_error.set(None);
            let fields = vec![
                ("phone", phone.get_untracked()),
                ("name", name.get_untracked()),
                ("caption", body),
            ];
            let sent = picked.clone();
            upload::<()>(
                "/sandbox/files",
                &picked,
                fields,
                |_| {},
                move |answer| {
                    uploading.set(false);
                    match answer {
                        Ok(()) => {
                            sent.release();
                            file.set(None);
                            text.set(String::new());
                            refresh.update(|n| *n += 1);
                        }
                        Err(e) => upload_error.set(Some(e)),
                    }
                },
            );
            return;
        }
        if body.trim().is_empty() {
            return;
        }
        send.dispatch(SandboxSend {
            phone: phone.get_untracked(),
            name: name.get_untracked(),
            text: body,
        });
        text.set(String::new());
    };
    let send_error = move || {
        upload_error
            .get()
            .or_else(|| send.value().get().and_then(Result::err))
    };
    // Runs once this page is hydrated: tests wait for it before typing.
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    view! {
        <div class="sandbox-page" data-ready=move || if ready.get() { "true" } else { "false" }>
            <div class="sandbox-intro">
                <div class="auth-head">
                    <h1>{t!(i18n, sandbox_title)}</h1>
                    <LangSwitch />
                </div>
                <p>{t!(i18n, sandbox_intro)}</p>
                <label>
                    {t!(i18n, sandbox_name)}
                    <input data-testid="sandbox-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                </label>
                <label>
                    {t!(i18n, sandbox_phone)}
                    <input
                        data-testid="sandbox-phone"
                        inputmode="tel"
                        prop:value=move || phone_input.get()
                        on:input=move |ev| phone_input.set(event_target_value(&ev))
                        on:change=move |_| phone.set(phone_input.get_untracked())
                    />
                </label>
            </div>
            <div class="phone-frame" data-testid="sandbox-phone-screen">
                <div class="phone-head">
                    {t!(i18n, sandbox_business)}
                    <Show when=move || typing.get()>
                        <div class="phone-typing" data-testid="sandbox-typing">{t!(i18n, sandbox_typing)}</div>
                    </Show>
                </div>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match messages.await {
                            Ok(thread) => {
                                let read_up_to = thread.read_up_to;
                                view! {
                                    <ol class="messages" data-testid="sandbox-messages">
                                        {thread.messages.into_iter().map(|m| {
                                            let read = read_up_to.is_some_and(|r| m.message_id <= r);
                                            view! { <Bubble message=m customer_read=read /> }
                                        }).collect_view()}
                                    </ol>
                                }.into_any()
                            }
                            Err(e) => view! { <ErrorText error=e /> }.into_any(),
                        }
                    })}
                </Transition>
                {move || send_error().map(|e| view! { <ErrorText error=e /> })}
                <form class="composer" on:submit=move |ev| { ev.prevent_default(); submit(); }>
                    {move || file.get().map(|picked| view! {
                        <div class="composer-file" data-testid="sandbox-file">
                            <span class="file-name">{picked.name.clone()}</span>
                            <span class="file-size">{picked.size_text()}</span>
                            <button type="button" class="remove" on:click=move |_| {
                                if let Some(p) = file.get_untracked() { p.release(); }
                                file.set(None);
                            }>"✕"</button>
                        </div>
                    })}
                    <div class="composer-row">
                        <label class="attach" title=move || t_string!(i18n, attach_file).to_string()>
                            "📎"
                            <input
                                type="file"
                                data-testid="sandbox-attach"
                                node_ref=pick_input
                                accept="image/jpeg,image/png,image/webp,audio/*,video/mp4,video/3gpp,application/pdf,text/plain,.doc,.docx,.xls,.xlsx,.ppt,.pptx"
                                on:change=move |_| {
                                    #[cfg(feature = "hydrate")]
                                    if let Some(input) = pick_input.get_untracked() {
                                        if let Some(picked) = Picked::first(input.files()) {
                                            upload_error.set(None);
                                            file.set(Some(picked));
                                        }
                                        input.set_value("");
                                    }
                                }
                            />
                        </label>
                        <input
                            data-testid="sandbox-text"
                            placeholder=move || text_placeholder(i18n, file.with(Option::is_some))
                            prop:value=move || text.get()
                            on:input=move |ev| text.set(event_target_value(&ev))
                        />
                        <button type="submit" class="primary" data-testid="sandbox-send"
                            disabled=move || uploading.get()>{t!(i18n, send)}</button>
                    </div>
                </form>
            </div>
        </div>
    }
}
