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
  ["native-postgres-2", "Native soak, two server processes over one PostgreSQL (the proxy alternates between them)"],
  ["self-delete", "Self-test: a stored interview row deleted (must be reported lost)"],
  ["self-flip", "Self-test: a stored tick flipped (must be reported lost)"],
  ["self-stolen", "Self-test: a device's numbers moved far ahead (its next change must be reported as an unearned duplicate)"],
  ["browser", "Browser soak: two Chromium tablets through the UI"],
  ["browser-self-flip", "Browser self-test: a stored tick flipped"],
];
const out = [];
out.push("# Reliability: the fault-injection soak");
out.push("");
out.push(
  "Written by `make soak` (`scripts/soak.sh`); do not edit by hand. What it does and how the " +
    "oracle decides what is lost: `crates/soak` (native, `praatplaat-soak native`; the oracle is " +
    "`crates/soak/src/oracle.rs`, the fault proxy `crates/soak/src/proxy.rs`) and " +
    "`tests/e2e/soak.mjs` (browser, through `praatplaat-soak proxy`). A few seeds of both run in `make test`.",
);
out.push("");
out.push(`Commit ${commit}, ${new Date().toISOString().slice(0, 16)}Z, ${seconds} s in all, on this machine's cores; exit status ${status}.`);
out.push("");
// Lists and objects apart: the native soak (crates/soak) writes flat figures, its faults as
// `faults.<kind>` keys, its failing runs in `failing` and `final_problems`, the proxy's own stats in
// `proxy`; the browser soak (tests/e2e/soak.mjs) its faults in `faults`, `problems` and `failures`.
const skip = new Set(["database", "seed", "self_test", "workdir"]);
const cell = (value) => (typeof value === "number" && !Number.isInteger(value) ? value.toFixed(1) : value);
const describe = (p) => {
  if (typeof p === "string") return p;
  if (p && Array.isArray(p.details)) {
    const counts = ["lost_fields", "lost_records", "duplicates", "phantom_conflicts", "unequal_devices", "set_aside", "unsettled", "unearned_duplicates", "breaches"]
      .filter((k) => p[k])
      .map((k) => `${k} ${p[k]}`)
      .join(", ");
    return `seed ${p.seed} (${p.devices} devices${counts ? `; ${counts}` : ""}): ${p.details.join("; ")}`;
  }
  return JSON.stringify(p);
};
for (const [name, title] of soaks) {
  const f = read(name);
  if (!f) continue;
  out.push(`## ${title}`);
  out.push("");
  out.push("| figure | value |");
  out.push("|---|---|");
  const faults = { ...(f.faults && typeof f.faults === "object" ? f.faults : {}) };
  if (typeof f.database === "string") {
    out.push(`| database | ${f.database} |`);
    if (Number.isInteger(f.seed) && Number.isInteger(f.runs) && f.runs > 0) {
      out.push(`| seeds | ${f.runs === 1 ? f.seed : `${f.seed}..${f.seed + f.runs - 1} (run i plays seed ${f.seed} + i)`} |`);
    }
  }
  for (const [key, value] of Object.entries(f)) {
    // A list of numbers (requests per server process) as one cell.
    if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "number")) {
      out.push(`| ${key} | ${value.join(" / ")} |`);
      continue;
    }
    if (skip.has(key) || value === null || typeof value === "object") continue;
    if (key.startsWith("faults.") && key !== "faults.total") {
      faults[key.slice("faults.".length)] = value;
      continue;
    }
    out.push(`| ${key} | ${cell(value)} |`);
  }
  if (Object.keys(faults).length > 0) {
    out.push(`| faults by type | ${Object.entries(faults).map(([k, v]) => `${k} ${v}`).join(", ")} |`);
  }
  const problems = [...(f.failing ?? []), ...(f.final_problems ?? []), ...(f.problems ?? []), ...(f.failures ?? [])];
  if (problems.length > 0) {
    out.push("");
    out.push("Reported (first ones):");
    out.push("");
    for (const p of problems.slice(0, 5)) out.push(`- ${describe(p).slice(0, 300)}`);
  }
  out.push("");
}
// What the figures alone do not tell (what was found and fixed when) is kept by hand beside them.
const history = new URL("../docs/reliability-history.md", import.meta.url);
if (existsSync(history)) out.push(readFileSync(history, "utf8").trimEnd(), "");
console.log(out.join("\n"));
