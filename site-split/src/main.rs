//! Splits the browser's wasm at Leptos' `#[lazy]` and `#[lazy_route]` points, as
//! `cargo leptos build --split` does, so the admin pages load only when an admin opens one.
//!
//! `site-split <frontend.wasm> <pkg dir> <main out.wasm>`: writes the main module (for
//! wasm-bindgen, which must run with `--keep-lld-exports`), one `.wasm` per lazy chunk and the
//! `__wasm_split.______________________.js` loader into the pkg directory, and
//! `__wasm_split_manifest.json` (which chunks each lazy route needs) for the server's
//! `<link rel="preload">` hints. Prints the chunks' paths, one a line.
//!
//! The input must be linked with `-C link-args=--emit-relocs` (the split reads the relocations).
use anyhow::{anyhow, Context, Result};
use std::path::PathBuf;

/// Module the split main wasm imports the chunk loaders from: the name Leptos' `HydrationScripts`
/// expects without hashed files. A release build's `scripts/pack-site.mjs` renames the file
/// (`__wasm_split.<hash>.js`, written to `hash.txt` as `split:`) and rewrites the imports of it
/// in `inbox.js`; the wasm keeps this name as the key of its imports.
const LINK_NAME: &str = "./__wasm_split.______________________.js";

fn main() -> Result<()> {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [input, pkg_dir, main_out] = args.as_slice() else {
        return Err(anyhow!(
            "usage: site-split <frontend.wasm> <pkg dir> <main out.wasm>"
        ));
    };
    let output_name = std::env::var("LEPTOS_OUTPUT_NAME").unwrap_or_else(|_| "inbox".into());
    let wasm = std::fs::read(input).with_context(|| format!("reading {}", input.display()))?;
    let main_module = format!("./{output_name}.js");
    let split = wasm_split_cli_support::transform({
        let mut opts = wasm_split_cli_support::Options::new(&wasm);
        opts.output_dir = pkg_dir;
        opts.main_out_path = main_out;
        opts.main_module = &main_module;
        opts.link_name = LINK_NAME;
        opts
    })
    .map_err(|e| anyhow!("splitting {}: {e:?}", input.display()))?;
    let manifest = serde_json::to_string_pretty(&split.prefetch_map)?;
    std::fs::write(pkg_dir.join("__wasm_split_manifest.json"), manifest)?;
    for module in split.split_modules {
        println!("{}", module.display());
    }
    Ok(())
}
