// Packs a release site for browsers: gives inbox.{js,wasm,css} in the pkg directory names with
// their content's hash (so the server may let browsers cache them for a year), writes brotli and
// gzip copies beside them (the server sends whichever the browser accepts, without compressing
// per request), and writes the hashes where Leptos reads them: `hash.txt` beside the server
// binary. Node's own zlib, nothing to install.
//
//   node scripts/pack-site.mjs <pkg dir> <hash file> [output name]
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync, readdirSync, rmSync, renameSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";

const [pkg, hashFile, name = "inbox"] = process.argv.slice(2);
if (!pkg || !hashFile) {
  console.error("usage: pack-site.mjs <pkg dir> <hash file> [output name]");
  process.exit(2);
}

// Earlier builds' hashed files and compressed copies.
const hashed = new RegExp(`^${name}\\.[0-9a-f]{16}\\.(js|wasm|css)(\\.br|\\.gz)?$`);
for (const f of readdirSync(pkg)) {
  if (hashed.test(f) || /\.(br|gz)$/.test(f)) rmSync(join(pkg, f));
}

const lines = [];
for (const ext of ["js", "wasm", "css"]) {
  const plain = join(pkg, `${name}.${ext}`);
  const bytes = readFileSync(plain);
  const hash = createHash("sha256").update(bytes).digest("hex").slice(0, 16);
  const file = join(pkg, `${name}.${hash}.${ext}`);
  renameSync(plain, file);
  writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
  writeFileSync(
    `${file}.br`,
    brotliCompressSync(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
        [constants.BROTLI_PARAM_MODE]: ext === "wasm" ? constants.BROTLI_MODE_GENERIC : constants.BROTLI_MODE_TEXT,
      },
    }),
  );
  lines.push(`${ext}: ${hash}`);
}
writeFileSync(hashFile, lines.join("\n") + "\n");
console.log(lines.join(", "));
