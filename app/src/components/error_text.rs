//! Turns an `AppError` into translated text. Server reasons are the `Reason` enum (stable
//! codes on the wire: `username_taken`, `last_admin`, ...), so that every language can word
//! them.

use crate::i18n::*;
use crate::model::Reason;
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
        // The empty variable of a template is named.
        AppError::Invalid {
            field,
            reason: Reason::TemplateValueMissing,
        } if field != "values" => t_string!(
            i18n,
            reason_template_value_missing_named,
            name = field.clone()
        )
        .to_string(),
        AppError::Invalid { reason, .. } | AppError::Conflict(reason) => {
            reason_message(i18n, reason)
        }
        AppError::Internal | AppError::ServerFn(_) => t_string!(i18n, err_internal).to_string(),
    }
}

/// Every reason has its words: the match is exhaustive, so a new `Reason` cannot ship
/// untranslated.
fn reason_message(i18n: leptos_i18n::I18nContext<Locale>, reason: &Reason) -> String {
    match reason {
        Reason::UsernameFormat => t_string!(i18n, reason_username_format).to_string(),
        Reason::UsernameTaken => t_string!(i18n, reason_username_taken).to_string(),
        Reason::DisplayNameLength => t_string!(i18n, reason_display_name_length).to_string(),
        Reason::PasswordTooShort => t_string!(i18n, reason_password_too_short).to_string(),
        Reason::PasswordTooLong => t_string!(i18n, reason_password_too_long).to_string(),
        Reason::RoleInvalid => t_string!(i18n, reason_role_invalid).to_string(),
        Reason::FirstAdminExists => t_string!(i18n, reason_first_admin_exists).to_string(),
        Reason::LastAdmin => t_string!(i18n, reason_last_admin).to_string(),
        Reason::CannotDeactivateSelf => t_string!(i18n, reason_cannot_deactivate_self).to_string(),
        Reason::ReplyEmpty => t_string!(i18n, reason_reply_empty).to_string(),
        Reason::Outside24hWindow => t_string!(i18n, reason_outside_24h_window).to_string(),
        Reason::NotFailed => t_string!(i18n, reason_not_failed).to_string(),
        Reason::PhoneInvalid => t_string!(i18n, reason_phone_invalid).to_string(),
        Reason::ModeInvalid => t_string!(i18n, reason_mode_invalid).to_string(),
        Reason::TabInvalid => t_string!(i18n, reason_tab_invalid).to_string(),
        Reason::AlreadyAssigned => t_string!(i18n, reason_already_assigned).to_string(),
        Reason::AssigneeInactive => t_string!(i18n, reason_assignee_inactive).to_string(),
        Reason::KeywordLength => t_string!(i18n, reason_keyword_length).to_string(),
        Reason::KeywordWithoutText => t_string!(i18n, reason_keyword_without_text).to_string(),
        Reason::ReplyLength => t_string!(i18n, reason_reply_length).to_string(),
        Reason::UnknownTimeZone => t_string!(i18n, reason_unknown_time_zone).to_string(),
        Reason::EmptyHours => t_string!(i18n, reason_empty_hours).to_string(),
        Reason::TimeInvalid => t_string!(i18n, reason_time_invalid).to_string(),
        Reason::MatchTypeInvalid => t_string!(i18n, reason_match_type_invalid).to_string(),
        Reason::CapacityInvalid => t_string!(i18n, reason_capacity_invalid).to_string(),
        Reason::ContactWithoutIdentity => {
            t_string!(i18n, reason_contact_without_identity).to_string()
        }
        Reason::ChannelNameLength => t_string!(i18n, reason_channel_name_length).to_string(),
        Reason::ChannelFieldRequired => t_string!(i18n, reason_channel_field_required).to_string(),
        Reason::ChannelKindInvalid => t_string!(i18n, reason_channel_kind_invalid).to_string(),
        Reason::ChannelNumberTaken => t_string!(i18n, reason_channel_number_taken).to_string(),
        Reason::ChannelHasChats => t_string!(i18n, reason_channel_has_chats).to_string(),
        Reason::ChannelFromEnv => t_string!(i18n, reason_channel_from_env).to_string(),
        Reason::ReplyDelayInvalid => t_string!(i18n, reason_reply_delay_invalid).to_string(),
        Reason::UrlInvalid => t_string!(i18n, reason_url_invalid).to_string(),
        Reason::FileType => t_string!(i18n, reason_file_type).to_string(),
        Reason::FileTooLarge => t_string!(i18n, reason_file_too_large).to_string(),
        Reason::FileEmpty => t_string!(i18n, reason_file_empty).to_string(),
        Reason::FilesNotSupported => t_string!(i18n, reason_files_not_supported).to_string(),
        Reason::CaptionLength => t_string!(i18n, reason_caption_length).to_string(),
        Reason::QuoteNotFound => t_string!(i18n, reason_quote_not_found).to_string(),
        Reason::QuotesNotSupported => t_string!(i18n, reason_quotes_not_supported).to_string(),
        Reason::UploadInvalid => t_string!(i18n, reason_upload_invalid).to_string(),
        Reason::TemplatesNotSupported => {
            t_string!(i18n, reason_templates_not_supported).to_string()
        }
        Reason::TemplateSyncFailed => t_string!(i18n, reason_template_sync_failed).to_string(),
        Reason::TemplateNotFound => t_string!(i18n, reason_template_not_found).to_string(),
        Reason::TemplateNotApproved => t_string!(i18n, reason_template_not_approved).to_string(),
        Reason::TemplateNotSupported => t_string!(i18n, reason_template_not_supported).to_string(),
        Reason::TemplateValueMissing => t_string!(i18n, reason_template_value_missing).to_string(),
        Reason::TemplateHeaderFile => t_string!(i18n, reason_template_header_file).to_string(),
        Reason::ApiKeyNameLength => t_string!(i18n, reason_api_key_name_length).to_string(),
        Reason::ButtonLimitExceeded => t_string!(i18n, reason_button_limit_exceeded).to_string(),
        Reason::ButtonParams => t_string!(i18n, reason_button_params).to_string(),
        Reason::ChannelDisabled => t_string!(i18n, reason_channel_disabled).to_string(),
        Reason::ReactionInvalid => t_string!(i18n, reason_reaction_invalid).to_string(),
        Reason::ReactionsNotSupported => {
            t_string!(i18n, reason_reactions_not_supported).to_string()
        }
        Reason::ChannelRequired => t_string!(i18n, reason_channel_required).to_string(),
        Reason::WebhookUrlPrivate => t_string!(i18n, reason_webhook_url_private).to_string(),
        Reason::WebhookEventUnknown => t_string!(i18n, reason_webhook_event_unknown).to_string(),
        Reason::WebhookSecretLength => t_string!(i18n, reason_webhook_secret_length).to_string(),
        Reason::IdempotencyKeyReused => t_string!(i18n, reason_idempotency_key_reused).to_string(),
        Reason::MediaInvalid => t_string!(i18n, reason_media_invalid).to_string(),
    }
}

#[component]
pub fn ErrorText(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    let text = move || error_message(i18n, &error);
    view! { <p class="error" role="alert">{text}</p> }
}
