//! Sending a file from the browser: the file picked, dropped or pasted ([`Picked`], checked
//! against the channel's rules before anything is uploaded), and its upload as
//! `multipart/form-data` with progress ([`upload`]: `XMLHttpRequest`, since `fetch` reports no
//! upload progress). Used by the composer and by the sandbox phone.

use crate::model::{Reason, SendOptions};
use crate::AppError;

/// A file the user picked, dropped or pasted.
#[derive(Clone)]
pub struct Picked {
    pub name: String,
    pub size: u64,
    pub mime_type: String,
    /// An object URL of a photo, for its preview (released with [`Picked::release`]).
    pub preview: Option<String>,
    #[cfg(feature = "hydrate")]
    file: send_wrapper::SendWrapper<web_sys::File>,
}

impl PartialEq for Picked {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.size == other.size
            && self.mime_type == other.mime_type
            && self.preview == other.preview
    }
}

impl Picked {
    #[cfg(feature = "hydrate")]
    pub fn new(file: web_sys::File) -> Picked {
        let mime_type = file.type_();
        let preview = (mime_type == "image/jpeg" || mime_type == "image/png")
            .then(|| web_sys::Url::create_object_url_with_blob(&file).ok())
            .flatten();
        Picked {
            name: file.name(),
            size: file.size() as u64,
            mime_type,
            preview,
            file: send_wrapper::SendWrapper::new(file),
        }
    }

    /// The first file of a picker, a drop or a paste.
    #[cfg(feature = "hydrate")]
    pub fn first(files: Option<web_sys::FileList>) -> Option<Picked> {
        files.and_then(|f| f.get(0)).map(Picked::new)
    }

    /// The same check the server makes: a type the channel carries, within its kind's size.
    pub fn check(&self, options: &SendOptions) -> Result<(), AppError> {
        let rule = options
            .rule(&self.mime_type)
            .ok_or(AppError::invalid("file", Reason::FileType))?;
        if self.size == 0 {
            return Err(AppError::invalid("file", Reason::FileEmpty));
        }
        if self.size > rule.max_bytes {
            return Err(AppError::invalid("file", Reason::FileTooLarge));
        }
        Ok(())
    }

    /// Frees the preview's object URL.
    pub fn release(&self) {
        #[cfg(feature = "hydrate")]
        if let Some(url) = &self.preview {
            let _ = web_sys::Url::revoke_object_url(url);
        }
    }

    /// "1.2 MB".
    pub fn size_text(&self) -> String {
        crate::model::MediaView {
            state: crate::model::MediaState::Ready,
            mime_type: None,
            filename: None,
            size: Some(self.size as i64),
            problem: None,
            detail: None,
            voice: false,
        }
        .size_text()
        .unwrap_or_default()
    }
}

/// A composer's placeholder: a caption once a file is attached, else a message.
pub fn text_placeholder(
    i18n: leptos_i18n::I18nContext<crate::i18n::Locale>,
    has_file: bool,
) -> String {
    use crate::i18n::*;
    if has_file {
        t_string!(i18n, caption_placeholder).to_string()
    } else {
        t_string!(i18n, composer_placeholder).to_string()
    }
}

/// Posts `picked` (as the `file` part) and `fields` to `url`. `progress` hears the share sent
/// (0–1); `done` the server's answer: its JSON, or its `AppError`.
#[allow(unused_variables)]
pub fn upload<T: serde::de::DeserializeOwned + 'static>(
    url: &str,
    picked: &Picked,
    fields: Vec<(&'static str, String)>,
    progress: impl Fn(f64) + 'static,
    done: impl FnOnce(Result<T, AppError>) + 'static,
) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;
        let started = (|| -> Result<web_sys::XmlHttpRequest, wasm_bindgen::JsValue> {
            let form = web_sys::FormData::new()?;
            for (name, value) in &fields {
                form.append_with_str(name, value)?;
            }
            form.append_with_blob_and_filename("file", &picked.file, &picked.name)?;
            let xhr = web_sys::XmlHttpRequest::new()?;
            xhr.open("POST", url)?;
            xhr.set_request_header("Accept", "application/json")?;
            let on_progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(
                move |e: web_sys::ProgressEvent| {
                    if e.length_computable() && e.total() > 0.0 {
                        progress(e.loaded() / e.total());
                    }
                },
            );
            xhr.upload()?
                .set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
            on_progress.forget();
            let answered = xhr.clone();
            let on_end = Closure::once(move |_: web_sys::Event| {
                let status = answered.status().unwrap_or(0);
                let body = answered.response_text().ok().flatten().unwrap_or_default();
                done(answer(status, &body));
            });
            xhr.set_onloadend(Some(on_end.as_ref().unchecked_ref()));
            on_end.forget();
            xhr.send_with_opt_form_data(Some(&form))?;
            Ok(xhr)
        })();
        if let Err(e) = started {
            leptos::logging::error!("upload could not start: {e:?}");
        }
    }
}

/// The server's answer to an upload.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn answer<T: serde::de::DeserializeOwned>(status: u16, body: &str) -> Result<T, AppError> {
    match status {
        200..=299 => serde_json::from_str(body).map_err(|_| AppError::Internal),
        // Refused before our handler ran: the request was larger than any file WhatsApp takes.
        413 => Err(AppError::invalid("file", Reason::FileTooLarge)),
        _ => Err(serde_json::from_str::<AppError>(body).unwrap_or(AppError::Internal)),
    }
}

#[cfg(all(test, not(feature = "hydrate")))]
mod tests {
    use super::*;
    use crate::model::FileRule;

    #[test]
    fn a_file_is_checked_like_the_server_checks_it() {
        let options = SendOptions {
            files: vec![FileRule {
                mime_type: "image/jpeg".into(),
                max_bytes: 100,
            }],
            quotes: true,
            interactive: false,
            reactions: false,
        };
        let picked = |mime: &str, size| Picked {
            name: "a".into(),
            size,
            mime_type: mime.into(),
            preview: None,
        };
        assert_eq!(picked("image/jpeg", 100).check(&options), Ok(()));
        assert_eq!(
            picked("image/jpeg", 101).check(&options),
            Err(AppError::invalid("file", Reason::FileTooLarge))
        );
        assert_eq!(
            picked("image/gif", 1).check(&options),
            Err(AppError::invalid("file", Reason::FileType))
        );
        assert_eq!(
            picked("image/jpeg", 0).check(&options),
            Err(AppError::invalid("file", Reason::FileEmpty))
        );
        assert!(matches!(
            answer::<()>(413, "Failed to buffer the request body"),
            Err(AppError::Invalid {
                reason: Reason::FileTooLarge,
                ..
            })
        ));
        assert_eq!(
            answer::<()>(409, r#"{"Conflict":"files_not_supported"}"#),
            Err(AppError::Conflict(Reason::FilesNotSupported))
        );
    }
}
