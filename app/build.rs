//! Generates the `i18n` module from `locales/*.json` (leptos_i18n's compile-time checked keys),
//! with leptos_i18n's own parser and code generator. `leptos_i18n_build` would do the same and
//! also bake ICU data for plural rules and number/date formats, which we do not use: its build
//! compiles ICU's data exporter, ndarray and a wasm interpreter (about two minutes of a fresh
//! build on two cores).
use leptos_i18n_parser::parse_locales::{
    options::{Config, ParseOptions},
    parse_locales,
};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    let out =
        PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is set by cargo")?).join("i18n");
    let cfg = Config::new("en")?
        .add_locale("id")?
        .parse_options(ParseOptions::new().interpolate_display(true));
    let parsed = parse_locales(None, cfg)?;
    for warning in parsed.diag.warnings().iter() {
        println!("cargo::warning={warning}");
    }
    for error in parsed.diag.errors().iter() {
        println!("cargo::error={error}");
    }
    if let Some(paths) = parsed.tracked_files.as_deref() {
        for path in paths {
            println!("cargo::rerun-if-changed={path}");
        }
    }
    let code = leptos_i18n_codegen::gen_code(&parsed, None, false, None, true)?;
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("mod.rs"), code.to_string())?;
    Ok(())
}
