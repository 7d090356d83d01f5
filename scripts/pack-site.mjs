// Packs a release site for browsers: gives the files in the pkg directory names with their
// content's hash (so the server may let browsers cache them for a year), writes brotli and gzip
// copies beside them (the server sends whichever the browser accepts, without compressing per
// request), and writes the hashes where Leptos reads them: `hash.txt` beside the server binary.
// Node's own zlib, nothing to install.
//
// The files: inbox.{js,wasm,css}; the lazy chunks `site-split` cut from the wasm (*.wasm), their
// loader `__wasm_split.______________________.js` and `__wasm_split_manifest.json` (which chunks
// each lazy page needs, read by the server for its preload links). References between them are
// rewritten to the hashed names: the loader names the chunks and imports inbox.js, inbox.js
// imports the loader, the manifest names the chunks.
//
//   node scripts/pack-site.mjs <pkg dir> <hash file> [output name]
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync, readdirSync, rmSync, existsSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";

const [pkg, hashFile, name = "inbox"] = process.argv.slice(2);
if (!pkg || !hashFile) {
  console.error("usage: pack-site.mjs <pkg dir> <hash file> [output name]");
  process.exit(2);
}
const LOADER = "__wasm_split.______________________.js";
const MANIFEST = "__wasm_split_manifest.json";

const hashOf = (...parts) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest("hex").slice(0, 16);
};
const read = (f) => readFileSync(join(pkg, f));
const replaceAll = (text, from, to, what) => {
  if (!text.includes(from)) throw new Error(`${what}: "${from}" not found`);
  return text.split(from).join(to);
};

// Earlier builds' hashed files and compressed copies.
for (const f of readdirSync(pkg)) {
  if (/\.[0-9a-f]{16}\.(js|wasm|css|json)(\.br|\.gz)?$/.test(f) || /\.(br|gz)$/.test(f)) rmSync(join(pkg, f));
}

// name -> bytes of every file that ends up in the pkg directory, under its final name.
const out = new Map();
const lines = [];

// The lazy chunks: named after their own content.
const chunks = readdirSync(pkg).filter((f) => f.endsWith(".wasm") && f !== `${name}.wasm`);
const renamed = new Map();
for (const f of chunks) {
  const bytes = read(f);
  const stem = f.slice(0, -".wasm".length);
  renamed.set(stem, `${stem}.${hashOf(bytes)}`);
  out.set(`${renamed.get(stem)}.wasm`, bytes);
  rmSync(join(pkg, f));
}

let js = read(`${name}.js`).toString();
const wasm = read(`${name}.wasm`);
const css = read(`${name}.css`);
if (existsSync(join(pkg, LOADER))) {
  // The loader with the chunks' new names; then inbox.js and the loader import each other, so
  // both are named after one hash of the main wasm, inbox.js and the loader together.
  let loader = read(LOADER).toString();
  for (const [stem, hashed] of renamed) loader = replaceAll(loader, `"./${stem}.wasm"`, `"./${hashed}.wasm"`, LOADER);
  const pair = hashOf(wasm, js, loader);
  loader = replaceAll(loader, `from "./${name}.js"`, `from "./${name}.${pair}.js"`, LOADER);
  // Only the import statements: the key of the wasm's import object keeps the module name the
  // wasm was linked with.
  js = replaceAll(js, `from "./${LOADER}"`, `from "./__wasm_split.${pair}.js"`, `${name}.js`);
  out.set(`__wasm_split.${pair}.js`, Buffer.from(loader));
  out.set(`${name}.${pair}.js`, Buffer.from(js));
  lines.push(`js: ${pair}`, `split: ${pair}`);
  rmSync(join(pkg, LOADER));

  const manifest = JSON.parse(read(MANIFEST).toString());
  for (const deps of Object.values(manifest)) {
    deps.forEach((stem, i) => {
      if (!renamed.has(stem)) throw new Error(`${MANIFEST}: no chunk ${stem}.wasm`);
      deps[i] = renamed.get(stem);
    });
  }
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const mh = hashOf(manifestBytes);
  out.set(`__wasm_split_manifest.${mh}.json`, manifestBytes);
  lines.push(`manifest: ${mh}`);
  rmSync(join(pkg, MANIFEST));
} else {
  const h = hashOf(js);
  out.set(`${name}.${h}.js`, Buffer.from(js));
  lines.push(`js: ${h}`);
}
rmSync(join(pkg, `${name}.js`));
for (const [ext, bytes] of [["wasm", wasm], ["css", css]]) {
  const h = hashOf(bytes);
  out.set(`${name}.${h}.${ext}`, bytes);
  lines.push(`${ext}: ${h}`);
  rmSync(join(pkg, `${name}.${ext}`));
}

for (const [file, bytes] of out) {
  const path = join(pkg, file);
  writeFileSync(path, bytes);
  if (file.endsWith(".json")) continue; // read by the server, never sent
  writeFileSync(`${path}.gz`, gzipSync(bytes, { level: 9 }));
  writeFileSync(
    `${path}.br`,
    brotliCompressSync(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
        [constants.BROTLI_PARAM_MODE]: file.endsWith(".wasm") ? constants.BROTLI_MODE_GENERIC : constants.BROTLI_MODE_TEXT,
      },
    }),
  );
}
writeFileSync(hashFile, lines.join("\n") + "\n");
console.log(`${out.size} files: ${lines.join(", ")}`);
