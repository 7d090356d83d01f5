//! The browser entry point: hydrates the server-rendered page with the `app` crate's components.

#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Asynchronous hydration (what `leptos::mount::hydrate_lazy` does): a page whose code is a
    // lazy chunk (the admin pages) loads it first, then hydrates.
    wasm_bindgen_futures::spawn_local(async {
        let body = leptos::prelude::document()
            .body()
            .expect("the page has a body");
        leptos::mount::hydrate_from_async(body.clone(), app::App)
            .await
            .forget();
        // The whole page has hydrated, the lazy part included: taps held before now are
        // replayed (`app/src/early_taps.js`), and the tests and the benchmark's first-screen
        // script wait for this mark.
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
