//! Files sent from the browser, as `multipart/form-data` with one `file` part:
//!
//! - `POST /chats/{chat_id}/files` (`caption`, `reply_to`): an agent's file, queued like a
//!   reply. The chat is checked (the user may answer it, the provider takes messages now, its
//!   channel carries files) before the file is read, the type before its bytes, and the size as
//!   they arrive; the file is written straight into the media store, never held in memory.
//! - `POST /sandbox/files` (`phone`, `name`, `caption`): the sandbox phone's customer sends a
//!   file. Open to anyone in demo mode, otherwise to admins, like the sandbox's server functions.
//!
//! Answers: the queued messages as JSON, or an `AppError` (401/403/409/422).

use app::ssr::AppState;
use app::AppError;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::routing::post;
use axum::{Json, Router};
use inbox::media::MediaStore;
use inbox::replies::files::{self, StoredFile};
use model::{ChatId, MessageId, MessageView, Reason};
use std::collections::HashMap;
use tower_sessions::Session;

/// The largest request: WhatsApp's largest file (a 100 MB document) and the form around it.
const MAX_REQUEST_BYTES: usize = 101 * 1024 * 1024;
/// The largest text field (a caption is at most 1024 characters).
const MAX_FIELD_BYTES: usize = 16 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/chats/{chat_id}/files", post(agent_file))
        .route("/chats/{chat_id}/template-file", post(template_file))
        .route("/sandbox/files", post(sandbox_file))
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
}

async fn agent_file(
    State(state): State<AppState>,
    session: Session,
    Path(chat_id): Path<i64>,
    multipart: Multipart,
) -> Result<Json<Vec<MessageView>>, AppError> {
    let chat_id = ChatId(chat_id);
    let user = signed_in(&state, &session).await?;
    files::check_chat(&state.pool, &state.channels, chat_id, &user).await?;
    let form = read_form(&state.media, multipart).await?;
    let queued = async {
        let quoting = match form.fields.get("reply_to").filter(|v| !v.is_empty()) {
            Some(v) => {
                Some(MessageId(v.parse().map_err(|_| {
                    AppError::invalid("reply_to", Reason::QuoteNotFound)
                })?))
            }
            None => None,
        };
        Ok::<_, AppError>(
            files::queue_file(
                &state.pool,
                &state.channels,
                &state.media,
                chat_id,
                &user,
                &form.file,
                form.fields.get("caption").map(String::as_str),
                quoting,
            )
            .await?,
        )
    }
    .await;
    refused_upload(&state, &form, queued.is_err()).await;
    Ok(Json(queued?))
}

/// The session's user, or 401 before anything is read.
async fn signed_in(state: &AppState, session: &Session) -> Result<model::UserInfo, AppError> {
    inbox::accounts::sessions::session_user(&state.pool, session)
        .await?
        .ok_or(AppError::Unauthenticated)
}

/// A refused upload's bytes leave the store (unless the index names them).
async fn refused_upload(state: &AppState, form: &Form, refused: bool) {
    if refused {
        inbox::media::discard_unindexed(&state.pool, &state.media, &form.file.sha256).await;
    }
}

/// A template whose media header is a file the agent attached: fields `name`, `language` and
/// `values` (a JSON array of the other variables, in order), and the file.
async fn template_file(
    State(state): State<AppState>,
    session: Session,
    Path(chat_id): Path<i64>,
    multipart: Multipart,
) -> Result<Json<Vec<MessageView>>, AppError> {
    let chat_id = ChatId(chat_id);
    let user = signed_in(&state, &session).await?;
    inbox::templates::check_sender(&state.pool, chat_id, &user).await?;
    let form = read_form(&state.media, multipart).await?;
    let field = |name: &str| form.fields.get(name).map(String::as_str).unwrap_or("");
    let queued = async {
        let values: Vec<String> = serde_json::from_str(field("values"))
            .map_err(|_| AppError::invalid("values", Reason::TemplateValueMissing))?;
        Ok::<_, AppError>(
            inbox::templates::queue_with_file(
                &state.pool,
                &state.media,
                chat_id,
                &user,
                (field("name"), field("language")),
                &values,
                &form.file,
            )
            .await?,
        )
    }
    .await;
    refused_upload(&state, &form, queued.is_err()).await;
    Ok(Json(queued?))
}

async fn sandbox_file(
    State(state): State<AppState>,
    session: Session,
    multipart: Multipart,
) -> Result<Json<()>, AppError> {
    if !state.settings.demo {
        let user = signed_in(&state, &session).await?;
        if !user.is_admin() {
            return Err(AppError::Forbidden);
        }
    }
    let form = read_form(&state.media, multipart).await?;
    let field = |name: &str| form.fields.get(name).map(String::as_str).unwrap_or("");
    inbox::channels::sandbox::customer_sends_file(
        &state.pool,
        field("phone"),
        field("name"),
        &form.file,
        Some(field("caption")),
        state.settings.reopen_mode,
    )
    .await?;
    Ok(Json(()))
}

struct Form {
    file: StoredFile,
    fields: HashMap<String, String>,
}

/// Reads the form: its text fields, and its one file into the store (checked against
/// WhatsApp's types and the limit of its kind as the bytes arrive).
async fn read_form(store: &MediaStore, mut multipart: Multipart) -> Result<Form, AppError> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        tracing::info!(error = %e, "an upload could not be read");
        AppError::invalid("file", Reason::UploadInvalid)
    };
    let mut fields = HashMap::new();
    let mut file = None;
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_string();
        if name != "file" {
            let mut value = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                value.extend_from_slice(&chunk);
                if value.len() > MAX_FIELD_BYTES {
                    return Err(AppError::invalid("caption", Reason::CaptionLength));
                }
            }
            let value = String::from_utf8(value)
                .map_err(|_| AppError::invalid("file", Reason::UploadInvalid))?;
            fields.insert(name, value);
            continue;
        }
        if file.is_some() {
            return Err(AppError::invalid("file", Reason::UploadInvalid));
        }
        let mime_type = field
            .content_type()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let filename = files::clean_name(field.file_name());
        let (kind, limit) = files::check_type(&mime_type)?;
        let mut incoming = store.incoming().await.map_err(store_error)?;
        while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
            if incoming.size() + chunk.len() as u64 > limit {
                return Err(AppError::invalid("file", Reason::FileTooLarge));
            }
            incoming.write(&chunk).await.map_err(store_error)?;
        }
        if incoming.size() == 0 {
            return Err(AppError::invalid("file", Reason::FileEmpty));
        }
        let size = incoming.size();
        let sha256 = incoming.keep().await.map_err(store_error)?;
        let thumbnail = if kind == whatsapp::MessageKind::Image {
            files::thumbnail_of(store, &sha256, &mime_type).await
        } else {
            None
        };
        file = Some(StoredFile {
            sha256,
            size,
            mime_type,
            filename,
            thumbnail,
        });
    }
    let file = file.ok_or(AppError::invalid("file", Reason::UploadInvalid))?;
    Ok(Form { file, fields })
}

fn store_error(e: std::io::Error) -> AppError {
    tracing::error!(error = %e, "writing an upload into the media store");
    AppError::Internal
}
