//! A channel as the Channels page shows it: its row, with what this process knows of it (the
//! decrypted credentials give the non-secret fields and the secrets' hints).

use crate::channels::credentials::Credentials;
use crate::channels::{Channel, Channels};
use crate::db::channels;
use crate::Error;
use model::{ChannelHealth, ChannelId, ChannelView};
use std::collections::HashMap;

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

    pub(super) async fn view_of(&self, id: ChannelId) -> Result<ChannelView, Error> {
        let row = channels::find(self.pool(), id)
            .await?
            .ok_or(Error::NotFound)?;
        let chats = HashMap::from([(id, channels::chat_count(self.pool(), id).await?)]);
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
        api_default: row.api_default,
    }
}
