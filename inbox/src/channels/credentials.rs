//! What a channel's credentials are: as configured from the environment, as typed on the
//! Channels page, and as stored (sealed) in `channel.credentials`; the adapters built from
//! them. This is the one place that knows which fields each kind has.

use model::{ChannelConfig, ChannelKind, SecretHint};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use whatsapp::{MetaConfig, MetaProvider, Provider, WhapiConfig, WhapiProvider};

/// `WHATSAPP_*`: one Meta number. Other numbers of the same app are registered automatically
/// when their (signed) webhooks arrive.
#[derive(Clone)]
pub struct MetaEnv {
    pub graph_url: String,
    pub access_token: String,
    pub phone_number_id: String,
    pub business_account_id: String,
    pub app_secret: String,
    pub verify_token: String,
}

/// `WHAPI_*`: one Whapi channel.
#[derive(Clone)]
pub struct WhapiEnv {
    pub base_url: String,
    pub token: String,
    pub webhook_secret: Option<String>,
    pub channel_id: Option<String>,
}

/// What is stored (encrypted) in `channel.credentials`.
#[derive(Clone, Serialize, Deserialize)]
#[serde(tag = "provider", rename_all = "lowercase")]
pub enum Credentials {
    Meta {
        graph_url: String,
        access_token: String,
        phone_number_id: String,
        business_account_id: String,
        app_secret: String,
        verify_token: String,
    },
    Whapi {
        base_url: String,
        token: String,
        /// The secret of the environment's webhook routes (`/webhook/whapi?secret=`); a
        /// channel's own route is authenticated by its webhook key.
        webhook_secret: Option<String>,
        channel_id: Option<String>,
    },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({:?}, <redacted>)", self.kind())
    }
}

impl Credentials {
    pub fn meta(m: &MetaEnv, phone_number_id: &str) -> Credentials {
        Credentials::Meta {
            graph_url: m.graph_url.clone(),
            access_token: m.access_token.clone(),
            phone_number_id: phone_number_id.to_string(),
            business_account_id: m.business_account_id.clone(),
            app_secret: m.app_secret.clone(),
            verify_token: m.verify_token.clone(),
        }
    }

    pub fn whapi(w: &WhapiEnv) -> Credentials {
        Credentials::Whapi {
            base_url: w.base_url.clone(),
            token: w.token.clone(),
            webhook_secret: w.webhook_secret.clone(),
            channel_id: w.channel_id.clone(),
        }
    }

    pub fn kind(&self) -> ChannelKind {
        match self {
            Credentials::Meta { .. } => ChannelKind::Meta,
            Credentials::Whapi { .. } => ChannelKind::Whapi,
        }
    }

    /// The same account's credentials for another of its numbers (Meta: one app, one token,
    /// many phone number ids); `None` for kinds whose channel is one number.
    pub fn for_number(&self, key: &str) -> Option<Credentials> {
        match self {
            Credentials::Meta { .. } => {
                let mut c = self.clone();
                if let Credentials::Meta {
                    phone_number_id, ..
                } = &mut c
                {
                    *phone_number_id = key.to_string();
                }
                Some(c)
            }
            Credentials::Whapi { .. } => None,
        }
    }

    /// The adapter these credentials drive.
    pub fn provider(&self, http: &reqwest::Client) -> Arc<dyn Provider> {
        match self {
            Credentials::Meta {
                graph_url,
                access_token,
                phone_number_id,
                business_account_id,
                app_secret,
                verify_token,
            } => Arc::new(MetaProvider::new(
                MetaConfig {
                    graph_url: graph_url.clone(),
                    access_token: access_token.clone(),
                    phone_number_id: phone_number_id.clone(),
                    business_account_id: business_account_id.clone(),
                    app_secret: app_secret.clone(),
                    verify_token: verify_token.clone(),
                },
                http.clone(),
            )),
            Credentials::Whapi {
                base_url,
                token,
                webhook_secret,
                channel_id,
            } => Arc::new(WhapiProvider::new(
                WhapiConfig {
                    base_url: base_url.clone(),
                    token: token.clone(),
                    webhook_secret: webhook_secret.clone(),
                    channel_id: channel_id.clone(),
                },
                http.clone(),
            )),
        }
    }

    /// The non-secret fields, for the edit form.
    pub fn config(&self) -> ChannelConfig {
        match self {
            Credentials::Meta {
                graph_url,
                phone_number_id,
                business_account_id,
                verify_token,
                ..
            } => ChannelConfig::Meta {
                phone_number_id: phone_number_id.clone(),
                business_account_id: business_account_id.clone(),
                graph_url: graph_url.clone(),
                verify_token: verify_token.clone(),
            },
            Credentials::Whapi { base_url, .. } => ChannelConfig::Whapi {
                base_url: base_url.clone(),
            },
        }
    }

    /// That each secret is set, and its last four characters.
    pub fn hints(&self) -> Vec<SecretHint> {
        match self {
            Credentials::Meta {
                access_token,
                app_secret,
                ..
            } => vec![
                hint("access_token", access_token),
                hint("app_secret", app_secret),
            ],
            Credentials::Whapi { token, .. } => vec![hint("token", token)],
        }
    }

    /// The environment's Whapi webhook secret.
    pub fn whapi_webhook_secret(&self) -> Option<&str> {
        match self {
            Credentials::Whapi { webhook_secret, .. } => {
                webhook_secret.as_deref().filter(|s| !s.is_empty())
            }
            Credentials::Meta { .. } => None,
        }
    }
}

fn hint(field: &str, secret: &str) -> SecretHint {
    let chars: Vec<char> = secret.chars().collect();
    SecretHint {
        field: field.to_string(),
        // Short secrets would be mostly shown: only say that they are set.
        last4: (chars.len() >= 12).then(|| chars[chars.len() - 4..].iter().collect()),
    }
}

/// The associated data that binds sealed credentials to their channel.
pub(super) fn aad(kind: ChannelKind, key: &str) -> Vec<u8> {
    format!("channel:{}:{key}", kind.as_str()).into_bytes()
}

/// 32 random bytes, as 64 hex characters.
pub fn new_secret() -> String {
    use rand::Rng;
    let bytes: [u8; 32] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
