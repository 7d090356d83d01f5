//! Footprint: the size of the release binary and of what a browser downloads: the files the
//! server sends, pre-compressed at build time (`scripts/pack-site.mjs`), found by the hashes in
//! `hash.txt` beside the binary. What every page loads (the main wasm, its JS with the chunk
//! loader, the stylesheet) is counted apart from the lazy chunks (the conversation, the admin
//! pages, the sandbox phone, sign-in and first-admin, the template picker), fetched only by what
//! needs them; the conversation's are also counted on their own.

use std::path::Path;

#[derive(Debug, Default, serde::Serialize)]
pub struct Footprint {
    pub idle_rss_mib: f64,
    pub peak_rss_mib: f64,
    pub binary_mib: f64,
    pub wasm_kib: f64,
    pub wasm_gzip_kib: f64,
    pub js_gzip_kib: f64,
    pub css_gzip_kib: f64,
    pub wasm_br_kib: f64,
    pub js_br_kib: f64,
    pub css_br_kib: f64,
    /// The chunk loader `inbox.js` imports (`__wasm_split.<hash>.js`), loaded with every page.
    pub loader_gzip_kib: f64,
    pub loader_br_kib: f64,
    /// The lazy chunks, all of them; each lazy page (or the template picker) loads only its own.
    pub lazy_chunks: usize,
    pub lazy_gzip_kib: f64,
    pub lazy_br_kib: f64,
    /// The files the conversation (`/inbox/{id}`) needs, fetched once the inbox list hydrates
    /// (from the manifest: its own chunk and the chunk of code it shares with other lazy pages).
    pub conversation_chunks: usize,
    pub conversation_gzip_kib: f64,
    pub conversation_br_kib: f64,
}

/// The lazy point of the conversation, as the splitter names it (plus a hash).
const CONVERSATION: &str = "__open_conversation_view";

fn kib(path: &Path) -> f64 {
    std::fs::metadata(path)
        .map(|m| m.len() as f64 / 1024.0)
        .unwrap_or(0.0)
}

/// The size of `path` with `suffix` appended (`.gz`, `.br`: its compressed copy).
fn kib_of(path: &Path, suffix: &str) -> f64 {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    kib(Path::new(&p))
}

pub fn measure(binary: &Path, site_pkg: &Path, idle_rss_mib: f64, peak_rss_mib: f64) -> Footprint {
    let hashes = binary
        .parent()
        .and_then(|dir| std::fs::read_to_string(dir.join("hash.txt")).ok())
        .unwrap_or_default();
    let file = |ext: &str| {
        let hash = hashes
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{ext}:")))
            .map(str::trim);
        match hash {
            Some(h) => site_pkg.join(format!("inbox.{h}.{ext}")),
            None => site_pkg.join(format!("inbox.{ext}")),
        }
    };
    let with = |ext: &str, suffix: &str| kib_of(&file(ext), suffix);
    let loader = hashes
        .lines()
        .find_map(|l| l.strip_prefix("split:"))
        .map(|h| site_pkg.join(format!("__wasm_split.{}.js", h.trim())));
    let loader_kib = |suffix: &str| loader.as_deref().map_or(0.0, |p| kib_of(p, suffix));
    let main_wasm = file("wasm");
    let chunks: Vec<_> = std::fs::read_dir(site_pkg)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "wasm") && *p != main_wasm)
        .collect();
    let lazy_kib = |suffix: &str| chunks.iter().map(|p| kib_of(p, suffix)).sum();
    // `__wasm_split_manifest.<hash>.json`: lazy point → the stems of the chunks it needs.
    let manifest: serde_json::Map<String, serde_json::Value> = hashes
        .lines()
        .find_map(|l| l.strip_prefix("manifest:"))
        .and_then(|h| {
            let path = site_pkg.join(format!("__wasm_split_manifest.{}.json", h.trim()));
            std::fs::read_to_string(path).ok()
        })
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    let conversation: Vec<_> = manifest
        .iter()
        .find(|(point, _)| point.starts_with(CONVERSATION))
        .and_then(|(_, files)| files.as_array())
        .into_iter()
        .flatten()
        .filter_map(|stem| stem.as_str())
        .map(|stem| site_pkg.join(format!("{stem}.wasm")))
        .collect();
    let conversation_kib = |suffix: &str| conversation.iter().map(|p| kib_of(p, suffix)).sum();
    Footprint {
        idle_rss_mib,
        peak_rss_mib,
        binary_mib: kib(binary) / 1024.0,
        wasm_kib: kib(&file("wasm")),
        wasm_gzip_kib: with("wasm", ".gz"),
        js_gzip_kib: with("js", ".gz"),
        css_gzip_kib: with("css", ".gz"),
        wasm_br_kib: with("wasm", ".br"),
        js_br_kib: with("js", ".br"),
        css_br_kib: with("css", ".br"),
        loader_gzip_kib: loader_kib(".gz"),
        loader_br_kib: loader_kib(".br"),
        lazy_chunks: chunks.len(),
        lazy_gzip_kib: lazy_kib(".gz"),
        lazy_br_kib: lazy_kib(".br"),
        conversation_chunks: conversation.len(),
        conversation_gzip_kib: conversation_kib(".gz"),
        conversation_br_kib: conversation_kib(".br"),
    }
}
