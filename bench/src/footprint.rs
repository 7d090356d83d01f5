//! Footprint: the size of the release binary and of what a browser downloads (compressed).

use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::Write;
use std::path::Path;

#[derive(Debug, serde::Serialize)]
pub struct Footprint {
    pub idle_rss_mib: f64,
    pub peak_rss_mib: f64,
    pub binary_mib: f64,
    pub wasm_gzip_kib: f64,
    pub js_gzip_kib: f64,
    pub css_gzip_kib: f64,
}

fn gzip_kib(path: &Path) -> f64 {
    let Ok(bytes) = std::fs::read(path) else {
        return 0.0;
    };
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    let _ = enc.write_all(&bytes);
    enc.finish().map(|v| v.len() as f64 / 1024.0).unwrap_or(0.0)
}

pub fn measure(binary: &Path, site_pkg: &Path, idle_rss_mib: f64, peak_rss_mib: f64) -> Footprint {
    Footprint {
        idle_rss_mib,
        peak_rss_mib,
        binary_mib: std::fs::metadata(binary)
            .map(|m| m.len() as f64 / 1024.0 / 1024.0)
            .unwrap_or(0.0),
        wasm_gzip_kib: gzip_kib(&site_pkg.join("inbox.wasm")),
        js_gzip_kib: gzip_kib(&site_pkg.join("inbox.js")),
        css_gzip_kib: gzip_kib(&site_pkg.join("inbox.css")),
    }
}
