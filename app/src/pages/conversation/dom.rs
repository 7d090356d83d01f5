//! The conversation's steps on the page itself (browser only; no-ops while the server renders):
//! bringing a quoted message into view, putting the cursor in the composer.

use crate::model::MessageId;
#[cfg(feature = "hydrate")]
use leptos::prelude::*;

/// Scrolls message `id` into view and marks it for a moment; false when it is not shown.
pub fn show_message(_id: MessageId) -> bool {
    #[cfg(feature = "hydrate")]
    {
        let Some(el) = document().get_element_by_id(&format!("m-{}", _id.0)) else {
            return false;
        };
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Center);
        el.scroll_into_view_with_scroll_into_view_options(&options);
        let _ = el.class_list().add_1("flash");
        set_timeout(
            move || {
                let _ = el.class_list().remove_1("flash");
            },
            std::time::Duration::from_millis(1500),
        );
        true
    }
    #[cfg(not(feature = "hydrate"))]
    false
}

/// Puts the cursor in the composer.
pub fn focus_composer() {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(el) = document()
            .query_selector("[data-testid=composer]")
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    }
}
