//! The first screen in a real browser: `end2end/bench/first-screen.mjs` (Playwright driving
//! Debian's Chromium through the DevTools protocol) opens the signed-in inbox under "Fast 3G"
//! with the CPU slowed 4× and unthrottled, cold and warm, and prints its figures as JSON.

use crate::server::ADMIN;
use std::process::Command;

pub fn first_screen(base: &str) -> anyhow::Result<serde_json::Value> {
    let out = Command::new("node")
        .args([
            "end2end/bench/first-screen.mjs",
            base,
            ADMIN.0,
            ADMIN.1,
            "3",
        ])
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "first-screen.mjs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(serde_json::from_slice(&out.stdout)?)
}
