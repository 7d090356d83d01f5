//! Links the browser's wasm with its relocations kept (`--emit-relocs`): `site-split` reads them
//! to cut the wasm at the `#[lazy_route]` points (what `cargo leptos build --split` adds to
//! `RUSTFLAGS`; here it belongs to this crate alone, so its dependencies build as before).
fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo::rustc-link-arg-cdylib=--emit-relocs");
    }
}
