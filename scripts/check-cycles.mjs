// Fails when the modules of a crate import each other in a circle (`make lint`).
//
// Reads every `.rs` file under the given source folders, maps each to its module path
// (`src/pages/interview/theme_step.rs` → `pages::interview::theme_step`), and draws an edge for
// every `crate::a::b::…` path (in `use` lists and in code) to the longest module it names. A
// module's own descendants and ancestors are not edges (a parent declares its children). Then it
// looks for cycles (Tarjan) and prints each with the names that tie it.
//
//   node scripts/check-cycles.mjs src crates/domain/src crates/server/src
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return path.endsWith(".rs") ? [path] : [];
  });
}

function modulePath(root, file) {
  const parts = relative(root, file).replace(/\.rs$/, "").split("/");
  const last = parts.at(-1);
  if (last === "lib" || last === "main" || last === "mod") parts.pop();
  // Test modules beside the code (`foo/tests.rs`) are not part of the structure.
  return parts.join("::");
}

/** `crate::a::b::{c, d::e}` → ["a::b::c", "a::b::d::e"]; plain paths as they are. */
function cratePaths(source) {
  const out = [];
  // Comments and a trailing `#[cfg(test)] mod tests` (tests beside the code) are not structure.
  const code = source.replace(/\/\/.*$/gm, "").replace(/#\[cfg\(test\)\]\s*mod tests\s*\{[\s\S]*$/, "");
  const re = /\bcrate::(?:([A-Za-z_][\w:]*?)(?:::)?)?(\{([^;]*?)\})?(?=[^\w:{]|$)/g;
  for (const m of code.matchAll(re)) {
    const head = (m[1] ?? "").replace(/::$/, "");
    if (!head && !m[3]) continue;
    if (!m[3]) {
      out.push(head);
      continue;
    }
    const inner = m[3].replace(/\{[^}]*\}/g, (g) => g.replace(/,/g, "|"));
    for (const item of inner.split(",")) {
      const name = item.trim().split(/\s+as\s+/)[0].replace(/\|.*$/, "").replace(/::\{.*$/, "");
      if (name) out.push(name === "self" ? head : head ? `${head}::${name}` : name);
    }
  }
  return out;
}

let failed = false;
for (const root of process.argv.slice(2)) {
  const modules = new Map(); // module path -> file
  for (const file of files(root)) {
    if (/(^|\/)tests(\.rs|\/)/.test(relative(root, file))) continue;
    modules.set(modulePath(root, file), file);
  }
  const edges = new Map([...modules.keys()].map((m) => [m, new Map()]));
  for (const [from, file] of modules) {
    for (const path of cratePaths(readFileSync(file, "utf8"))) {
      const steps = path.split("::");
      let to = null;
      for (let n = steps.length; n > 0 && to === null; n--) {
        const candidate = steps.slice(0, n).join("::");
        if (modules.has(candidate)) to = candidate;
      }
      if (to === null || to === from) continue;
      const related = to.startsWith(`${from}::`) || from.startsWith(`${to}::`) || to === "";
      if (related) continue;
      const names = edges.get(from).get(to) ?? new Set();
      names.add(path.split("::").at(-1));
      edges.get(from).set(to, names);
    }
  }
  // Tarjan's strongly connected components.
  let index = 0;
  const stack = [];
  const info = new Map();
  const cycles = [];
  const visit = (v) => {
    info.set(v, { index, low: index, on: true });
    index++;
    stack.push(v);
    for (const w of edges.get(v).keys()) {
      if (!info.has(w)) {
        visit(w);
        info.get(v).low = Math.min(info.get(v).low, info.get(w).low);
      } else if (info.get(w).on) {
        info.get(v).low = Math.min(info.get(v).low, info.get(w).index);
      }
    }
    if (info.get(v).low === info.get(v).index) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        info.get(w).on = false;
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(component);
    }
  };
  for (const v of edges.keys()) if (!info.has(v)) visit(v);
  for (const cycle of cycles) {
    failed = true;
    console.error(`import cycle in ${root}: ${cycle.join(", ")}`);
    for (const from of cycle) {
      for (const [to, names] of edges.get(from)) {
        if (cycle.includes(to)) console.error(`  ${from} -> ${to}: ${[...names].join(", ")}`);
      }
    }
  }
  if (!cycles.length) console.log(`${root}: ${modules.size} modules, no import cycle`);
}
process.exit(failed ? 1 : 0);
