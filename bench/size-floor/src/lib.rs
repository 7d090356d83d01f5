//! The chat list's core behaviour, written as lean as Leptos allows: the first page as data,
//! tabs, a mode filter, search and "Load more" through a server function, and live events from
//! `/api/events` patched into the list, rows drawn by a keyed `For`. No translations, no channel
//! filter, no "New conversation", no conversation: the real list does more, so its download is
//! at least this.
//!
//! Built four ways (`./measure`): as a component hydrated at the body (no feature); as an island
//! (`islands`); with its first page a `Resource` read in a `Transition`, as the app's pages read
//! theirs (`resource`); and that inside a `Router` with `A` links, as the app is (`routed`).

use leptos::prelude::*;
use model::{ChatId, ChatSummary, LiveEvent, Mode, Tab, UserId};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

#[server]
pub async fn list_chats(
    tab: Tab,
    mode: Option<Mode>,
    search: String,
    before: Option<ChatId>,
) -> Result<Vec<ChatSummary>, ServerFnError> {
    let _ = (tab, mode, search, before);
    Ok(Vec::new())
}

/// The list's order: last activity, then id, both descending.
fn order(c: &ChatSummary) -> (chrono::DateTime<chrono::Utc>, ChatId) {
    (
        c.last_message_at
            .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC),
        c.chat_id,
    )
}

fn relative(t: chrono::DateTime<chrono::Utc>, now: chrono::DateTime<chrono::Utc>) -> String {
    let d = now - t;
    if d.num_minutes() < 1 {
        "now".into()
    } else if d.num_hours() < 1 {
        format!("{} min", d.num_minutes())
    } else if d.num_days() < 1 {
        t.format("%H:%M").to_string()
    } else {
        t.format("%d/%m/%y").to_string()
    }
}

#[cfg_attr(feature = "islands", island)]
#[cfg_attr(not(feature = "islands"), component)]
pub fn ChatList(rows: Vec<ChatSummary>, me: Option<UserId>, is_admin: bool) -> impl IntoView {
    let tab = RwSignal::new(if is_admin { Tab::All } else { Tab::Mine });
    let mode = RwSignal::new(None::<Mode>);
    let search = RwSignal::new(String::new());
    let rows = RwSignal::new(rows);
    let now = RwSignal::new(chrono::Utc::now());
    let fetch = Action::new(move |before: &Option<ChatId>| {
        let before = *before;
        async move {
            let page = list_chats(
                tab.get_untracked(),
                mode.get_untracked(),
                search.get_untracked(),
                before,
            )
            .await;
            (before, page)
        }
    });
    Effect::watch(
        move || (tab.get(), mode.get(), search.get()),
        move |_, _, _| {
            fetch.dispatch(None);
        },
        false,
    );
    Effect::new(move |_| {
        if let Some((before, Ok(page))) = fetch.value().get() {
            rows.update(|r| {
                if before.is_none() {
                    r.clear();
                }
                r.extend(page);
            });
        }
    });
    Effect::new(move |_| {
        let Ok(events) = web_sys::EventSource::new("/api/events") else {
            return;
        };
        let on =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                let Some(text) = ev.data().as_string() else {
                    return;
                };
                match serde_json::from_str::<LiveEvent>(&text) {
                    Ok(LiveEvent::ChatUpdated(chat)) => rows.update(|r| {
                        r.retain(|c| c.chat_id != chat.chat_id);
                        let shows = match tab.get_untracked() {
                            Tab::Mine => {
                                chat.assigned_user_id.is_some() && chat.assigned_user_id == me
                            }
                            Tab::Unassigned => chat.assigned_user_id.is_none(),
                            Tab::All => true,
                        } && mode.get_untracked().is_none_or(|m| m == chat.mode);
                        if shows {
                            let key = order(&chat);
                            let at = r.iter().position(|c| order(c) < key).unwrap_or(r.len());
                            r.insert(at, chat);
                        }
                    }),
                    Ok(_) => {}
                    Err(_) => {
                        fetch.dispatch(None);
                    }
                }
                now.set(chrono::Utc::now());
            });
        events.set_onmessage(Some(on.as_ref().unchecked_ref()));
        on.forget();
    });
    let tab_button = move |t: Tab, label: &'static str| {
        view! {
            <button type="button" class:active=move || tab.get() == t on:click=move |_| tab.set(t)>
                {label}
            </button>
        }
    };
    view! {
        <div class="list-controls">
            <div class="tabs">
                {tab_button(Tab::Mine, "Mine")}
                {tab_button(Tab::Unassigned, "Unassigned")}
                {tab_button(Tab::All, "All")}
            </div>
            <input type="search" on:change=move |ev| search.set(event_target_value(&ev)) />
            <select on:change=move |ev| mode.set(match event_target_value(&ev).as_str() {
                "bot" => Some(Mode::Bot),
                "agent" => Some(Mode::Agent),
                "paused" => Some(Mode::Paused),
                "closed" => Some(Mode::Closed),
                _ => None,
            })>
                <option value="">"Any"</option>
                <option value="bot">"Bot"</option>
                <option value="agent">"Agent"</option>
                <option value="paused">"Paused"</option>
                <option value="closed">"Closed"</option>
            </select>
        </div>
        <ul>
            <For each=move || rows.get() key=|c| c.clone() children=move |c| {
                let at = c.last_message_at;
                view! {
                    <li>
                        <a href=format!("/inbox/{}", c.chat_id)>
                            <strong>{c.contact_name.clone().or(c.contact_phone.clone())}</strong>
                            <span class="time">{move || at.map(|t| relative(t, now.get()))}</span>
                            <span class="preview">{c.last_message_preview.clone()}</span>
                            {(c.unread_count > 0).then(|| view! { <span class="unread">{c.unread_count}</span> })}
                            <span class=format!("badge mode {}", c.mode.as_str())>{c.mode.as_str()}</span>
                            {c.assigned_name.clone().map(|n| view! { <span class="badge">{n}</span> })}
                        </a>
                    </li>
                }
            } />
        </ul>
        <button
            type="button"
            on:click=move |_| {
                fetch.dispatch(rows.with_untracked(|r| r.last().map(|c| c.chat_id)));
            }
        >
            "Load more"
        </button>
    }
}

/// The first page read as the app's pages read theirs: a resource in a `Transition`.
#[cfg(any(feature = "resource", feature = "routed"))]
#[component]
fn Page(rows: Vec<ChatSummary>) -> impl IntoView {
    let first = Resource::new(|| (), |_| list_chats(Tab::All, None, String::new(), None));
    view! {
        <ChatList rows me=None is_admin=true />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let page = first.await.unwrap_or_default();
                view! {
                    <ul>
                        {page.into_iter().map(|c| view! { <li>{link(c)}</li> }).collect_view()}
                    </ul>
                }
            })}
        </Transition>
    }
}

#[cfg(feature = "resource")]
fn link(c: ChatSummary) -> impl IntoView {
    view! { <a href=format!("/inbox/{}", c.chat_id)>{c.contact_name}</a> }
}

#[cfg(feature = "routed")]
fn link(c: ChatSummary) -> impl IntoView {
    use leptos_router::components::A;
    view! { <A href=format!("/inbox/{}", c.chat_id)>{c.contact_name}</A> }
}

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    #[cfg(feature = "islands")]
    leptos::mount::hydrate_islands();
    #[cfg(not(feature = "islands"))]
    {
        // The first page, as the server would write it into the page.
        let rows: Vec<ChatSummary> = document()
            .get_element_by_id("rows")
            .and_then(|e| e.text_content())
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        #[cfg(not(any(feature = "resource", feature = "routed")))]
        leptos::mount::hydrate_body(move || view! { <ChatList rows me=None is_admin=true /> });
        #[cfg(feature = "resource")]
        leptos::mount::hydrate_body(move || view! { <Page rows /> });
        #[cfg(feature = "routed")]
        leptos::mount::hydrate_body(move || {
            use leptos_router::components::{Route, Router, Routes};
            use leptos_router::path;
            view! {
                <Router>
                    <Routes fallback=|| "not found">
                        <Route path=path!("/inbox") view=move || view! { <Page rows=rows.clone() /> } />
                    </Routes>
                </Router>
            }
        });
    }
}
