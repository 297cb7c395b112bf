// Browser benchmarks of issue 5's budget: prints figures, asserts nothing about speed.
// Run through `make bench` (scripts/bench.sh), which builds the app and the server first.
//
//   shell.*      the app shell: brotli bytes of every precached file, and what a first visit
//                transfers
//   tti.*        the interview list interactive (empty; and with 200 interviews: its first page
//                and the "show more" button), served by the service worker, offline, CPU 4x slower
//   autosave.*   one tap to the IndexedDB write committed (body[data-saving] back to 0)
//   frames.*     the longest frame while ticking quickly
//   app_sync.*   the tablet pulling 200 completed interviews (and their companies) into IndexedDB
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

import { INTERVIEWER, ROOT, addTestUsers, apiToken, authFetch, freePort, launchTablet, pullAll, saved, signIn, startServer, tempDir, waitForServiceWorker } from "./harness.mjs";

const RUNS = Number(process.env.BENCH_RUNS || 5);
const INTERVIEWS = 200;
/** The interviews the list renders before "Meer tonen" (LIST_PAGE in src/pages/interview_list.rs). */
const LIST_PAGE = 40;

const figures = [];
function report(key, value, unit = "") {
  const shown = typeof value === "number" ? Math.round(value * 10) / 10 : value;
  figures.push([key, shown, unit]);
  console.log(`${key} = ${shown}${unit ? ` ${unit}` : ""}`);
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function shellSize() {
  const dist = join(ROOT, "dist");
  const sw = readFileSync(join(dist, "sw.js"), "utf8");
  const shell = JSON.parse(sw.match(/const SHELL = (\[[\s\S]*?\]);/)[1]);
  let brotli = 0;
  let raw = 0;
  let wasm = 0;
  for (const file of [...shell, "/sw.js"]) {
    const path = join(dist, file);
    const br = `${path}.br`;
    const size = existsSync(br) ? statSync(br).size : statSync(path).size;
    brotli += size;
    raw += statSync(path).size;
    if (file.endsWith(".wasm")) wasm = size;
  }
  report("shell.files", shell.length + 1);
  report("shell.raw_bytes", raw, "B");
  report("shell.brotli_bytes", brotli, "B");
  report("shell.wasm_brotli_bytes", wasm, "B");
}

/** One completed interview with its company, as a second device would push it. */
function completedInterview(template, n) {
  const company = structuredClone(template.company);
  const interview = structuredClone(template.interview);
  company.id = randomUUID();
  company.name = `Bench Metaal ${String(n).padStart(3, "0")}`;
  interview.id = randomUUID();
  interview.company_id = company.id;
  for (const record of [company, interview]) record.meta = { ...record.meta, rev: 0, updated_at: Date.now() };
  return [
    { kind: "company", record: company },
    { kind: "interview", record: interview },
  ];
}

/** Pushes as another tablet of the same interviewer, so this tablet's pull returns the records. */
async function pushAsOtherDevice(base, records) {
  const device = randomUUID();
  const token = await apiToken(base, INTERVIEWER, "bench: other tablet", device);
  let seq = 1;
  for (let i = 0; i < records.length; i += 500) {
    const changes = records.slice(i, i + 500).map((r) => ({ seq: seq++, ...r }));
    const response = await authFetch(token, `${base}/api/v1/push`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ device_id: device, changes }),
    });
    if (!response.ok) throw new Error(`push failed: ${response.status} ${await response.text()}`);
  }
}

/** Ticks every "Doen we al" of the open theme, `pause` ms apart, in the page itself. */
function tickAll(page, pause) {
  return page.evaluate(async (pause) => {
    const buttons = [...document.querySelectorAll("li.practice button.toggle.now")];
    const frames = [];
    let last = performance.now();
    let running = true;
    const loop = (t) => {
      frames.push(t - last);
      last = t;
      if (running) requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
    const saves = [];
    let start = null;
    const observer = new MutationObserver(() => {
      const n = Number(document.body.dataset.saving);
      if (n > 0 && start === null) start = performance.now();
      if (n === 0 && start !== null) {
        saves.push(performance.now() - start);
        start = null;
      }
    });
    observer.observe(document.body, { attributes: true, attributeFilter: ["data-saving"] });
    for (const round of [0, 1]) {
      for (const button of buttons) {
        const before = saves.length;
        button.click();
        if (pause > 0) {
          await new Promise((r) => setTimeout(r, pause));
        } else {
          // One at a time: wait for this tap's write before the next.
          const deadline = performance.now() + 2000;
          while (saves.length === before && performance.now() < deadline) await new Promise((r) => setTimeout(r, 1));
        }
      }
      void round;
    }
    while (document.body.dataset.saving !== "0") await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 100));
    running = false;
    observer.disconnect();
    return { saves, frames: frames.slice(1), taps: buttons.length * 2 };
  }, pause);
}

async function main() {
  console.log(`# Praatplaat browser benchmarks, ${new Date().toISOString()}, Chromium ${process.env.CHROMIUM_PATH || "/usr/bin/chromium"}`);
  shellSize();

  const port = await freePort();
  const db = join(tempDir(), "bench.db");
  addTestUsers(db);
  const server = await startServer({ port, db });
  const context = await launchTablet();
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const cdp = await context.newCDPSession(page);
    // Start-up moments, taken in the page (ms since navigation start) by a mutation observer: the
    // list screen usable (its "new interview" button there) and the list holding all interviews.
    await context.addInitScript((n) => {
      new MutationObserver((_, observer) => {
        if (!window.__shellReadyAt && document.querySelector('[data-testid="new-interview"]')) {
          window.__shellReadyAt = performance.now();
        }
        if (document.querySelectorAll('[data-testid="interview-list"] li').length >= n && document.querySelector('[data-testid="show-more"]')) {
          window.__listReadyAt = performance.now();
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    }, LIST_PAGE);

    /** Median and max of `moment` over RUNS offline start-ups at 4x CPU, from the service worker. */
    async function startUps(moment) {
      await context.setOffline(true);
      await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
      const starts = [];
      for (let i = 0; i < RUNS; i++) {
        const response = await page.goto(server.base);
        if (!response.fromServiceWorker()) throw new Error("start-up was not served by the service worker");
        const ready = await page.waitForFunction((m) => window[m], moment, { timeout: 30_000 });
        starts.push(await ready.jsonValue());
      }
      await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
      await context.setOffline(false);
      return starts;
    }

    // First visit, over HTTP with brotli: what the page itself transfers.
    await page.goto(server.base);
    await page.getByRole("heading", { name: "Gesprekken" }).waitFor();
    const transferred = await page.evaluate(() => {
      const entries = [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")];
      return entries.reduce((sum, e) => sum + (e.transferSize || 0), 0);
    });
    report("shell.first_visit_transferred_bytes", transferred, "B");
    await waitForServiceWorker(page);
    const empty = await startUps("__shellReadyAt");
    report("tti.empty_list_4x_cpu_median_ms", percentile(empty, 50), "ms");

    await signIn(page, server.base);
    await page.goto(server.base);
    // One real interview from the UI is the template for 200 more (the same shape the app writes).
    await page.getByTestId("new-interview").click();
    await page.getByLabel("Bedrijfsnaam").fill("Sjabloon Metaal");
    await page.getByLabel("Gemeente").fill("Gouda");
    await page.getByTestId("start-interview").click();
    await page.getByRole("button", { name: /^Grondstoffen/ }).click();
    for (const id of ["GR-01", "GR-02", "GR-04"]) {
      await page.locator(`li.practice[data-practice="${id}"]`).getByRole("button", { name: /Doen we al/ }).click();
    }
    await page.getByRole("link", { name: "Ambitie", exact: true }).click();
    await page.getByRole("link", { name: "Samenvatting", exact: true }).click();
    await page.getByTestId("complete").click();
    await saved(page);
    await page.getByTestId("sync-status").filter({ hasText: "Gesynchroniseerd" }).waitFor({ timeout: 30_000 });
    const all = await pullAll(server.base);
    const template = {
      company: all.find((r) => r.kind === "company").record,
      interview: all.find((r) => r.kind === "interview").record,
    };
    const records = [];
    for (let n = 1; n <= INTERVIEWS; n++) records.push(...completedInterview(template, n));
    await pushAsOtherDevice(server.base, records);

    // The tablet pulls them: from "sync now" to the list showing all of them.
    await page.getByTestId("sync-status").click();
    const pullStart = Date.now();
    await page.getByTestId("sync-now").click();
    await page.getByTestId("sync-status").filter({ hasText: "Gesynchroniseerd" }).waitFor({ timeout: 60_000 });
    await page.getByRole("link", { name: /Gesprekken$/ }).first().click();
    await page.getByTestId("show-more").filter({ hasText: `van ${INTERVIEWS + 1})` }).waitFor({ timeout: 60_000 });
    report("app_sync.pull_200_interviews_ms", Date.now() - pullStart, "ms");

    const starts = await startUps("__listReadyAt");
    report("tti.interview_list_4x_cpu_median_ms", percentile(starts, 50), "ms");
    report("tti.interview_list_4x_cpu_max_ms", Math.max(...starts), "ms");

    // Ticking, on the first theme of a new interview, at 1x and 4x CPU; offline, as in the hall.
    await context.setOffline(true);
    for (const rate of [1, 4]) {
      await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
      await page.goto(server.base);
      await page.getByTestId("new-interview").click();
      await page.getByLabel("Bedrijfsnaam").fill(`Tikken ${rate}x`);
      await page.getByLabel("Gemeente").fill("Katwijk");
      await page.getByTestId("start-interview").click();
      await page.getByRole("button", { name: /^Grondstoffen/ }).click();
      await page.locator("li.practice button.toggle.now").first().waitFor();
      await cdp.send("Emulation.setCPUThrottlingRate", { rate });
      const oneByOne = await tickAll(page, 0);
      report(`autosave.${rate}x_cpu_p50_ms`, percentile(oneByOne.saves, 50), "ms");
      report(`autosave.${rate}x_cpu_p95_ms`, percentile(oneByOne.saves, 95), "ms");
      report(`autosave.${rate}x_cpu_writes`, oneByOne.saves.length);
      const quick = await tickAll(page, 50);
      report(`frames.${rate}x_cpu_longest_ms_ticking_every_50ms`, Math.max(...quick.frames), "ms");
      report(`frames.${rate}x_cpu_over_50ms`, quick.frames.filter((f) => f > 50).length);
    }
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
  } finally {
    await context.close();
    await server.stop();
  }
}

await main();
