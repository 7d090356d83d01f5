//! Which channel an API call is for, and how the API reports a channel.
//!
//! A call may name its channel (`channel`: its name or id). Without one: the key's only
//! channel; else the channel an admin marked as the API's default (if the key may use it);
//! else the only enabled channel, other than the sandbox, that the key may use. Several
//! candidates and no default: the call must name one.

use crate::api_keys::ApiCaller;
use crate::db::channels::{self, ChannelRow};
use crate::Error;
use model::{ChannelId, ChannelKind, Reason};
use sqlx::PgPool;

/// A channel as the API reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiChannel {
    pub channel_id: ChannelId,
    pub name: String,
    pub kind: ChannelKind,
    /// The number, digits only.
    pub phone: Option<String>,
    pub enabled: bool,
    pub state: ChannelState,
    /// Marked by an admin as the API's default.
    pub api_default: bool,
}

/// What the last connection test found, as the API words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelState {
    Connected,
    /// The test failed; `pairing`: a linked device waiting for its QR code to be scanned.
    Disconnected {
        pairing: bool,
    },
    Disabled,
    /// Never tested.
    Unknown,
}

impl ChannelState {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelState::Connected => "connected",
            ChannelState::Disconnected { pairing: true } => "qr_ready",
            ChannelState::Disconnected { pairing: false } => "disconnected",
            ChannelState::Disabled => "disabled",
            ChannelState::Unknown => "unknown",
        }
    }
}

impl From<ChannelRow> for ApiChannel {
    fn from(row: ChannelRow) -> Self {
        let state = match (row.enabled, row.check_state.as_deref()) {
            (false, _) => ChannelState::Disabled,
            (true, Some("connected")) => ChannelState::Connected,
            (true, Some("failed")) => ChannelState::Disconnected {
                // Whapi's "not authorised" is a device waiting for its QR scan (whapi.md §3).
                pairing: row.kind == ChannelKind::Whapi
                    && row.check_failure.as_deref() == Some("not_connected")
                    && row
                        .check_detail
                        .as_deref()
                        .is_some_and(|d| d.contains("QR")),
            },
            (true, _) => ChannelState::Unknown,
        };
        ApiChannel {
            phone: row
                .display_phone
                .as_deref()
                .map(|p| p.chars().filter(char::is_ascii_digit).collect()),
            channel_id: row.channel_id,
            name: row.name,
            kind: row.kind,
            enabled: row.enabled,
            state,
            api_default: row.api_default,
        }
    }
}

/// Every channel the key may use.
pub async fn channels_of(pool: &PgPool, caller: &ApiCaller) -> Result<Vec<ApiChannel>, Error> {
    Ok(channels::all(pool)
        .await?
        .into_iter()
        .filter(|c| caller.may_use(c.channel_id))
        .map(ApiChannel::from)
        .collect())
}

/// The channel a call is for (see the module's rule). `NotFound` for an unknown name or id (or
/// no channel at all), `Forbidden` for a channel the key may not use, `channel_required` when
/// the call must name one.
pub async fn choose_channel(
    pool: &PgPool,
    caller: &ApiCaller,
    asked: Option<&str>,
) -> Result<ApiChannel, Error> {
    let all: Vec<ApiChannel> = channels::all(pool)
        .await?
        .into_iter()
        .map(ApiChannel::from)
        .collect();
    choose(all, caller, asked)
}

fn choose(
    all: Vec<ApiChannel>,
    caller: &ApiCaller,
    asked: Option<&str>,
) -> Result<ApiChannel, Error> {
    if let Some(asked) = asked.map(str::trim).filter(|a| !a.is_empty()) {
        let found = all
            .into_iter()
            .find(|c| c.name == asked || c.channel_id.0.to_string() == asked)
            .ok_or(Error::NotFound)?;
        if !caller.may_use(found.channel_id) {
            return Err(Error::Forbidden);
        }
        return Ok(found);
    }
    let usable: Vec<ApiChannel> = all
        .into_iter()
        .filter(|c| caller.may_use(c.channel_id))
        .collect();
    if let Some(ids) = &caller.channel_ids {
        if ids.len() == 1 {
            return usable.into_iter().next().ok_or(Error::NotFound);
        }
    }
    if let Some(default) = usable.iter().find(|c| c.api_default) {
        return Ok(default.clone());
    }
    let mut candidates: Vec<ApiChannel> = usable
        .into_iter()
        .filter(|c| c.enabled && c.kind != ChannelKind::Sandbox)
        .collect();
    match candidates.len() {
        0 => Err(Error::NotFound),
        1 => Ok(candidates.remove(0)),
        _ => Err(Error::invalid("channel", Reason::ChannelRequired)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel(id: i64, name: &str, kind: ChannelKind, api_default: bool) -> ApiChannel {
        ApiChannel {
            channel_id: ChannelId(id),
            name: name.into(),
            kind,
            phone: None,
            enabled: true,
            state: ChannelState::Unknown,
            api_default,
        }
    }

    fn key(channels: Option<Vec<i64>>) -> ApiCaller {
        ApiCaller {
            api_key_id: 1,
            name: "Toko".into(),
            channel_ids: channels.map(|c| c.into_iter().map(ChannelId).collect()),
        }
    }

    #[test]
    fn a_named_channel_wins_and_must_be_the_keys() {
        let all = vec![
            channel(1, "Sandbox", ChannelKind::Sandbox, false),
            channel(2, "CS Jakarta", ChannelKind::Meta, false),
        ];
        let got = choose(all.clone(), &key(None), Some("CS Jakarta")).unwrap();
        assert_eq!(got.channel_id, ChannelId(2));
        assert_eq!(
            choose(all.clone(), &key(None), Some("1"))
                .unwrap()
                .channel_id,
            ChannelId(1)
        );
        assert!(matches!(
            choose(all.clone(), &key(Some(vec![1])), Some("2")),
            Err(Error::Forbidden)
        ));
        assert!(matches!(
            choose(all, &key(None), Some("Surabaya")),
            Err(Error::NotFound)
        ));
    }

    #[test]
    fn without_a_name_the_keys_only_channel_then_the_default_then_the_only_one() {
        let all = vec![
            channel(1, "Sandbox", ChannelKind::Sandbox, false),
            channel(2, "CS Jakarta", ChannelKind::Meta, false),
            channel(3, "CS Bali", ChannelKind::Whapi, false),
        ];
        assert_eq!(
            choose(all.clone(), &key(Some(vec![1])), None)
                .unwrap()
                .channel_id,
            ChannelId(1),
            "the key's only channel, even the sandbox"
        );
        assert!(matches!(
            choose(all.clone(), &key(None), None),
            Err(Error::Invalid {
                reason: Reason::ChannelRequired,
                ..
            })
        ));
        let mut with_default = all.clone();
        with_default[2].api_default = true;
        assert_eq!(
            choose(with_default.clone(), &key(None), None)
                .unwrap()
                .channel_id,
            ChannelId(3)
        );
        assert!(
            matches!(
                choose(with_default, &key(Some(vec![1, 2])), None),
                Ok(c) if c.channel_id == ChannelId(2)
            ),
            "a default the key may not use is passed over"
        );
        assert_eq!(
            choose(all[..2].to_vec(), &key(None), None)
                .unwrap()
                .channel_id,
            ChannelId(2),
            "the only channel that is not the sandbox"
        );
    }
}
