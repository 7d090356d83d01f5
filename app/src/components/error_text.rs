//! Turns an `AppError` into translated text. Server reasons are stable codes
//! (`username_taken`, `last_admin`, ...) so that every language can word them.

use crate::i18n::*;
use crate::AppError;
use leptos::prelude::*;

pub fn error_message(i18n: leptos_i18n::I18nContext<Locale>, e: &AppError) -> String {
    match e {
        AppError::Unauthenticated => t_string!(i18n, err_unauthenticated).to_string(),
        AppError::Forbidden => t_string!(i18n, err_forbidden).to_string(),
        AppError::NotFound => t_string!(i18n, err_not_found).to_string(),
        AppError::BadCredentials => t_string!(i18n, err_bad_credentials).to_string(),
        AppError::TooManyRequests { retry_after_secs } => {
            t_string!(i18n, err_throttled, secs = *retry_after_secs).to_string()
        }
        AppError::Invalid { reason, .. } | AppError::Conflict(reason) => {
            reason_message(i18n, reason)
        }
        AppError::Internal | AppError::ServerFn(_) => t_string!(i18n, err_internal).to_string(),
    }
}

fn reason_message(i18n: leptos_i18n::I18nContext<Locale>, code: &str) -> String {
    match code {
        "username_format" => t_string!(i18n, reason_username_format).to_string(),
        "username_taken" => t_string!(i18n, reason_username_taken).to_string(),
        "display_name_length" => t_string!(i18n, reason_display_name_length).to_string(),
        "password_too_short" => t_string!(i18n, reason_password_too_short).to_string(),
        "password_too_long" => t_string!(i18n, reason_password_too_long).to_string(),
        "role_invalid" => t_string!(i18n, reason_role_invalid).to_string(),
        "first_admin_exists" => t_string!(i18n, reason_first_admin_exists).to_string(),
        "last_admin" => t_string!(i18n, reason_last_admin).to_string(),
        "cannot_deactivate_self" => t_string!(i18n, reason_cannot_deactivate_self).to_string(),
        "reply_empty" => t_string!(i18n, reason_reply_empty).to_string(),
        "outside_24h_window" => t_string!(i18n, reason_outside_24h_window).to_string(),
        "not_failed" => t_string!(i18n, reason_not_failed).to_string(),
        "phone_invalid" => t_string!(i18n, reason_phone_invalid).to_string(),
        "mode_invalid" => t_string!(i18n, reason_mode_invalid).to_string(),
        "tab_invalid" => t_string!(i18n, reason_tab_invalid).to_string(),
        "already_assigned" => t_string!(i18n, reason_already_assigned).to_string(),
        "assignee_inactive" => t_string!(i18n, reason_assignee_inactive).to_string(),
        "keyword_length" => t_string!(i18n, reason_keyword_length).to_string(),
        "keyword_without_text" => t_string!(i18n, reason_keyword_without_text).to_string(),
        "reply_length" => t_string!(i18n, reason_reply_length).to_string(),
        "unknown_time_zone" => t_string!(i18n, reason_unknown_time_zone).to_string(),
        "empty_hours" => t_string!(i18n, reason_empty_hours).to_string(),
        "time_invalid" => t_string!(i18n, reason_time_invalid).to_string(),
        "match_type_invalid" => t_string!(i18n, reason_match_type_invalid).to_string(),
        "capacity_invalid" => t_string!(i18n, reason_capacity_invalid).to_string(),
        other => other.to_string(),
    }
}

#[component]
pub fn ErrorText(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    let text = move || error_message(i18n, &error);
    view! { <p class="error" role="alert">{text}</p> }
}
