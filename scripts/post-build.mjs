// Trunk post-build hook, on the staging folder of a build:
// 0. moves Trunk's inline start-up script out of index.html into a hashed file, so the app runs
//    under a Content-Security-Policy without 'unsafe-inline' (see the server's static_files.rs);
// 1. writes the list of built files and a build id (hash of their contents) into sw.js, so each
//    build's service worker precaches exactly that build;
// 2. writes brotli (.br) and gzip (.gz) copies of text and wasm files, which the server sends to
//    browsers that accept them (no compression work per request).
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error("post-build: TRUNK_STAGING_DIR is not set (run through trunk build)");
  process.exit(1);
}

function externaliseInlineScripts() {
  const indexPath = join(dir, "index.html");
  let html = readFileSync(indexPath, "utf8");
  let moved = 0;
  html = html.replace(/<script type="module">([\s\S]*?)<\/script>/g, (_, code) => {
    const name = `boot-${createHash("sha256").update(code).digest("hex").slice(0, 16)}.js`;
    writeFileSync(join(dir, name), code);
    moved += 1;
    return `<script type="module" src="/${name}"></script>`;
  });
  if (moved === 0 || /<script(?![^>]*\bsrc=)[^>]*>/.test(html)) {
    console.error("post-build: expected Trunk's one inline module script in index.html, found otherwise");
    process.exit(1);
  }
  writeFileSync(indexPath, html);
}

externaliseInlineScripts();

function walk(folder) {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const files = walk(dir)
  .map((path) => relative(dir, path).split(sep).join("/"))
  // Screenshots are for the install dialog only: not worth a place in every tablet's cache.
  .filter((path) => path !== "sw.js" && !path.endsWith(".br") && !path.endsWith(".gz"))
  .filter((path) => !path.startsWith("screenshots/"))
  .sort();
const hash = createHash("sha256");
for (const file of files) {
  hash.update(file);
  hash.update(readFileSync(join(dir, file)));
}
const build = hash.digest("hex").slice(0, 16);
const shell = files.map((file) => `/${file}`);
const swPath = join(dir, "sw.js");
const sw = readFileSync(swPath, "utf8")
  .replace('"__PRAATPLAAT_BUILD__"', JSON.stringify(build))
  .replace("__PRAATPLAAT_SHELL__", JSON.stringify(shell, null, 2));
if (sw.includes("__PRAATPLAAT_")) {
  console.error("post-build: placeholders not found in sw.js");
  process.exit(1);
}
writeFileSync(swPath, sw);

const compressible = /\.(html|js|mjs|css|wasm|svg|json|webmanifest)$/;
let raw = 0;
let br = 0;
for (const file of [...files, "sw.js"].filter((f) => compressible.test(f))) {
  const path = join(dir, file);
  const bytes = readFileSync(path);
  const brotli = brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  });
  writeFileSync(`${path}.br`, brotli);
  writeFileSync(`${path}.gz`, gzipSync(bytes, { level: 9 }));
  raw += bytes.length;
  br += brotli.length;
}
console.log(`post-build: build ${build}, ${shell.length} files precached; ${raw} bytes, ${br} brotli`);
