//! Why a request was refused: one stable code per case, shared by the server (which raises
//! them) and the browser (which translates them). Serialised in `snake_case`
//! (`username_taken`), so scripts and tests can match the codes too. The browser's
//! translation matches this enum exhaustively: a new reason cannot ship untranslated.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    UsernameFormat,
    UsernameTaken,
    DisplayNameLength,
    PasswordTooShort,
    PasswordTooLong,
    RoleInvalid,
    FirstAdminExists,
    LastAdmin,
    CannotDeactivateSelf,
    ReplyEmpty,
    #[serde(rename = "outside_24h_window")]
    Outside24hWindow,
    NotFailed,
    PhoneInvalid,
    ModeInvalid,
    TabInvalid,
    AlreadyAssigned,
    AssigneeInactive,
    KeywordLength,
    KeywordWithoutText,
    ReplyLength,
    UnknownTimeZone,
    EmptyHours,
    TimeInvalid,
    MatchTypeInvalid,
    CapacityInvalid,
    ContactWithoutIdentity,
    ChannelNameLength,
    ChannelFieldRequired,
    ChannelKindInvalid,
    ChannelNumberTaken,
    ChannelHasChats,
    ChannelFromEnv,
    ReplyDelayInvalid,
    UrlInvalid,
    FileType,
    FileTooLarge,
    FileEmpty,
    FilesNotSupported,
    CaptionLength,
    QuoteNotFound,
    QuotesNotSupported,
    UploadInvalid,
    TemplatesNotSupported,
    TemplateSyncFailed,
    TemplateNotFound,
    TemplateNotApproved,
    TemplateNotSupported,
    TemplateValueMissing,
    /// A file attached to a template whose header takes none, or a file of another kind.
    TemplateHeaderFile,
    /// An API key's name is empty or over 80 characters.
    ApiKeyNameLength,
    /// More than 3 reply buttons (the seed gateway's `BUTTON_LIMIT_EXCEEDED`).
    ButtonLimitExceeded,
    /// A button or list part is blank, too long or repeated (`INVALID_BUTTON_PARAMS`);
    /// `field` names it.
    #[serde(rename = "invalid_button_params")]
    ButtonParams,
    /// The channel is switched off: nothing can be started on it.
    ChannelDisabled,
    /// Not one of the emoji an agent can react with.
    ReactionInvalid,
    /// The channel carries no reactions.
    ReactionsNotSupported,
    ChannelRequired,
    WebhookUrlPrivate,
    WebhookEventUnknown,
    WebhookSecretLength,
    IdempotencyKeyReused,
    MediaInvalid,
}

impl Reason {
    /// Every reason, for tests that check each one (translations, wire codes).
    pub const ALL: [Reason; 61] = [
        Reason::UsernameFormat,
        Reason::UsernameTaken,
        Reason::DisplayNameLength,
        Reason::PasswordTooShort,
        Reason::PasswordTooLong,
        Reason::RoleInvalid,
        Reason::FirstAdminExists,
        Reason::LastAdmin,
        Reason::CannotDeactivateSelf,
        Reason::ReplyEmpty,
        Reason::Outside24hWindow,
        Reason::NotFailed,
        Reason::PhoneInvalid,
        Reason::ModeInvalid,
        Reason::TabInvalid,
        Reason::AlreadyAssigned,
        Reason::AssigneeInactive,
        Reason::KeywordLength,
        Reason::KeywordWithoutText,
        Reason::ReplyLength,
        Reason::UnknownTimeZone,
        Reason::EmptyHours,
        Reason::TimeInvalid,
        Reason::MatchTypeInvalid,
        Reason::CapacityInvalid,
        Reason::ContactWithoutIdentity,
        Reason::ChannelNameLength,
        Reason::ChannelFieldRequired,
        Reason::ChannelKindInvalid,
        Reason::ChannelNumberTaken,
        Reason::ChannelHasChats,
        Reason::ChannelFromEnv,
        Reason::ReplyDelayInvalid,
        Reason::UrlInvalid,
        Reason::FileType,
        Reason::FileTooLarge,
        Reason::FileEmpty,
        Reason::FilesNotSupported,
        Reason::CaptionLength,
        Reason::QuoteNotFound,
        Reason::QuotesNotSupported,
        Reason::UploadInvalid,
        Reason::TemplatesNotSupported,
        Reason::TemplateSyncFailed,
        Reason::TemplateNotFound,
        Reason::TemplateNotApproved,
        Reason::TemplateNotSupported,
        Reason::TemplateValueMissing,
        Reason::TemplateHeaderFile,
        Reason::ApiKeyNameLength,
        Reason::ButtonLimitExceeded,
        Reason::ButtonParams,
        Reason::ChannelDisabled,
        Reason::ReactionInvalid,
        Reason::ReactionsNotSupported,
        Reason::ChannelRequired,
        Reason::WebhookUrlPrivate,
        Reason::WebhookEventUnknown,
        Reason::WebhookSecretLength,
        Reason::IdempotencyKeyReused,
        Reason::MediaInvalid,
    ];

    /// The wire code (`username_taken`).
    pub fn code(self) -> &'static str {
        match self {
            Reason::UsernameFormat => "username_format",
            Reason::UsernameTaken => "username_taken",
            Reason::DisplayNameLength => "display_name_length",
            Reason::PasswordTooShort => "password_too_short",
            Reason::PasswordTooLong => "password_too_long",
            Reason::RoleInvalid => "role_invalid",
            Reason::FirstAdminExists => "first_admin_exists",
            Reason::LastAdmin => "last_admin",
            Reason::CannotDeactivateSelf => "cannot_deactivate_self",
            Reason::ReplyEmpty => "reply_empty",
            Reason::Outside24hWindow => "outside_24h_window",
            Reason::NotFailed => "not_failed",
            Reason::PhoneInvalid => "phone_invalid",
            Reason::ModeInvalid => "mode_invalid",
            Reason::TabInvalid => "tab_invalid",
            Reason::AlreadyAssigned => "already_assigned",
            Reason::AssigneeInactive => "assignee_inactive",
            Reason::KeywordLength => "keyword_length",
            Reason::KeywordWithoutText => "keyword_without_text",
            Reason::ReplyLength => "reply_length",
            Reason::UnknownTimeZone => "unknown_time_zone",
            Reason::EmptyHours => "empty_hours",
            Reason::TimeInvalid => "time_invalid",
            Reason::MatchTypeInvalid => "match_type_invalid",
            Reason::CapacityInvalid => "capacity_invalid",
            Reason::ContactWithoutIdentity => "contact_without_identity",
            Reason::ChannelNameLength => "channel_name_length",
            Reason::ChannelFieldRequired => "channel_field_required",
            Reason::ChannelKindInvalid => "channel_kind_invalid",
            Reason::ChannelNumberTaken => "channel_number_taken",
            Reason::ChannelHasChats => "channel_has_chats",
            Reason::ChannelFromEnv => "channel_from_env",
            Reason::ReplyDelayInvalid => "reply_delay_invalid",
            Reason::UrlInvalid => "url_invalid",
            Reason::FileType => "file_type",
            Reason::FileTooLarge => "file_too_large",
            Reason::FileEmpty => "file_empty",
            Reason::FilesNotSupported => "files_not_supported",
            Reason::CaptionLength => "caption_length",
            Reason::QuoteNotFound => "quote_not_found",
            Reason::QuotesNotSupported => "quotes_not_supported",
            Reason::UploadInvalid => "upload_invalid",
            Reason::TemplatesNotSupported => "templates_not_supported",
            Reason::TemplateSyncFailed => "template_sync_failed",
            Reason::TemplateNotFound => "template_not_found",
            Reason::TemplateNotApproved => "template_not_approved",
            Reason::TemplateNotSupported => "template_not_supported",
            Reason::TemplateValueMissing => "template_value_missing",
            Reason::TemplateHeaderFile => "template_header_file",
            Reason::ApiKeyNameLength => "api_key_name_length",
            Reason::ButtonLimitExceeded => "button_limit_exceeded",
            Reason::ButtonParams => "invalid_button_params",
            Reason::ChannelDisabled => "channel_disabled",
            Reason::ReactionInvalid => "reaction_invalid",
            Reason::ReactionsNotSupported => "reactions_not_supported",
            Reason::ChannelRequired => "channel_required",
            Reason::WebhookUrlPrivate => "webhook_url_private",
            Reason::WebhookEventUnknown => "webhook_event_unknown",
            Reason::WebhookSecretLength => "webhook_secret_length",
            Reason::IdempotencyKeyReused => "idempotency_key_reused",
            Reason::MediaInvalid => "media_invalid",
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_code_is_the_serde_name() {
        for r in Reason::ALL {
            assert_eq!(
                serde_json::to_string(&r).unwrap(),
                format!("\"{}\"", r.code())
            );
        }
    }
}
