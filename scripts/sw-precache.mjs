// Trunk post-build hook: writes the list of built files and a build id (hash of their contents)
// into sw.js in the staging folder, so each build's service worker precaches exactly that build.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error("sw-precache: TRUNK_STAGING_DIR is not set (run through trunk build)");
  process.exit(1);
}

function walk(folder) {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const files = walk(dir)
  .map((path) => relative(dir, path).split(sep).join("/"))
  .filter((path) => path !== "sw.js")
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
  console.error("sw-precache: placeholders not found in sw.js");
  process.exit(1);
}
writeFileSync(swPath, sw);
console.log(`sw-precache: build ${build}, ${shell.length} files`);
