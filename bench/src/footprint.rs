//! Footprint: the size of the release binary and of what a browser downloads: the files the
//! server sends, pre-compressed at build time (`scripts/pack-site.mjs`), found by the hashes in
//! `hash.txt` beside the binary.

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
}

fn kib(path: &Path) -> f64 {
    std::fs::metadata(path)
        .map(|m| m.len() as f64 / 1024.0)
        .unwrap_or(0.0)
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
    let with = |ext: &str, suffix: &str| {
        let mut p = file(ext).into_os_string();
        p.push(suffix);
        kib(Path::new(&p))
    };
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
    }
}
