//! Preload hints for a lazy page's chunks, on every load of a page opened first.
//!
//! Leptos 0.8 writes `<link rel="preload">` hints for a lazy route's chunks on some loads only
//! (6 of 20 loads of a conversation here): it looks up the split manifest's context outside the
//! page's owner, so it finds it only when another owner happens to be current. Without hints,
//! the chunks are fetched only once the main wasm runs: one more round trip before the page
//! reacts, on a phone's connection a long one. So the shell writes them itself, from the page's
//! address and this build's split manifest.

use leptos::config::LeptosOptions;
use leptos::prelude::use_context;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The lazy point of the page at `path`, as the splitter names it (without its `_<hash>`): the
/// snake-case name of the page's type in `lazy_pages!` (`crate::App`'s routes), between `__` and
/// `_view`. A browser test checks every lazy page's hints, so a renamed page cannot go unnoticed.
fn lazy_point(path: &str) -> Option<&'static str> {
    let path = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    if let Some(id) = path.strip_prefix("/inbox/") {
        let is_id = !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit());
        return is_id.then_some("__open_conversation_view");
    }
    Some(match path {
        "/login" => "__sign_in_view",
        "/setup" => "__first_admin_view",
        "/sandbox" => "__sandbox_phone_view",
        "/admin/bot" => "__admin_bot_view",
        "/admin/channels" => "__admin_channels_view",
        "/admin/api-keys" => "__admin_api_keys_view",
        "/admin/webhooks" => "__admin_webhooks_view",
        "/admin/playground" => "__admin_playground_view",
        "/admin/users" => "__admin_users_view",
        _ => return None,
    })
}

/// The addresses of the chunks the page at `path` needs before it can hydrate (none for a page
/// that is not lazy, or a build without a split), for `<link rel="preload">` in its head.
pub fn preloads(options: &LeptosOptions, path: &str) -> Vec<String> {
    let Some(point) = lazy_point(path) else {
        return Vec::new();
    };
    chunks_by_point(options)
        .get(point)
        .into_iter()
        .flatten()
        .map(|stem| format!("/{}/{stem}.wasm", options.site_pkg_dir))
        .collect()
}

/// The path of the page being rendered.
pub fn request_path() -> Option<String> {
    use_context::<http::request::Parts>().map(|parts| parts.uri.path().to_string())
}

/// This build's lazy points by name without hash → the chunks each needs (read once; empty for
/// a build without a manifest).
fn chunks_by_point(options: &LeptosOptions) -> &'static HashMap<String, Vec<String>> {
    static CHUNKS: OnceLock<HashMap<String, Vec<String>>> = OnceLock::new();
    CHUNKS.get_or_init(|| {
        let path = manifest_path(options);
        let Ok(text) = std::fs::read_to_string(&path) else {
            return HashMap::new();
        };
        match serde_json::from_str::<HashMap<String, Vec<String>>>(&text) {
            Ok(manifest) => by_point(manifest),
            Err(e) => {
                tracing::error!(path = %path.display(), "unreadable split manifest: {e}");
                HashMap::new()
            }
        }
    })
}

/// `__admin_users_view_1500…` → `__admin_users_view` (the splitter's hash dropped).
fn by_point(manifest: HashMap<String, Vec<String>>) -> HashMap<String, Vec<String>> {
    manifest
        .into_iter()
        .filter_map(|(key, chunks)| {
            let (point, hash) = key.rsplit_once('_')?;
            let hashed = !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_digit());
            hashed.then(|| (point.to_string(), chunks))
        })
        .collect()
}

/// The split's two files beside the wasm, as this build named them.
struct SplitFiles {
    manifest: String,
    loader: String,
}

/// Their names: hashed when the build hashed the files (`hash.txt`'s `manifest:` and `split:`
/// lines, as Leptos' `HydrationScripts` reads them), else as `site-split` writes them.
fn split_files(hashes: Option<&str>) -> SplitFiles {
    let hash = |what: &str| {
        hashes?
            .lines()
            .find_map(|l| l.trim().strip_prefix(what).map(|h| h.trim().to_string()))
    };
    SplitFiles {
        manifest: hash("manifest:").map_or_else(
            || "__wasm_split_manifest.json".into(),
            |h| format!("__wasm_split_manifest.{h}.json"),
        ),
        loader: hash("split:").map_or_else(
            || "__wasm_split.______________________.js".into(),
            |h| format!("__wasm_split.{h}.js"),
        ),
    }
}

fn this_builds_split_files(options: &LeptosOptions) -> &'static SplitFiles {
    static FILES: OnceLock<SplitFiles> = OnceLock::new();
    FILES.get_or_init(|| {
        let hashes = options.hash_files.then(|| {
            std::env::current_exe()
                .ok()
                .and_then(|exe| exe.parent().map(|dir| dir.join(options.hash_file.as_ref())))
                .and_then(|path| std::fs::read_to_string(path).ok())
                .unwrap_or_default()
        });
        split_files(hashes.as_deref())
    })
}

fn manifest_path(options: &LeptosOptions) -> PathBuf {
    Path::new(options.site_root.as_ref())
        .join(options.site_pkg_dir.as_ref())
        .join(&this_builds_split_files(options).manifest)
}

/// The chunk loader's address, for `<link rel="modulepreload">` on every page of a split build:
/// the app's JS imports it, so without the hint the browser finds it only once that JS has
/// arrived, one round trip later.
pub fn loader(options: &LeptosOptions) -> Option<String> {
    (!chunks_by_point(options).is_empty()).then(|| {
        let name = &this_builds_split_files(options).loader;
        format!("/{}/{name}", options.site_pkg_dir)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_lazy_page_has_its_point_and_other_pages_none() {
        assert_eq!(lazy_point("/inbox/42"), Some("__open_conversation_view"));
        assert_eq!(lazy_point("/inbox/42/"), Some("__open_conversation_view"));
        assert_eq!(lazy_point("/admin/api-keys"), Some("__admin_api_keys_view"));
        assert_eq!(lazy_point("/login"), Some("__sign_in_view"));
        assert_eq!(lazy_point("/inbox"), None);
        assert_eq!(lazy_point("/inbox/"), None);
        assert_eq!(lazy_point("/inbox/x1"), None);
        assert_eq!(lazy_point("/"), None);
        assert_eq!(lazy_point("/admin"), None);
    }

    #[test]
    fn manifest_keys_lose_only_their_hash() {
        let manifest = HashMap::from([
            (
                "__admin_users_view_15006102751680194549".to_string(),
                vec![
                    "chunk_12".to_string(),
                    "split___admin_users_view_1500".to_string(),
                ],
            ),
            ("picker_10971732057288547335".to_string(), vec![]),
            ("no_hash_here".to_string(), vec![]),
        ]);
        let points = by_point(manifest);
        assert_eq!(points["__admin_users_view"][0], "chunk_12");
        assert!(points.contains_key("picker"));
        assert_eq!(points.len(), 2);
    }

    #[test]
    fn the_split_files_are_named_as_the_build_named_them() {
        let plain = split_files(None);
        assert_eq!(plain.manifest, "__wasm_split_manifest.json");
        assert_eq!(plain.loader, "__wasm_split.______________________.js");
        let hashed = split_files(Some(
            "js: c36635238d2c0a35\nsplit: c36635238d2c0a35\nmanifest: 5f147313f58742fe\nwasm: d474\n",
        ));
        assert_eq!(
            hashed.manifest,
            "__wasm_split_manifest.5f147313f58742fe.json"
        );
        assert_eq!(hashed.loader, "__wasm_split.c36635238d2c0a35.js");
    }
}
