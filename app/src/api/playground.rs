//! The playground, for admins: send as one of the API keys (exactly what the API would do
//! with it), and the log of recent API sends.

use crate::model::{ApiSendView, PlaygroundRequest, PlaygroundResult};
use crate::AppError;
use leptos::prelude::*;

#[server(endpoint = "admin/playground/send", input = server_fn::codec::Json)]
pub async fn playground_send(send: PlaygroundRequest) -> Result<PlaygroundResult, AppError> {
    use crate::model::{ChannelId, Reason};
    use crate::ssr::{auth, respond, AppState};
    use inbox::platform::media::{Given, Source};
    use inbox::platform::{Content, Outgoing};
    respond(async move {
        auth::require_admin().await?;
        let state = AppState::get()?;
        let caller = inbox::api_keys::caller_of(&state.pool, send.api_key_id).await?;
        let options = || {
            let titles: Vec<String> = send
                .options
                .iter()
                .map(|o| o.trim().to_owned())
                .filter(|o| !o.is_empty())
                .collect();
            let form = crate::model::OptionsForm {
                body: send.text.clone(),
                button: (send.kind == "list").then(|| {
                    send.list_button
                        .clone()
                        .filter(|b| !b.trim().is_empty())
                        .unwrap_or_else(|| "Pilih".into())
                }),
                options: titles
                    .into_iter()
                    .map(|title| crate::model::ChoiceView {
                        title,
                        description: None,
                    })
                    .collect(),
            };
            inbox::replies::interactive::from_form(&form)
        };
        let content = match send.kind.as_str() {
            "text" => Content::Text(send.text.clone()),
            "image" | "document" => {
                let data = send
                    .file_base64
                    .clone()
                    .filter(|d| !d.is_empty())
                    .ok_or(AppError::invalid("file", Reason::FileEmpty))?;
                let file = inbox::platform::media::keep(
                    (&state.pool, &state.media),
                    (
                        state.hooks.guarded_http(),
                        state.hooks.settings.allow_private,
                    ),
                    &Given {
                        source: Source::Base64(data),
                        mime_type: send.file_type.clone().filter(|t| !t.is_empty()),
                        filename: send.file_name.clone(),
                    },
                )
                .await?;
                Content::File {
                    file,
                    caption: Some(send.text.clone()).filter(|t| !t.trim().is_empty()),
                }
            }
            "buttons" | "list" => {
                let options = options();
                inbox::replies::interactive::check(&options)?;
                Content::Interactive(options)
            }
            _ => return Err(AppError::invalid("kind", Reason::UploadInvalid)),
        };
        let outgoing = Outgoing {
            channel_id: ChannelId(send.channel_id),
            to: send.to.clone(),
            content,
            reply_to: None,
            keep_mode: false,
        };
        let (chat_id, views) = inbox::platform::send::send(
            &state.pool,
            (&state.channels, &state.media),
            &caller,
            &outgoing,
        )
        .await?;
        let message_ids: Vec<_> = views.iter().map(|m| m.message_id).collect();
        let answer = serde_json::json!({
            "id": message_ids.first(),
            "message_ids": message_ids,
            "chat_id": chat_id,
            "status": "queued",
            "to": inbox::platform::send::recipient(&send.to)?,
        });
        Ok(PlaygroundResult {
            ok: true,
            message_ids,
            answer: serde_json::to_string_pretty(&answer).unwrap_or_default(),
        })
    })
    .await
}

#[server(endpoint = "admin/playground/log")]
pub async fn playground_log() -> Result<Vec<ApiSendView>, AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        auth::require_admin().await?;
        Ok(inbox::api_keys::sends(&AppState::get()?.pool, 30).await?)
    })
    .await
}
