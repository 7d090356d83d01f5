//! What the Channels page does: list, add, edit (secrets are write-only: an empty field keeps
//! the stored one), test the connection, switch per-channel behaviour, disable, delete. Every
//! change is announced (`channel.changed`) in the transaction that makes it, so every server
//! process reloads the channel; this process reloads it at once.

use super::credentials::{new_secret, Credentials};
use super::{Channel, Channels};
use crate::db::{channels, events};
use crate::Error;
use model::{
    ChannelChange, ChannelHealth, ChannelId, ChannelKind, ChannelSettings, ChannelView, LiveEvent,
    Reason, MAX_REPLY_DELAY_SECS,
};
use sqlx::PgPool;
use std::collections::HashMap;

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
    fn credentials(&self, old: Option<&Credentials>) -> Result<(String, Credentials), Error> {
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

fn validate_name(name: &str) -> Result<String, Error> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > NAME_MAX {
        return Err(Error::invalid("name", Reason::ChannelNameLength));
    }
    Ok(n.to_string())
}

/// Announces a change of `id` to every server process (and to open pages).
pub async fn announce(pool: &PgPool, id: ChannelId) -> Result<(), Error> {
    let mut conn = pool.acquire().await?;
    events::publish(
        &mut conn,
        &LiveEvent::ChannelChanged(ChannelChange { channel_id: id }),
    )
    .await
}

impl Channels {
    /// Every channel as the page shows it.
    pub async fn views(&self) -> Result<Vec<ChannelView>, Error> {
        let rows = channels::all(self.pool()).await?;
        let chats: HashMap<ChannelId, i64> = channels::chat_counts(self.pool())
            .await?
            .into_iter()
            .collect();
        Ok(rows
            .into_iter()
            .map(|row| {
                let loaded = self.get(row.channel_id);
                view(row, loaded.as_deref(), &chats)
            })
            .collect())
    }

    fn editable(&self, id: ChannelId) -> Result<std::sync::Arc<Channel>, Error> {
        let channel = self.get(id).ok_or(Error::NotFound)?;
        if channel.from_env || channel.kind == ChannelKind::Sandbox {
            return Err(Error::Conflict(Reason::ChannelFromEnv));
        }
        Ok(channel)
    }

    /// Adds a channel, then tests its connection (the result is stored with it).
    pub async fn create(&self, input: ChannelInput) -> Result<ChannelView, Error> {
        let name = validate_name(&input.name)?;
        let kind = input.fields.kind();
        let (mut key, credentials) = input.fields.credentials(None)?;
        if key.is_empty() {
            // A channel that is one account (Whapi): its key only has to be unique.
            key = format!("{}-{}", kind.as_str(), &new_secret()[..16]);
        }
        let sealed = self.keys().seal(kind, &key, &credentials)?;
        let mut tx = self.pool().begin().await?;
        let id = channels::insert(&mut tx, kind, &key, &name, &sealed, false)
            .await?
            .ok_or(Error::invalid(
                "phone_number_id",
                Reason::ChannelNumberTaken,
            ))?;
        events::publish(
            &mut tx,
            &LiveEvent::ChannelChanged(ChannelChange { channel_id: id }),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(channel_id = %id, kind = %kind, %name, "channel added");
        self.reload(id).await?;
        self.check(id).await?;
        self.view_of(id).await
    }

    /// Renames a channel and replaces what was typed (empty secrets keep the stored ones),
    /// then tests its connection again.
    pub async fn update(&self, id: ChannelId, input: ChannelInput) -> Result<ChannelView, Error> {
        let channel = self.editable(id)?;
        let name = validate_name(&input.name)?;
        if input.fields.kind() != channel.kind {
            return Err(Error::invalid("kind", Reason::ChannelKindInvalid));
        }
        let (key, credentials) = input.fields.credentials(channel.credentials())?;
        if !key.is_empty() && key != channel.key {
            // The number is the channel's identity (its chats and messages are keyed by it):
            // another number is another channel.
            return Err(Error::invalid(
                "phone_number_id",
                Reason::ChannelNumberTaken,
            ));
        }
        let sealed = self.keys().seal(channel.kind, &channel.key, &credentials)?;
        let mut tx = self.pool().begin().await?;
        if !channels::update(&mut tx, id, &name, &sealed).await? {
            return Err(Error::NotFound);
        }
        events::publish(
            &mut tx,
            &LiveEvent::ChannelChanged(ChannelChange { channel_id: id }),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(channel_id = %id, "channel updated");
        self.reload(id).await?;
        self.check(id).await?;
        self.view_of(id).await
    }

    /// Calls the provider with the stored credentials and stores what came back.
    pub async fn check(&self, id: ChannelId) -> Result<ChannelHealth, Error> {
        let channel = self.get(id).ok_or(Error::NotFound)?;
        let Ok(provider) = channel.adapter() else {
            return Ok(ChannelHealth::Unreadable);
        };
        let result = provider.check(self.check_timeout()).await;
        match &result {
            Ok(info) => {
                let summary = [
                    info.name.clone(),
                    info.display_phone.clone(),
                    info.quality.clone(),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ");
                channels::record_check(
                    self.pool(),
                    id,
                    Ok((info.display_phone.as_deref(), &summary)),
                )
                .await?;
                tracing::info!(channel_id = %id, %summary, "connection test passed");
            }
            Err(failure) => {
                channels::record_check(self.pool(), id, Err((failure.code(), &failure.detail())))
                    .await?;
                tracing::warn!(channel_id = %id, failure = failure.code(), detail = %failure.detail(), "connection test failed");
            }
        }
        announce(self.pool(), id).await?;
        Ok(self.view_of(id).await?.health)
    }

    pub async fn set_enabled(&self, id: ChannelId, enabled: bool) -> Result<ChannelView, Error> {
        if self.get(id).is_none() {
            return Err(Error::NotFound);
        }
        let mut tx = self.pool().begin().await?;
        channels::set_enabled(&mut tx, id, enabled).await?;
        events::publish(
            &mut tx,
            &LiveEvent::ChannelChanged(ChannelChange { channel_id: id }),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(channel_id = %id, enabled, "channel switched");
        self.reload(id).await?;
        self.view_of(id).await
    }

    pub async fn set_settings(
        &self,
        id: ChannelId,
        settings: ChannelSettings,
    ) -> Result<ChannelView, Error> {
        if settings.reply_delay_secs > MAX_REPLY_DELAY_SECS {
            return Err(Error::invalid(
                "reply_delay_secs",
                Reason::ReplyDelayInvalid,
            ));
        }
        if self.get(id).is_none() {
            return Err(Error::NotFound);
        }
        let mut tx = self.pool().begin().await?;
        channels::set_settings(&mut tx, id, &settings).await?;
        events::publish(
            &mut tx,
            &LiveEvent::ChannelChanged(ChannelChange { channel_id: id }),
        )
        .await?;
        tx.commit().await?;
        self.reload(id).await?;
        self.view_of(id).await
    }

    /// Deletes a channel without chats; one with chats can only be disabled.
    pub async fn delete(&self, id: ChannelId) -> Result<(), Error> {
        self.editable(id)?;
        let mut tx = self.pool().begin().await?;
        if !channels::delete_without_chats(&mut tx, id).await? {
            return Err(Error::Conflict(Reason::ChannelHasChats));
        }
        events::publish(
            &mut tx,
            &LiveEvent::ChannelChanged(ChannelChange { channel_id: id }),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(channel_id = %id, "channel deleted");
        self.reload(id).await?;
        Ok(())
    }

    async fn view_of(&self, id: ChannelId) -> Result<ChannelView, Error> {
        let row = channels::find(self.pool(), id)
            .await?
            .ok_or(Error::NotFound)?;
        let chats: HashMap<ChannelId, i64> = channels::chat_counts(self.pool())
            .await?
            .into_iter()
            .collect();
        Ok(view(row, self.get(id).as_deref(), &chats))
    }
}

fn view(
    row: channels::ChannelRow,
    loaded: Option<&Channel>,
    chats: &HashMap<ChannelId, i64>,
) -> ChannelView {
    let unreadable = loaded.is_some_and(Channel::unreadable);
    let credentials = loaded.and_then(Channel::credentials);
    let health = match (unreadable, row.check_state.as_deref(), row.checked_at) {
        (true, _, _) => ChannelHealth::Unreadable,
        (false, Some("connected"), Some(at)) => ChannelHealth::Connected {
            summary: row.check_detail.clone().unwrap_or_default(),
            at,
        },
        (false, Some("failed"), Some(at)) => ChannelHealth::Failed {
            failure: row.check_failure.clone().unwrap_or_else(|| "other".into()),
            detail: row.check_detail.clone().unwrap_or_default(),
            at,
        },
        _ => ChannelHealth::Untested,
    };
    ChannelView {
        channel_id: row.channel_id,
        kind: row.kind,
        name: row.name,
        display_phone: row.display_phone,
        enabled: row.enabled,
        from_env: row.from_env,
        health,
        last_webhook_at: row.last_webhook_at,
        last_send_at: row.last_send_at,
        webhook_path: loaded.and_then(Channel::webhook_path),
        config: credentials.map(Credentials::config),
        secrets: credentials.map(Credentials::hints).unwrap_or_default(),
        settings: row.settings.0,
        chats: chats.get(&row.channel_id).copied().unwrap_or(0),
    }
}
