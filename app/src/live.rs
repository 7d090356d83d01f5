//! Browser side of live updates: an `EventSource` on one of the server's SSE endpoints,
//! reopened when its URL changes and closed with the component. The browser reconnects by
//! itself and sends `Last-Event-ID`, so missed events are replayed. Every time the stream
//! opens, the page is told to catch up (`Reload`) on what it shows: a page rendered before its
//! stream was subscribed would otherwise miss what happened in between (and stay stale until the
//! next event). How is the page's: the inbox and the Channels page apply what differs in place,
//! fetched with a [`Latest`] (catch-ups can overlap). Events arrive typed ([`LiveEvent`]); one
//! that cannot be read becomes a `Reload`, so a view never silently misses a change. On the
//! server this does nothing.

use crate::model::{EventKind, LiveEvent};

/// What a live stream delivers to a page.
#[derive(Debug, Clone)]
// One value per event, matched by the pages and dropped: boxing the event would only add an
// allocation and hide its variants from the pages' patterns.
#[allow(clippy::large_enum_variant)]
pub enum Live {
    Event(LiveEvent),
    /// The page must refetch what it shows: the stream (re)opened, or the server could not
    /// prove this browser has every event.
    Reload,
}

/// The event names the server sends: every [`EventKind`], and `reload`.
pub fn event_names() -> impl Iterator<Item = &'static str> {
    EventKind::ALL.iter().map(|k| k.as_str()).chain(["reload"])
}

/// An SSE event as the page gets it.
pub fn decode(kind: &str, data: &str) -> Live {
    if kind == "reload" {
        return Live::Reload;
    }
    match LiveEvent::decode(kind, data) {
        Ok(e) => Live::Event(e),
        Err(e) => {
            leptos::logging::warn!("unreadable live event ({e}); reloading the view");
            Live::Reload
        }
    }
}

/// Calls `on_event` for every event of `url()` (no subscription while it is `None`).
pub fn use_live_events(
    url: impl Fn() -> Option<String> + 'static,
    on_event: impl Fn(Live) + Clone + 'static,
) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::prelude::*;
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;
        let current: StoredValue<Option<web_sys::EventSource>, LocalStorage> =
            StoredValue::new_local(None);
        let close = move || {
            current.update_value(|c| {
                if let Some(es) = c.take() {
                    es.close();
                }
            })
        };
        Effect::new(move |_| {
            close();
            let Some(url) = url() else { return };
            let Ok(es) = web_sys::EventSource::new(&url) else {
                return;
            };
            for kind in event_names() {
                let on_event = on_event.clone();
                let callback = Closure::<dyn Fn(web_sys::MessageEvent)>::new(
                    move |e: web_sys::MessageEvent| {
                        on_event(decode(kind, &e.data().as_string().unwrap_or_default()))
                    },
                );
                let _ =
                    es.add_event_listener_with_callback(kind, callback.as_ref().unchecked_ref());
                // Lives as long as the EventSource, which is closed (and then collected) below.
                callback.forget();
            }
            // Open (first time or after a reconnect): the server subscribed this stream before
            // answering, so a refetch now sees everything the stream will not.
            let on_open = {
                let on_event = on_event.clone();
                Closure::<dyn Fn()>::new(move || on_event(Live::Reload))
            };
            let _ = es.add_event_listener_with_callback("open", on_open.as_ref().unchecked_ref());
            on_open.forget();
            current.set_value(Some(es));
        });
        on_cleanup(close);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (url, on_event);
}

/// Bumps `counter` once shortly after the first call of a burst (immediately on the server).
pub fn coalesced(counter: leptos::prelude::RwSignal<u64>) -> impl Fn() + Copy + 'static {
    use leptos::prelude::*;
    let pending = StoredValue::new(false);
    move || {
        if pending.get_value() {
            return;
        }
        pending.set_value(true);
        let fire = move || {
            pending.set_value(false);
            counter.update(|n| *n += 1);
        };
        #[cfg(feature = "hydrate")]
        set_timeout(fire, std::time::Duration::from_millis(50));
        #[cfg(not(feature = "hydrate"))]
        fire();
    }
}

/// An action whose calls are numbered and whose answers are kept in order: an answer to a call
/// older than one already answered is dropped, since it has not seen what happened between.
/// (Leptos 0.8's `Action` keeps whichever answer arrives last: its check for the newest call
/// compares a counter that is never raised.) Catch-ups use it: they can overlap, and a slow one
/// must not put back what a newer one replaced.
pub struct Latest<I: 'static, O: 'static> {
    action: leptos::prelude::Action<(u64, I), (u64, O)>,
    calls: leptos::prelude::StoredValue<u64>,
    answer: leptos::prelude::RwSignal<Option<(u64, O)>>,
}

impl<I: 'static, O: 'static> Clone for Latest<I, O> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I: 'static, O: 'static> Copy for Latest<I, O> {}

impl<I, O> Latest<I, O>
where
    I: Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    pub fn new<F, Fut>(call: F) -> Self
    where
        F: Fn(&I) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = O> + Send + 'static,
    {
        use leptos::prelude::*;
        let action = Action::new(move |(n, input): &(u64, I)| {
            let (n, answer) = (*n, call(input));
            async move { (n, answer.await) }
        });
        let answer = RwSignal::new(None::<(u64, O)>);
        Effect::new(move |_| {
            if let Some((n, o)) = action.value().get() {
                if answer.with_untracked(|a| a.as_ref().is_none_or(|(m, _)| *m < n)) {
                    answer.set(Some((n, o)));
                }
            }
        });
        Latest {
            action,
            calls: StoredValue::new(0),
            answer,
        }
    }

    /// Calls it; returns the call's number (numbers grow with each call).
    pub fn dispatch(&self, input: I) -> u64 {
        use leptos::prelude::*;
        self.calls.update_value(|n| *n += 1);
        let n = self.calls.get_value();
        self.action.dispatch((n, input));
        n
    }

    /// The number of the newest call so far (0: none), untracked.
    pub fn calls(&self) -> u64 {
        use leptos::prelude::*;
        self.calls.get_value()
    }

    /// The answer to the newest call answered so far, with its number (tracked).
    pub fn answer(&self) -> Option<(u64, O)> {
        use leptos::prelude::*;
        self.answer.get()
    }

    /// Whether a call is waiting for its answer (tracked).
    pub fn pending(&self) -> bool {
        use leptos::prelude::*;
        self.action.pending().get()
    }
}
