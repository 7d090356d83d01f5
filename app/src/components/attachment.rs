//! A message's file in its bubble: a photo or sticker (opens full size), a voice note or audio
//! that plays in the page, a video, a document with its name, size and type to download; while
//! it is fetched, "Loading…"; when it could not be, why, and "Try again".

use crate::api::chats::RetryMedia;
use crate::i18n::*;
use crate::model::{MediaProblem, MediaState, MediaView, MessageId, MessageKind};
use leptos::prelude::*;

#[component]
pub fn Attachment(message_id: MessageId, kind: MessageKind, media: MediaView) -> impl IntoView {
    let i18n = use_i18n();
    let retry = ServerAction::<RetryMedia>::new();
    let try_again = move || {
        view! {
            <button type="button" data-testid="media-retry"
                disabled=move || retry.pending().get()
                on:click=move |_| { retry.dispatch(RetryMedia { message_id }); }>
                {t!(i18n, media_retry)}
            </button>
        }
    };
    match media.state {
        MediaState::Pending => view! {
            <p class="media pending" data-testid="media-pending">{t!(i18n, media_loading)}</p>
        }
        .into_any(),
        MediaState::Failed => {
            let problem = media.problem.unwrap_or(MediaProblem::Unavailable);
            let detail = media.detail.clone().unwrap_or_default();
            view! {
                <p class="media failed" data-testid="media-failed" data-problem=problem.as_str() title=detail>
                    <span>{move || problem_text(i18n, problem)}</span>
                    {try_again()}
                </p>
            }
            .into_any()
        }
        MediaState::Evicted => view! {
            <p class="media failed" data-testid="media-evicted">
                <span>{t!(i18n, media_evicted)}</span>
                {try_again()}
            </p>
        }
        .into_any(),
        MediaState::Ready => ready(i18n, message_id, kind, &media),
    }
}

fn ready(
    i18n: leptos_i18n::I18nContext<Locale>,
    message_id: MessageId,
    kind: MessageKind,
    media: &MediaView,
) -> AnyView {
    let url = MediaView::url(message_id);
    let mime = media.mime_type.clone().unwrap_or_default();
    match kind {
        MessageKind::Image | MessageKind::Sticker => {
            let class = if kind == MessageKind::Sticker { "media sticker" } else { "media image" };
            let full = url.clone();
            let url = if kind == MessageKind::Image { MediaView::thumbnail_url(message_id) } else { url };
            view! {
                <a class=class href=full target="_blank" rel="noopener" data-testid="media-image-link">
                    <img src=url alt=move || t_string!(i18n, media_photo).to_string() loading="lazy" data-testid="media-image"/>
                </a>
            }
            .into_any()
        }
        MessageKind::Audio => view! {
            <audio class="media audio" controls preload="metadata" src=url data-testid="media-audio"
                data-voice=media.voice.to_string()></audio>
        }
        .into_any(),
        MessageKind::Video => view! {
            <video class="media video" controls preload="metadata" src=url data-testid="media-video"></video>
        }
        .into_any(),
        _ => {
            let name = media
                .filename
                .clone()
                .unwrap_or_else(|| t_string!(i18n, media_document).to_string());
            let facts = [media.size_text(), type_name(&mime)]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · ");
            let download = name.clone();
            view! {
                <a class="media document" href=MediaView::download_url(message_id) download=download data-testid="media-document">
                    <span class="doc-icon" aria-hidden="true">"📄"</span>
                    <span class="doc-name">{name}</span>
                    <span class="doc-facts">{facts}</span>
                </a>
            }
            .into_any()
        }
    }
}

/// "PDF", "DOCX", "JPEG": the part of a MIME type people recognise.
fn type_name(mime: &str) -> Option<String> {
    let sub = mime.split(';').next()?.split('/').nth(1)?.trim();
    let short = match sub {
        "vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
        "vnd.openxmlformats-officedocument.presentationml.presentation" => "pptx",
        "msword" => "doc",
        "vnd.ms-excel" => "xls",
        "vnd.ms-powerpoint" => "ppt",
        "plain" => "txt",
        other => other,
    };
    (!short.is_empty()).then(|| short.to_uppercase())
}

fn problem_text(i18n: leptos_i18n::I18nContext<Locale>, p: MediaProblem) -> String {
    match p {
        MediaProblem::Expired => t_string!(i18n, media_expired),
        MediaProblem::TooLarge => t_string!(i18n, media_too_large),
        MediaProblem::Unsupported => t_string!(i18n, media_unsupported),
        MediaProblem::Refused => t_string!(i18n, media_refused),
        MediaProblem::Unavailable => t_string!(i18n, media_unavailable),
    }
    .to_string()
}
