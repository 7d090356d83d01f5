//! Splits the browser's wasm at Leptos' `#[lazy]` and `#[lazy_route]` points, as
//! `cargo leptos build --split` does, so the admin pages load only when an admin opens one.
//!
//! `site-split <frontend.wasm> <pkg dir> <main out.wasm> [--group <name>]...`: writes the main
//! module (for wasm-bindgen, which must run with `--keep-lld-exports`), one `.wasm` per lazy point
//! and per chunk of shared code, and the `__wasm_split.______________________.js` loader into the
//! pkg directory, and `__wasm_split_manifest.json` (which files each lazy point needs) for the
//! server's `<link rel="preload">` hints. Prints the chunks' paths, one a line.
//!
//! Code used by several lazy points goes into chunks. Upstream makes one chunk per distinct set of
//! points that share code, which gave the conversation 68 small files; here (the vendored
//! splitter's `chunk_group` option, `vendor/wasm_split_cli_support/VENDORED.md`) the chunks are
//! merged into one per `--group`: every chunk needed by a lazy point whose name starts with the
//! first `--group` goes into that group's chunk, and so on; all other chunks into one `rest` chunk.
//! A lazy point then loads at most one file of its own and one per group.
//!
//! The input must be linked with `-C link-args=--emit-relocs` (the split reads the relocations).
use anyhow::{anyhow, Context, Result};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// Module the split main wasm imports the chunk loaders from: the name Leptos' `HydrationScripts`
/// expects without hashed files. A release build's `scripts/pack-site.mjs` renames the file
/// (`__wasm_split.<hash>.js`, written to `hash.txt` as `split:`) and rewrites the imports of it
/// in `inbox.js`; the wasm keeps this name as the key of its imports.
const LINK_NAME: &str = "./__wasm_split.______________________.js";

fn main() -> Result<()> {
    let mut paths = Vec::<PathBuf>::new();
    let mut groups = Vec::<String>::new();
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--group" {
            let name = args.next().and_then(|n| n.into_string().ok());
            let name = name.ok_or_else(|| anyhow!("--group needs a lazy point's name"))?;
            if name == REST {
                return Err(anyhow!(
                    "--group {REST}: that is the group of everything else"
                ));
            }
            groups.push(name);
        } else {
            paths.push(arg.into());
        }
    }
    let [input, pkg_dir, main_out] = paths.as_slice() else {
        return Err(anyhow!(
            "usage: site-split <frontend.wasm> <pkg dir> <main out.wasm> [--group <name>]..."
        ));
    };
    let chunk_group = |needed_by: &BTreeSet<String>| chunk_group(&groups, needed_by);
    let output_name = std::env::var("LEPTOS_OUTPUT_NAME").unwrap_or_else(|_| "inbox".into());
    let wasm = std::fs::read(input).with_context(|| format!("reading {}", input.display()))?;
    let main_module = format!("./{output_name}.js");
    let split = wasm_split_cli_support::transform({
        let mut opts = wasm_split_cli_support::Options::new(&wasm);
        opts.output_dir = pkg_dir;
        opts.main_out_path = main_out;
        opts.main_module = &main_module;
        opts.link_name = LINK_NAME;
        opts.chunk_group = Some(&chunk_group);
        opts
    })
    .map_err(|e| anyhow!("splitting {}: {e:?}", input.display()))?;
    let loader_path = pkg_dir.join(LINK_NAME.trim_start_matches("./"));
    let loader = std::fs::read_to_string(&loader_path)
        .with_context(|| format!("reading {}", loader_path.display()))?;
    std::fs::write(
        &loader_path,
        retrying_loader(&loader, split.split_modules.len())?,
    )?;
    // A group that names no lazy point (one renamed since) would silently merge nothing.
    if let Some(unknown) = groups.iter().find(|g| {
        !split
            .prefetch_map
            .keys()
            .any(|point| point.starts_with(g.as_str()))
    }) {
        return Err(anyhow!(
            "--group {unknown}: no lazy point's name starts with it"
        ));
    }
    let manifest = serde_json::to_string_pretty(&split.prefetch_map)?;
    std::fs::write(pkg_dir.join("__wasm_split_manifest.json"), manifest)?;
    for module in split.split_modules {
        println!("{}", module.display());
    }
    Ok(())
}

/// The chunk a piece of code shared by the lazy points `needed_by` goes into: the first of
/// `groups` that names (as a prefix: the splitter adds a hash) one of them, else `rest`.
fn chunk_group(groups: &[String], needed_by: &BTreeSet<String>) -> String {
    groups
        .iter()
        .find(|group| {
            needed_by
                .iter()
                .any(|point| point.starts_with(group.as_str()))
        })
        .cloned()
        .unwrap_or_else(|| REST.into())
}

/// The group of the chunks no `--group` names.
const REST: &str = "rest";

/// What every chunk's download is made through, instead of a bare `fetch`.
const FETCH_CHUNK: &str = include_str!("fetch_chunk.js");

/// The loader with each chunk's `fetch` replaced by `fetchChunk` (retried until the chunk
/// arrives; see `fetch_chunk.js`). Fails if the generated loader no longer fetches each of the
/// `chunks` in the expected way, rather than leaving some downloads unguarded.
fn retrying_loader(loader: &str, chunks: usize) -> Result<String> {
    const FETCH: &str = "fetch(new URL(";
    let found = loader.matches(FETCH).count();
    if found != chunks {
        return Err(anyhow!(
            "the chunk loader fetches {found} files, expected one per chunk ({chunks}): \
             wasm_split_cli_support changed how it loads chunks"
        ));
    }
    let body = loader.replace(FETCH, "fetchChunk(new URL(");
    // After the import at the top, where a reader of the file looks first.
    let (imports, rest) = match body.find("\n\n") {
        Some(at) if body[..at].lines().all(|l| l.starts_with("import ")) => body.split_at(at + 2),
        _ => ("", body.as_str()),
    };
    Ok(format!("{imports}{FETCH_CHUNK}\n{rest}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOADER: &str = "import { initSync } from \"./inbox.js\";\n\nlet sharedImports = undefined;\n\
        const __chunk_1 = makeLoad(() => {\n    const src = fetch(new URL(\"./chunk_1.wasm\", import.meta.url));\n\
        }, []);\nconst __chunk_2 = makeLoad(() => {\n    const src = fetch(new URL(\"./chunk_2.wasm\", import.meta.url));\n}, []);\n";

    #[test]
    fn every_chunk_is_fetched_with_retries_and_imports_stay_first() {
        let out = retrying_loader(LOADER, 2).expect("patched");
        assert!(
            out.starts_with("import { initSync } from \"./inbox.js\";\n\n// Added by site-split")
        );
        assert_eq!(out.matches("fetchChunk(new URL(\"./chunk_").count(), 2);
        assert!(!out.contains(" fetch(new URL("));
        assert!(out.contains("async function fetchChunk(url)"));
        // The chunk names stay as they were, for pack-site.mjs to rename.
        assert!(out.contains("\"./chunk_2.wasm\""));
    }

    #[test]
    fn shared_code_goes_to_the_first_group_that_needs_it() {
        let groups = ["selected_chat".to_string(), "template_picker".to_string()];
        let set = |points: &[&str]| points.iter().map(|p| p.to_string()).collect();
        let group = |points: &[&str]| chunk_group(&groups, &set(points));
        assert_eq!(
            group(&["admin_users_view_1", "selected_chat_view_2"]),
            "selected_chat"
        );
        assert_eq!(
            group(&[
                "template_picker_3",
                "selected_chat_view_2",
                "sandbox_view_4"
            ]),
            "selected_chat"
        );
        assert_eq!(
            group(&["admin_users_view_1", "template_picker_3"]),
            "template_picker"
        );
        assert_eq!(group(&["admin_users_view_1", "admin_bot_view_5"]), "rest");
        assert_eq!(
            chunk_group(&[], &set(&["selected_chat_view_2", "x"])),
            "rest"
        );
    }

    #[test]
    fn a_loader_of_another_shape_is_refused() {
        assert!(retrying_loader(LOADER, 3).is_err());
        let other = LOADER.replace("fetch(new URL(", "load(new URL(");
        assert!(retrying_loader(&other, 2).is_err());
    }
}
