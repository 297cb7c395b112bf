// Lighthouse on the built app with Debian's Chromium: performance, accessibility and best
// practices, for the mobile preset (slow 4G, 4x CPU: the harsh case) and the desktop preset.
// Usage: node scripts/lighthouse.mjs http://127.0.0.1:PORT/   (prints `lighthouse.* = score`)
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";

import { CHROMIUM, CHROMIUM_FLAGS } from "../tests/e2e/harness.mjs";

const url = process.argv[2];
if (!url || !/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) {
  console.error("usage: node scripts/lighthouse.mjs http://127.0.0.1:PORT/ (loopback only)");
  process.exit(2);
}
const out = resolve(import.meta.dirname, "../target/lighthouse");
mkdirSync(out, { recursive: true });

const chrome = await chromeLauncher.launch({
  chromePath: CHROMIUM,
  chromeFlags: ["--headless=new", ...CHROMIUM_FLAGS],
});
let worst = 100;
try {
  for (const [preset, config] of [["mobile", undefined], ["desktop", desktopConfig]]) {
    const result = await lighthouse(
      url,
      {
        port: chrome.port,
        output: "html",
        logLevel: "error",
        onlyCategories: ["performance", "accessibility", "best-practices"],
      },
      config,
    );
    writeFileSync(join(out, `${preset}.html`), result.report);
    const { categories, audits } = result.lhr;
    for (const [key, category] of Object.entries(categories)) {
      const score = Math.round(category.score * 100);
      worst = Math.min(worst, score);
      console.log(`lighthouse.${preset}.${key} = ${score}`);
    }
    for (const metric of ["first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "interactive"]) {
      console.log(`lighthouse.${preset}.${metric}_ms = ${Math.round(audits[metric].numericValue)}`);
    }
    // What cost points, so a low score says where to look.
    for (const category of Object.values(categories)) {
      for (const ref of category.auditRefs) {
        const audit = audits[ref.id];
        if (ref.weight > 0 && audit.score !== null && audit.score < 0.9) {
          console.log(`#   ${preset}/${category.id}: ${audit.id} scored ${audit.score} (${audit.displayValue || audit.title})`);
        }
      }
    }
  }
} finally {
  chrome.kill();
}
console.log(`lighthouse.worst_score = ${worst} (target >= 95); reports in ${out}`);
