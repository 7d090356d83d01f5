//! Small pieces the chat list and the conversation share: the ticking clock for relative
//! times, a mode's label, a contact's title.

use crate::i18n::*;
use crate::model::{ChatSummary, Mode};
use leptos::prelude::*;

/// Ticks every minute after hydration so relative times stay true ("now" is `None` while the
/// server renders, so server and browser render the same first HTML).
pub fn use_now() -> ReadSignal<Option<chrono::DateTime<chrono::Utc>>> {
    let (now, set_now) = signal(None);
    Effect::new(move |_| {
        set_now.set(Some(chrono::Utc::now()));
        #[cfg(feature = "hydrate")]
        {
            let handle = set_interval_with_handle(
                move || set_now.set(Some(chrono::Utc::now())),
                std::time::Duration::from_secs(60),
            );
            if let Ok(handle) = handle {
                on_cleanup(move || handle.clear());
            }
        }
    });
    now
}

pub fn mode_label(i18n: leptos_i18n::I18nContext<Locale>, mode: Mode) -> String {
    match mode {
        Mode::Bot => t_string!(i18n, mode_bot).to_string(),
        Mode::Agent => t_string!(i18n, mode_agent).to_string(),
        Mode::Paused => t_string!(i18n, mode_paused).to_string(),
        Mode::Closed => t_string!(i18n, mode_closed).to_string(),
    }
}

pub fn contact_title(c: &ChatSummary) -> String {
    c.contact_name
        .clone()
        .or_else(|| c.contact_phone.as_ref().map(|p| format!("+{p}")))
        .unwrap_or_else(|| "?".into())
}
