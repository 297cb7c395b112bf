// Writes docs/reliability.md from the soak's JSON figures (scripts/soak.sh): one table per soak,
// every count it reported, faults by type. Usage: node reliability-report.mjs DIR SECONDS STATUS
import { existsSync, readFileSync } from "node:fs";
import { execSync } from "node:child_process";
import { join } from "node:path";

const [dir, seconds, status] = process.argv.slice(2);
const read = (name) => {
  const path = join(dir, `${name}.json`);
  return existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : null;
};
const commit = (() => {
  try {
    return execSync("git rev-parse --short HEAD", { encoding: "utf8" }).trim();
  } catch {
    return "?";
  }
})();
const soaks = [
  ["native-sqlite", "Native soak, SQLite"],
  ["native-postgres", "Native soak, PostgreSQL"],
  ["self-delete", "Self-test: a stored interview row deleted (must be reported lost)"],
  ["self-flip", "Self-test: a stored tick flipped (must be reported lost)"],
  ["browser", "Browser soak: two Chromium tablets through the UI"],
  ["browser-self-flip", "Browser self-test: a stored tick flipped"],
];
const out = [];
out.push("# Reliability: the fault-injection soak");
out.push("");
out.push(
  "Written by `make soak` (`scripts/soak.sh`); do not edit by hand. What it does and how the " +
    "oracle decides what is lost: `crates/server/examples/soak.rs` (native) and " +
    "`tests/e2e/soak.mjs` (browser). A few seeds of both run in `make test`.",
);
out.push("");
out.push(`Commit ${commit}, ${new Date().toISOString().slice(0, 16)}Z, ${seconds} s in all, on this machine's cores; exit status ${status}.`);
out.push("");
const skip = new Set(["problems", "faults", "failures", "conflict_list", "database", "self_test", "seed"]);
for (const [name, title] of soaks) {
  const f = read(name);
  if (!f) continue;
  out.push(`## ${title}`);
  out.push("");
  out.push("| figure | value |");
  out.push("|---|---|");
  for (const [key, value] of Object.entries(f)) {
    if (skip.has(key) || typeof value === "object") continue;
    out.push(`| ${key} | ${typeof value === "number" && !Number.isInteger(value) ? value.toFixed(1) : value} |`);
  }
  const faults = f.faults ?? {};
  if (Object.keys(faults).length > 0) {
    out.push(`| faults by type | ${Object.entries(faults).map(([k, v]) => `${k} ${v}`).join(", ")} |`);
  }
  const problems = f.problems ?? f.failures ?? [];
  if (problems.length > 0) {
    out.push("");
    out.push("Reported (first ones):");
    out.push("");
    for (const p of problems.slice(0, 5)) out.push(`- ${(typeof p === "string" ? p : JSON.stringify(p)).slice(0, 300)}`);
  }
  out.push("");
}
console.log(out.join("\n"));
