//! What the Channels page does: list, add, edit (secrets are write-only: an empty field keeps
//! the stored one), test the connection, switch per-channel behaviour, disable, delete. Every
//! change is announced (`channel.changed`) in the transaction that makes it, so every server
//! process reloads the channel; this process reloads it at once.
//!
//! - [`input`]: the form's fields, validated into credentials.
//! - `view`: a channel as the page shows it.

mod input;
mod view;

pub use input::{ChannelInput, KindFields, NAME_MAX};

use super::credentials::new_secret;
use super::{Channel, Channels};
use crate::db::{channels, events};
use crate::Error;
use input::validate_name;
use model::{
    ChannelChange, ChannelHealth, ChannelId, ChannelKind, ChannelSettings, ChannelView, LiveEvent,
    Reason, MAX_REPLY_DELAY_SECS,
};
use sqlx::{PgConnection, PgPool};

/// Announces a change of `id` to every server process (and to open pages), in the caller's
/// transaction: it is delivered when the change commits.
async fn announce_in(conn: &mut PgConnection, id: ChannelId) -> Result<(), Error> {
    events::publish(
        conn,
        &LiveEvent::ChannelChanged(ChannelChange { channel_id: id }),
    )
    .await
}

/// [`announce_in`] on a connection of its own (the change is committed already).
pub async fn announce(pool: &PgPool, id: ChannelId) -> Result<(), Error> {
    announce_in(&mut *pool.acquire().await?, id).await
}

impl Channels {
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
        announce_in(&mut tx, id).await?;
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
        announce_in(&mut tx, id).await?;
        tx.commit().await?;
        tracing::info!(channel_id = %id, "channel updated");
        self.reload(id).await?;
        self.check(id).await?;
        self.view_of(id).await
    }

    /// Calls the provider with the stored credentials and stores what came back (an admin's
    /// "Test connection": announced, so every page shows the new time).
    pub async fn check(&self, id: ChannelId) -> Result<ChannelHealth, Error> {
        self.test_connection(id, true).await
    }

    /// The periodic test: announced only when the channel's state changed (connected, or
    /// failed and why), so an unchanged number reloads nothing anywhere.
    async fn recheck(&self, id: ChannelId) -> Result<ChannelHealth, Error> {
        self.test_connection(id, false).await
    }

    async fn test_connection(&self, id: ChannelId, always: bool) -> Result<ChannelHealth, Error> {
        let state_of =
            |row: Option<channels::ChannelRow>| row.map(|r| (r.check_state, r.check_failure));
        let before = state_of(channels::find(self.pool(), id).await?);
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
        if always || state_of(channels::find(self.pool(), id).await?) != before {
            announce(self.pool(), id).await?;
        }
        Ok(self.view_of(id).await?.health)
    }

    pub async fn set_enabled(&self, id: ChannelId, enabled: bool) -> Result<ChannelView, Error> {
        if self.get(id).is_none() {
            return Err(Error::NotFound);
        }
        let mut tx = self.pool().begin().await?;
        channels::set_enabled(&mut tx, id, enabled).await?;
        announce_in(&mut tx, id).await?;
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
        announce_in(&mut tx, id).await?;
        tx.commit().await?;
        self.reload(id).await?;
        self.view_of(id).await
    }

    /// Tests every enabled provider channel every `every` until `shutdown`, so a number that
    /// drops (a token revoked, a linked phone logged out) shows on the Channels page, in
    /// `/status`, and as a `connection.update` webhook without an admin pressing "Test
    /// connection".
    pub async fn check_until_stopped(
        self: std::sync::Arc<Self>,
        every: std::time::Duration,
        shutdown: impl std::future::Future<Output = ()>,
    ) {
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                _ = &mut shutdown => return,
                _ = tokio::time::sleep(every) => {}
            }
            for channel in self.list() {
                if !channel.enabled || channel.kind == ChannelKind::Sandbox {
                    continue;
                }
                if let Err(e) = self.recheck(channel.id).await {
                    tracing::warn!(channel_id = %channel.id, error = %e, "periodic connection test failed to run");
                }
            }
        }
    }

    /// Marks the channel as the API's default (unmarking any other), or unmarks it.
    pub async fn set_api_default(&self, id: ChannelId, on: bool) -> Result<ChannelView, Error> {
        let mut tx = self.pool().begin().await?;
        if !channels::set_api_default(&mut tx, id, on).await? {
            return Err(Error::NotFound);
        }
        announce_in(&mut tx, id).await?;
        tx.commit().await?;
        tracing::info!(channel_id = %id, on, "API default channel set");
        self.view_of(id).await
    }

    /// Deletes a channel without chats; one with chats can only be disabled.
    pub async fn delete(&self, id: ChannelId) -> Result<(), Error> {
        self.editable(id)?;
        let mut tx = self.pool().begin().await?;
        if !channels::delete_without_chats(&mut tx, id).await? {
            return Err(Error::Conflict(Reason::ChannelHasChats));
        }
        announce_in(&mut tx, id).await?;
        tx.commit().await?;
        tracing::info!(channel_id = %id, "channel deleted");
        self.reload(id).await?;
        Ok(())
    }
}
