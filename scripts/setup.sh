#!/usr/bin/env bash
# Installs what the inbox needs to build, run and test, skipping whatever is already there.
# Sourced by scripts/run and scripts/test. Safe to run again: the second time it only checks.
#   setup_build   rustfmt, clippy, Rust wasm target, wasm-bindgen-cli, npm packages, PostgreSQL binaries
#   build_site    the site as `cargo leptos build` makes it, without cargo-leptos (--release: optimised,
#                 with hashed file names and pre-compressed copies)
#   setup_browser Chromium for the browser tests
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
APT_UPDATED=0

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root to run: $*" >&2; return 1; fi
}

apt_install() {
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get update"
    as_root apt-get update -qq
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

pg_bin_dir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

setup_build() {
  export PATH="$HOME/.cargo/bin:$PATH"
  command -v cargo >/dev/null || { echo "the Rust toolchain (cargo) is required: https://rustup.rs" >&2; exit 1; }

  if ! cargo fmt --version >/dev/null 2>&1; then
    log "adding rustfmt"
    rustup component add rustfmt
  fi

  if ! cargo clippy --version >/dev/null 2>&1; then
    log "adding clippy"
    rustup component add clippy
  fi

  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi

  # The exact version of the wasm-bindgen crate in Cargo.lock, from crates.io (without --locked:
  # its locked dependencies are no longer all on crates.io).
  local wb
  wb=$(grep -A1 '^name = "wasm-bindgen"$' "$ROOT/Cargo.lock" | sed -n 's/^version = "\(.*\)"/\1/p')
  if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $wb"; then
    log "installing wasm-bindgen-cli $wb"
    cargo install wasm-bindgen-cli --version "$wb" --force
  fi

  if ! command -v npm >/dev/null; then apt_install nodejs npm; fi
  if [ ! -d "$ROOT/end2end/node_modules" ] || [ "$ROOT/end2end/package-lock.json" -nt "$ROOT/end2end/node_modules/.package-lock.json" ]; then
    log "npm ci (playwright, binaryen's wasm-opt)"
    (cd "$ROOT/end2end" && npm ci --no-audit --no-fund --loglevel=error)
  fi
  export PATH="$ROOT/end2end/node_modules/.bin:$PATH"

  if [ -z "$(pg_bin_dir)" ]; then apt_install postgresql; fi
}

setup_browser() {
  if ! command -v chromium >/dev/null; then apt_install chromium; fi
}

# PostgreSQL at 127.0.0.1:5432 for tests and benchmarks (started if installed but down), with a
# role that works under Debian's default scram auth and under trust auth alike.
ensure_postgres() {
  local bin; bin=$(pg_bin_dir)
  if ! "$bin/pg_isready" -q -h 127.0.0.1 -p 5432; then
    local ver; ver=$(basename "$(dirname "$bin")")
    if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -qx "$ver main"; then
      log "creating PostgreSQL cluster $ver/main"
      as_root pg_createcluster "$ver" main >/dev/null
    fi
    log "starting PostgreSQL $ver/main"
    as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start
    for _ in $(seq 1 30); do "$bin/pg_isready" -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  # A test role with a password works with Debian's default (scram) and with trust auth.
  as_root runuser -u postgres -- psql -qtAc "select 1 from pg_roles where rolname = 'inbox_test'" | grep -q 1 ||
    as_root runuser -u postgres -- psql -qc "create role inbox_test login superuser password 'inbox_test'"
}


# Drops and creates database $2 on the server at base URL $1.
recreate_db() {
  PGOPTIONS='--client-min-messages=warning' "$(pg_bin_dir)/psql" -q "$1/postgres" \
    -c "drop database if exists $2 with (force)" -c "create database $2"
}

# Builds the site exactly as `cargo leptos build --split [--release]` does, without cargo-leptos
# (its install alone compiled for 25 minutes on a fresh machine): the browser's wasm (crate
# `frontend`), cut at the `#[lazy_route]` points by `site-split` (the admin pages become chunks
# loaded when opened), through wasm-bindgen (and, for --release, binaryen's wasm-opt from npm)
# into target/site/pkg, the stylesheet and public/ beside it, and the server binary; the wasm and
# the server compile at the same time. Same target directories and variables as cargo-leptos,
# whose `cargo leptos watch --split` still works for development (it sets its own flags, so it
# builds anew rather than reusing this).
build_site() {
  local release="${1:-}" front_dir=debug
  local -a front_args=(--profile dev) server_args=()
  # Components' view types erased (as cargo-leptos does for debug builds): the builds compile
  # faster, and the release wasm is 30 % smaller (each distinct view type otherwise brings its
  # own copy of the rendering and hydration code). The server is built the same way: the HTML it
  # writes must be what the wasm's (asynchronous) hydration expects, view for view.
  local rustflags="--cfg erase_components"
  if [ "$release" = "--release" ]; then
    front_dir=wasm-release front_args=(--profile wasm-release) server_args=(--release)
  fi
  export LEPTOS_OUTPUT_NAME=inbox
  log "building the browser's wasm and the server${release:+ (release)}"
  RUSTFLAGS="$rustflags" cargo build -p frontend --lib --target wasm32-unknown-unknown \
    --target-dir target/front --no-default-features "${front_args[@]}" &
  local front=$!
  local server_rc=0 front_rc=0
  RUSTFLAGS="$rustflags" cargo build -p server --bin server --no-default-features "${server_args[@]}" || server_rc=$?
  # The splitter is a small host tool: built once, in the debug profile the tests share.
  RUSTFLAGS="--cfg erase_components" cargo build -p site-split || server_rc=$?
  wait "$front" || front_rc=$?
  [ "$server_rc" -eq 0 ] && [ "$front_rc" -eq 0 ] || { echo "build failed" >&2; return 1; }
  local pkg=target/site/pkg wasm="target/front/wasm32-unknown-unknown/$front_dir/frontend.wasm"
  # Chunks of an earlier build must not linger beside this one's: every file without a content
  # hash in its name goes. A release build's hashed files stay (pack-site.mjs replaces them at the
  # next release build), so target/release/server keeps working after a debug build.
  mkdir -p "$pkg"
  find "$pkg" -maxdepth 1 -type f -regextype posix-extended \
    ! -regex '.*\.[0-9a-f]{16}\.[a-z]+(\.br|\.gz)?' -delete
  # Code shared by the lazy points goes into one chunk for the conversation (and whatever shares
  # code with it), one for the template picker, one for the rest: a page loads a handful of
  # files, not one per combination of pages sharing code (68 for the conversation).
  target/debug/site-split "$wasm" "$pkg" "${wasm%.wasm}_split.wasm" \
    --group __open_conversation_view --group picker >/dev/null
  wasm-bindgen --target=web --no-typescript --keep-lld-exports --no-demangle --out-name=inbox \
    --out-dir="$pkg" "${wasm%.wasm}_split.wasm"
  mv "$pkg/inbox_bg.wasm" "$pkg/inbox.wasm"
  cp style/main.css "$pkg/inbox.css"
  if [ "$release" = "--release" ]; then
    local f
    for f in "$pkg"/*.wasm; do
      wasm-opt -Oz --strip-debug --strip-producers --enable-bulk-memory \
        --enable-nontrapping-float-to-int "$f" -o "$f" 2> >(grep -v "unknown name subsection" >&2)
    done
    # Hashed names (cached for a year by browsers), brotli and gzip copies, target/release/hash.txt.
    node scripts/pack-site.mjs "$pkg" target/release/hash.txt inbox
  fi
  if [ -d public ]; then cp -r public/. target/site/; fi
}
