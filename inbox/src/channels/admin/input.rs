//! A channel as typed into the Channels page's form, validated into the credentials it makes.
//! Secrets left empty keep the stored ones.

use crate::channels::credentials::{new_secret, Credentials};
use crate::Error;
use model::{ChannelKind, Reason};

/// The longest channel name.
pub const NAME_MAX: usize = 60;

/// A channel as typed into the form. Secrets left empty keep the stored ones.
#[derive(Debug, Clone)]
pub struct ChannelInput {
    pub name: String,
    pub fields: KindFields,
}

#[derive(Clone)]
pub enum KindFields {
    Meta {
        phone_number_id: String,
        business_account_id: String,
        graph_url: String,
        access_token: String,
        app_secret: String,
    },
    Whapi {
        base_url: String,
        token: String,
    },
}

impl std::fmt::Debug for KindFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KindFields::Meta { .. } => "Meta(<redacted>)",
            KindFields::Whapi { .. } => "Whapi(<redacted>)",
        })
    }
}

impl KindFields {
    pub fn kind(&self) -> ChannelKind {
        match self {
            KindFields::Meta { .. } => ChannelKind::Meta,
            KindFields::Whapi { .. } => ChannelKind::Whapi,
        }
    }

    /// The credentials these fields make, secrets filled in from `old` where left empty.
    pub(super) fn credentials(
        &self,
        old: Option<&Credentials>,
    ) -> Result<(String, Credentials), Error> {
        let keep = |typed: &str, field: &'static str, old: Option<String>| {
            let typed = typed.trim();
            if !typed.is_empty() {
                return Ok(typed.to_string());
            }
            old.filter(|s| !s.is_empty())
                .ok_or(Error::invalid(field, Reason::ChannelFieldRequired))
        };
        match self {
            KindFields::Meta {
                phone_number_id,
                business_account_id,
                graph_url,
                access_token,
                app_secret,
            } => {
                let (old_token, old_secret, old_verify) = match old {
                    Some(Credentials::Meta {
                        access_token,
                        app_secret,
                        verify_token,
                        ..
                    }) => (
                        Some(access_token.clone()),
                        Some(app_secret.clone()),
                        Some(verify_token.clone()),
                    ),
                    _ => (None, None, None),
                };
                let number = phone_number_id.trim();
                if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(Error::invalid(
                        "phone_number_id",
                        Reason::ChannelFieldRequired,
                    ));
                }
                Ok((
                    number.to_string(),
                    Credentials::Meta {
                        graph_url: url(graph_url, whatsapp::MetaConfig::DEFAULT_GRAPH_URL)?,
                        access_token: keep(access_token, "access_token", old_token)?,
                        phone_number_id: number.to_string(),
                        business_account_id: business_account_id.trim().to_string(),
                        app_secret: keep(app_secret, "app_secret", old_secret)?,
                        verify_token: old_verify
                            .filter(|v| !v.is_empty())
                            .unwrap_or_else(new_secret),
                    },
                ))
            }
            KindFields::Whapi { base_url, token } => {
                let (old_token, old_webhook_secret, old_channel) = match old {
                    Some(Credentials::Whapi {
                        token,
                        webhook_secret,
                        channel_id,
                        ..
                    }) => (
                        Some(token.clone()),
                        webhook_secret.clone(),
                        channel_id.clone(),
                    ),
                    _ => (None, None, None),
                };
                Ok((
                    String::new(),
                    Credentials::Whapi {
                        base_url: url(base_url, whatsapp::WhapiConfig::DEFAULT_BASE_URL)?,
                        token: keep(token, "token", old_token)?,
                        webhook_secret: old_webhook_secret,
                        channel_id: old_channel,
                    },
                ))
            }
        }
    }
}

/// An `http(s)://` URL, or `default` when left empty.
fn url(typed: &str, default: &str) -> Result<String, Error> {
    let typed = typed.trim().trim_end_matches('/');
    if typed.is_empty() {
        return Ok(default.to_string());
    }
    let ok = (typed.starts_with("https://") || typed.starts_with("http://"))
        && !typed.contains(char::is_whitespace);
    if !ok {
        return Err(Error::invalid("url", Reason::UrlInvalid));
    }
    Ok(typed.to_string())
}

pub(super) fn validate_name(name: &str) -> Result<String, Error> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > NAME_MAX {
        return Err(Error::invalid("name", Reason::ChannelNameLength));
    }
    Ok(n.to_string())
}
