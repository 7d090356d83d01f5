//! Unsent replies by chat, for this browser tab (nothing on the server).

use crate::model::ChatId;

#[cfg(feature = "hydrate")]
thread_local! {
    static DRAFTS: std::cell::RefCell<std::collections::HashMap<ChatId, String>> =
        Default::default();
}

pub fn get(_chat_id: ChatId) -> String {
    #[cfg(feature = "hydrate")]
    return DRAFTS.with(|d| d.borrow().get(&_chat_id).cloned().unwrap_or_default());
    #[cfg(not(feature = "hydrate"))]
    String::new()
}

pub fn set(_chat_id: ChatId, _text: &str) {
    #[cfg(feature = "hydrate")]
    DRAFTS.with(|d| {
        let mut d = d.borrow_mut();
        if _text.is_empty() {
            d.remove(&_chat_id);
        } else {
            d.insert(_chat_id, _text.to_string());
        }
    });
}
