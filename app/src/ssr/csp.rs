//! The Content-Security-Policy of every page: scripts only from this server, plus the inline
//! scripts Leptos writes for hydration and streaming, which carry this response's nonce
//! (leptos_axum makes a fresh one per request); WebAssembly may be compiled; nothing loads from
//! elsewhere; no page may be framed.

use axum::http::{header, HeaderValue};
use leptos::prelude::use_context;

/// The policy for a page whose inline scripts carry `nonce`.
pub fn policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// Sets the policy on the page being rendered (called from the shell, before it streams).
pub fn set_policy() {
    let Some(res) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    let Some(nonce) = leptos::nonce::use_nonce() else {
        tracing::error!("no nonce for this page; it is served without inline scripts allowed");
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&policy(&nonce)) {
        res.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}
