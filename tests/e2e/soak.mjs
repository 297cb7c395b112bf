// The browser half of the fault-injection soak: "nothing lost under faults", checked.
//
// One server (the real binary, a SQLite file), the fault proxy in front of it (the app is loaded
// through the proxy's origin: its CSP lets it talk to its own origin only), and two tablets
// (persistent Chromium contexts, signed in through the UI). A run is seeded: tablet A starts an
// interview through the UI and syncs, tablet B receives it, then 8-15 random actions across both
// tablets: ticks and unticks, notes typed key by key with unique tokens, offline and back,
// reloads, "Nu synchroniseren", proxy faults on and off, and the server SIGKILLed mid-sync and
// restarted on the same file and port. What the UI showed as saved is recorded per field.
//
// After the actions: faults off, server up, tablets online, both synced until nothing waits; then
// the oracle compares what the UI showed with the server (pull API and the SQLite file) and with
// each tablet's IndexedDB:
// - a field only one tablet wrote holds its last value; a text holds one of the texts still
//   "live" (typed texts are unique: a text is no longer live once the other tablet had it on
//   screen and typed over it) and every live text is in the field or in a conflict on it; a tick
//   both tablets left the same holds that value (two different last values: either may win);
// - every record there once (no copy under another id either), both tablets equal to the server;
// - change numbers: revisions 1..rev without gaps, the change sequence past the run's start, each
//   tablet's last number applied and never going back, the pull cursor moving forward;
// - no phantom conflict: none on a path only one tablet wrote under, and none between two texts
//   of the same tablet (the first letter of every typed text names its tablet).
// A tick's button is read and tapped in one go, and a text's old value read right before the
// first key, so a sync landing in between cannot make the oracle expect the wrong thing.
//
//   node tests/e2e/soak.mjs --runs 50 --seed 1 [--start 0] [--json out.json] [--self-test delete-row|flip-tick]
//        [--proxy auto|rust|stub] [--fault-percent 30] [--verbose]
//
// `--proxy auto` (the default) uses target/server/praatplaat-soak when it is built and otherwise a
// small JavaScript stand-in with the same control API, saying so; `--proxy rust` insists.
// PRAATPLAAT_SOAK_BIN and PRAATPLAAT_SERVER_BIN point at other builds (an older server, say).
// Exit status: 0 when nothing was lost, duplicated, invented or differed (with --self-test: when
// every damage was reported), 1 otherwise; figures as `key = value` lines, problems after them.
// `--self-test` damages the server's SQLite file before each check (deletes the interview's row,
// or flips a tick the UI showed) to show the oracle reports it.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, writeFileSync, mkdirSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import {
  COORDINATOR,
  INTERVIEWER,
  ROOT,
  addUser,
  apiToken,
  authFetch,
  freePort,
  launchTablet,
  saved,
  signIn,
  startServer,
  tempDir,
  waitForServiceWorker,
} from "./harness.mjs";
import { quickInterview } from "./flows.mjs";

/** The Rust fault proxy (crates/soak, `praatplaat-soak proxy`; `make server` builds it):
 * $PRAATPLAAT_SOAK_BIN, else target/server/praatplaat-soak. */
export const SOAK_BIN = process.env.PRAATPLAAT_SOAK_BIN || join(ROOT, "target/server/praatplaat-soak");
/** The runner's own account for its API checks (a coordinator sees every record). */
const CHECKER = { username: "soak", password: "soak-controle-2026", displayName: "Soak Controle", role: "coordinator" };
const THEMES = {
  GR: 8, PR: 10, PP: 10, OB: 9, SK: 8, EN: 9, GB: 8,
};
// The Rust proxy's fault kinds (crates/soak/src/proxy.rs), so both report the same names.
const STUB_FAULTS = ["drop_after_apply", "status_502", "status_503", "delay", "double_delivery", "truncate_request", "truncate_response"];

// ---------------------------------------------------------------------------------------------
// Seeded randomness

/** mulberry32: a small, fast PRNG; `rng(seed)()` is in [0, 1). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const mix = (seed, run) => (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(run + 1, 0x85ebca77)) >>> 0;
const pick = (rnd, list) => list[Math.floor(rnd() * list.length)];
const between = (rnd, lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
function shuffle(rnd, list) {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// The proxy: the Rust binary, or a stand-in with the same command line's behaviour

async function startProxy({ kind, port, upstreamPort, seed, faultPercent, log }) {
  const useRust = kind === "rust" || (kind === "auto" && existsSync(SOAK_BIN));
  if (kind === "rust" && !existsSync(SOAK_BIN)) {
    throw new Error(`${SOAK_BIN} is not built (cargo build --profile server -p praatplaat-soak)`);
  }
  const base = `http://127.0.0.1:${port}`;
  let stop;
  if (useRust) {
    const child = spawn(
      SOAK_BIN,
      ["proxy", "--listen", `127.0.0.1:${port}`, "--upstream", `127.0.0.1:${upstreamPort}`, "--seed", String(seed), "--fault-percent", String(faultPercent)],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise((done, fail) => {
      let text = "";
      const timer = setTimeout(() => fail(new Error(`the proxy did not say "listening on" within 15 s: ${text}`)), 15_000);
      child.once("exit", (code) => fail(new Error(`the proxy exited with ${code}: ${text}`)));
      child.stdout.on("data", (chunk) => {
        text += chunk;
        if (/listening on 127\.0\.0\.1:\d+/.test(text)) {
          clearTimeout(timer);
          done();
        }
      });
    });
    child.stdout.resume();
    stop = () => new Promise((done) => {
      if (child.exitCode !== null) return done();
      child.once("exit", () => done());
      child.kill("SIGTERM");
    });
  } else {
    log(`NOTE: ${SOAK_BIN} is not built: using the JavaScript stand-in proxy`);
    stop = await startStubProxy({ port, upstreamPort, seed, faultPercent });
  }
  const control = async (method, path) => {
    const response = await fetch(`${base}/__faults/${path}`, { method });
    if (!response.ok) throw new Error(`proxy ${method} /__faults/${path}: ${response.status}`);
    return response.headers.get("content-type")?.includes("json") ? response.json() : response.text();
  };
  return {
    kind: useRust ? "rust" : "stub",
    base,
    on: () => control("POST", "on"),
    off: () => control("POST", "off"),
    stats: () => control("GET", "stats"),
    stop,
  };
}

/** A stand-in for the Rust proxy, for developing the browser half before it exists: forwards
 * everything; while faults are on, `faultPercent` of the sync requests get one fault. */
async function startStubProxy({ port, upstreamPort, seed, faultPercent }) {
  const rnd = rng(mix(seed, 0xfa17));
  let faultsOn = false;
  let requests = 0;
  const faults = {};
  const readBody = (req) => new Promise((done, fail) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => done(Buffer.concat(chunks)));
    req.on("error", fail);
  });
  const forward = (req, body, { truncate = false } = {}) => new Promise((done, fail) => {
    const headers = { ...req.headers, "content-length": String(body.length) };
    delete headers["transfer-encoding"];
    const upstream = http.request(
      { host: "127.0.0.1", port: upstreamPort, method: req.method, path: req.url, headers, agent: false },
      (response) => {
        readBody(response).then((bytes) => done({ status: response.statusCode, headers: response.headers, body: bytes }), fail);
      },
    );
    upstream.on("error", fail);
    if (truncate) {
      upstream.write(body.subarray(0, Math.floor(body.length / 2)));
      setTimeout(() => upstream.destroy(new Error("truncated request")), 100);
    } else {
      upstream.end(body);
    }
  });
  const answer = (res, { status, headers, body }) => {
    const out = { ...headers, "content-length": String(body.length) };
    delete out["transfer-encoding"];
    delete out.connection;
    res.writeHead(status, out);
    res.end(body);
  };
  const json = (res, status, value) => {
    const body = Buffer.from(JSON.stringify(value));
    res.writeHead(status, { "content-type": "application/json", "content-length": String(body.length) });
    res.end(body);
  };
  const server = http.createServer(async (req, res) => {
    try {
      if (req.url.startsWith("/__faults/")) {
        await readBody(req);
        if (req.method === "POST" && req.url === "/__faults/on") faultsOn = true;
        else if (req.method === "POST" && req.url === "/__faults/off") faultsOn = false;
        else if (!(req.method === "GET" && req.url === "/__faults/stats")) return json(res, 404, { error: "not_found" });
        return json(res, 200, { requests, faults, faults_on: faultsOn });
      }
      requests += 1;
      const body = await readBody(req);
      // The sync routes, as the Rust proxy reads them: /api/v1/push, /api/v1/pull, /api/v1/sync/*.
      const sync = /^\/api\/v1\/(push|pull|sync\/)/.test(req.url);
      const fault = faultsOn && sync && rnd() * 100 < faultPercent ? pick(rnd, STUB_FAULTS) : null;
      if (fault) faults[fault] = (faults[fault] ?? 0) + 1;
      let upstream;
      try {
        switch (fault) {
          case "status_502":
          case "status_503":
            return json(res, fault === "status_502" ? 502 : 503, { error: "fault", message: fault });
          case "delay":
            await sleep(500 + rnd() * 3000);
            upstream = await forward(req, body);
            break;
          case "double_delivery":
            await forward(req, body);
            upstream = await forward(req, body);
            break;
          case "truncate_request":
            await forward(req, body, { truncate: true }).catch(() => {});
            return res.socket?.destroy();
          default:
            upstream = await forward(req, body);
        }
      } catch {
        return json(res, 502, { error: "bad_gateway", message: "upstream unreachable" });
      }
      if (fault === "drop_after_apply") return res.socket?.destroy();
      if (fault === "truncate_response") {
        const out = { ...upstream.headers, "content-length": String(upstream.body.length) };
        delete out["transfer-encoding"];
        res.writeHead(upstream.status, out);
        res.write(upstream.body.subarray(0, Math.floor(upstream.body.length / 2)));
        return setTimeout(() => res.socket?.destroy(), 20);
      }
      answer(res, upstream);
    } catch (e) {
      if (!res.headersSent) json(res, 502, { error: "bad_gateway", message: String(e) });
      else res.socket?.destroy();
    }
  });
  await new Promise((done) => server.listen(port, "127.0.0.1", done));
  return () => new Promise((done) => {
    server.closeAllConnections?.();
    server.close(() => done());
  });
}

// ---------------------------------------------------------------------------------------------
// SQLite: the sqlite3 CLI when installed, else Python's sqlite3 module

const HAS_SQLITE3 = spawnSync("sqlite3", ["-version"], { encoding: "utf8" }).status === 0;
const PY_SQL = `
import json, sqlite3, sys
con = sqlite3.connect(sys.argv[1], timeout=10)
con.row_factory = sqlite3.Row
rows = [dict(r) for r in con.execute(sys.argv[2])]
con.commit()
print(json.dumps(rows))
`;

/** Runs one SQL statement on the server's file; returns the rows as objects. */
function sql(db, query) {
  const run = HAS_SQLITE3
    ? spawnSync("sqlite3", ["-json", "-cmd", ".timeout 10000", db, query], { encoding: "utf8" })
    : spawnSync("python3", ["-c", PY_SQL, db, query], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`SQL failed (${query}): ${run.stderr}`);
  const text = run.stdout.trim();
  return text ? JSON.parse(text) : [];
}
const quote = (s) => `'${String(s).replaceAll("'", "''")}'`;

// ---------------------------------------------------------------------------------------------
// Records as JSON: paths, defaults, canonical form

/** A JSON pointer's steps (`/answers/GR-01/now` → ["answers", "GR-01", "now"]). */
const steps = (pointer) => pointer.split("/").slice(1).map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
function at(value, path) {
  let v = value;
  for (const s of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = v[s];
  }
  return v;
}
/** A field's value, or its type's default (a removed answer reads as unticked, no note). */
const valueOf = (value, path, type) => at(value, path) ?? (type === "bool" ? false : "");
const startsWith = (long, short) => short.length <= long.length && short.every((s, i) => long[i] === s);
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
/** The top-level keys where two records differ. */
function differences(a, b) {
  const keys = new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})]);
  return [...keys].filter((k) => canonical(a?.[k]) !== canonical(b?.[k]));
}

// ---------------------------------------------------------------------------------------------
// A tablet

/** What the tablet's IndexedDB holds: records by id, the outbox, the meta entries. */
function readDevice(page) {
  return page.evaluate(
    () => new Promise((resolve, reject) => {
      const open = indexedDB.open("praatplaat");
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result;
        const names = ["companies", "interviews", "outbox", "meta"];
        const tx = db.transaction(names);
        const out = {};
        for (const name of names) {
          const store = tx.objectStore(name);
          const keys = store.getAllKeys();
          const values = store.getAll();
          values.onsuccess = () => {
            out[name] = keys.result.flatMap((key, i) => {
              const v = values.result[i];
              let value = v;
              if (typeof v === "string" && /^[[{]/.test(v)) value = JSON.parse(v);
              // A record store's row is a bucket of records by id (src/idb.rs, `Buckets`).
              if (/^b[0-9a-f]{2}$/.test(key) && value && typeof value === "object") {
                return Object.entries(value).map(([id, record]) => ({ key: id, value: record }));
              }
              return [{ key, value }];
            });
          };
        }
        tx.oncomplete = () => {
          db.close();
          resolve(out);
        };
        tx.onerror = () => reject(tx.error);
      };
    }),
  );
}

class Tablet {
  constructor(name, context, page, origin, account) {
    Object.assign(this, { name, context, page, origin, account, offline: false, errors: [] });
  }
  path() {
    return new URL(this.page.url()).pathname;
  }
}

// ---------------------------------------------------------------------------------------------
// The soak

/** Sets up the server, the proxy and two signed-in tablets; `run(i)` plays and checks one run. */
export async function createSoak({ seed = 1, proxy = "auto", faultPercent = 30, verbose = false, log = console.log } = {}) {
  const say = verbose ? (...a) => log(new Date().toISOString().slice(11, 23), ...a) : () => {};
  const dir = tempDir("praatplaat-soak-");
  const db = join(dir, "soak.db");
  addUser(db, INTERVIEWER);
  addUser(db, COORDINATOR);
  addUser(db, CHECKER);
  const serverPort = await freePort();
  const env = {
    dir,
    db,
    serverPort,
    server: await startServer({ port: serverPort, db }),
    serverDown: false,
    restarting: null,
  };
  const proxyPort = await freePort();
  const px = await startProxy({ kind: proxy, port: proxyPort, upstreamPort: serverPort, seed, faultPercent, log });
  const origin = px.base;
  for (const which of ["on", "off"]) {
    const call = px[which];
    px[which] = async () => {
      await call();
      current?.net.push(`${((Date.now() - current.started) / 1000).toFixed(2)} proxy faults ${which}`);
    };
  }
  const token = await apiToken(env.server.base, CHECKER, "soak checker");

  const figures = {
    runs: 0,
    runs_failed: 0,
    seconds_per_run: 0,
    seconds_max: 0,
    proxy: px.kind,
    workdir: dir,
    proxy_requests: 0,
    faults_total: 0,
    faults: {},
    fault_periods: 0,
    kills: 0,
    kills_mid_sync: 0,
    reloads: 0,
    offline_periods: 0,
    sync_taps: 0,
    ticks: 0,
    taps_misread: 0,
    texts_typed: 0,
    typing_disturbed: 0,
    fields_checked: 0,
    records_checked: 0,
    lost_fields: 0,
    lost_records: 0,
    duplicated: 0,
    phantom_conflicts: 0,
    conflicts: 0,
    tablets_differ: 0,
    change_number_problems: 0,
    page_errors: 0,
    self_test: { mode: "none", damaged: 0, reported: 0 },
    problems: [],
    conflict_list: [],
    warnings: [],
    failures: [],
  };
  const durations = [];
  /** The run being played (its sync traffic is noted). */
  let current = null;
  const lastSeq = new Map();
  /** Sync requests sent and not yet answered (a kill then is mid-sync). */
  const inFlight = new Set();

  // Two tablets, signed in through the UI: A as the interviewer, B as the coordinator. The
  // device ids are the ones the server counts change numbers by.
  const tablets = [];
  const deviceIds = {};
  try {
    await setUpTablets();
  } catch (e) {
    for (const t of tablets) await t.context.close().catch(() => {});
    await px.stop().catch(() => {});
    await env.server.stop();
    throw e;
  }
  async function setUpTablets() {
    for (const [name, account, size] of [["A", INTERVIEWER, { width: 1280, height: 800 }], ["B", COORDINATOR, { width: 800, height: 1280 }]]) {
      const context = await launchTablet(size);
      tablets.push(new Tablet(name, context, null, origin, account));
      context.setDefaultTimeout(20_000);
      const page = context.pages()[0] ?? (await context.newPage());
      const tablet = tablets.at(-1);
      tablet.page = page;
      page.on("pageerror", (e) => tablet.errors.push(e.message));
      page.on("dialog", (d) => d.accept().catch(() => {}));
      // The sync traffic of the current run, for a problem's story.
      const net = (what) => (r) => {
        if (!current || !/\/api\/v1\/(push|pull)/.test(r.url())) return;
        const path = new URL(r.url()).pathname.replace("/api/v1/", "");
        current.net.push(`${((Date.now() - current.started) / 1000).toFixed(2)} ${name} ${path} ${what(r)}`);
      };
      page.on("request", (r) => /\/api\/v1\/(push|pull)/.test(r.url()) && inFlight.add(r));
      for (const done of ["requestfinished", "requestfailed"]) page.on(done, (r) => inFlight.delete(r));
      page.on("response", net((r) => r.status()));
      page.on("requestfailed", net((r) => `failed ${r.failure()?.errorText ?? ""}`));
      await page.goto(origin);
      await waitForServiceWorker(page);
      await signIn(page, origin, account);
    }
    for (const t of tablets) {
      const device = await readDevice(t.page);
      deviceIds[t.name] = device.meta.find((m) => m.key === "device_id")?.value;
    }
  }

  async function serverUp() {
    if (env.restarting) {
      try {
        await env.restarting;
      } catch (e) {
        log(`the server did not restart after a kill (${e.message}); starting it again`);
      }
      env.restarting = null;
    }
    if (env.serverDown) {
      env.server = await startServer({ port: env.serverPort, db: env.db });
      env.serverDown = false;
    }
  }

  /** Every record through the pull API; checks the cursor only moves forward. */
  async function pullEverything() {
    const records = [];
    let since = 0;
    for (;;) {
      const response = await authFetch(token, `${env.server.base}/api/v1/pull?since=${since}&limit=500`);
      if (!response.ok) throw new Error(`pull failed: ${response.status}`);
      const page = await response.json();
      records.push(...page.records);
      if (page.more && !(page.cursor > since)) throw new Error(`the pull cursor did not move: ${since} → ${page.cursor}`);
      since = page.cursor;
      if (!page.more) return records;
    }
  }

  // --- UI steps ------------------------------------------------------------------------------

  /** Opens a step of the run's interview in the app (in-app links; a full load only when the
   * page is outside the interview). `theme` opens that theme through the plate picture. */
  async function open(t, run, step) {
    const page = t.page;
    const base = `/interviews/${run.interviewId}`;
    const target = step.startsWith("theme/") ? `${base}/${step}` : step ? `${base}/${step}` : base;
    if (t.path() === target) return;
    if (!t.path().startsWith(base)) {
      await page.goBack({ waitUntil: "commit" }).catch(() => {});
      if (!t.path().startsWith(base)) await page.goto(`${origin}${base}`);
      await page.getByTestId("interview-title").waitFor();
    }
    if (step.startsWith("theme/")) {
      const theme = step.slice("theme/".length);
      if (t.path() !== base) await page.locator(`a.step[href="${base}"]`).click();
      const zone = page.locator(`g.plate-zone[data-theme="${theme}"] path.zone-area`);
      await zone.focus();
      await page.keyboard.press("Enter");
      await page.locator(`.theme-step[data-theme="${theme}"]`).waitFor();
    } else if (t.path() !== target) {
      await page.locator(`a.step[href="${target}"]`).click();
      await page.waitForURL((url) => url.pathname === target);
    }
  }

  /** Taps "Doen we al" or "Ambitie" of a practice; records what the button shows once saved. */
  async function tick(t, run, practice, which) {
    await open(t, run, `theme/${practice.slice(0, 2)}`);
    const button = t.page.locator(`[data-practice="${practice}"] button.toggle.${which}`);
    await button.scrollIntoViewIfNeeded();
    await button.waitFor();
    // Read what the button shows and tap it in one go: a sync may bring the other tablet's tick
    // at any moment, and the oracle must know what the tap acted on.
    const before = await button.evaluate((b) => {
      const pressed = b.getAttribute("aria-pressed") === "true";
      b.click();
      return pressed;
    });
    const flipped = await t.page
      .locator(`[data-practice="${practice}"] button.toggle.${which}[aria-pressed="${!before}"]`)
      .waitFor({ timeout: 5000 })
      .then(() => true, () => false);
    await saved(t.page);
    const shown = (await button.getAttribute("aria-pressed")) === "true";
    if (!flipped) {
      // The tap acted on another value than the button showed (or its edit was undone).
      figures.taps_misread += 1;
      run.problems.push({ run: run.index, problem: "tap_misread", field: `interview:/answers/${practice}/${which}`, tablet: t.name, showed_before: before, showed_after: shown, actions: [...run.actions], net: [...run.net] });
    }
    record(run, t, "interview", `/answers/${practice}/${which}`, "bool", before, shown);
    figures.ticks += 1;
  }

  /** Replaces a text field's content with a unique token, typed key by key. */
  async function typeText(t, run, rnd, kind, path, step, selector, prepare) {
    await open(t, run, step);
    if (prepare) await prepare();
    const field = t.page.locator(selector);
    await field.waitFor();
    run.tokens += 1;
    // Unique, and its first letter names the tablet, so even a half-typed text has an author.
    const token = `${t.name}${run.tokens}.${run.tag} ${Math.floor(rnd() * 36 ** 4).toString(36)}`;
    await field.click();
    // What the typing replaces, read as late as possible (with the selection of all of it): a sync
    // may bring the other tablet's text into the field until the first key.
    let observed = await field.evaluate((el) => {
      el.focus();
      el.select();
      return el.value;
    });
    await t.page.keyboard.type(token, { delay: between(rnd, 5, 25) });
    await t.page.waitForFunction(([s, v]) => document.querySelector(s)?.value === v, [selector, token], { timeout: 5000 }).catch(() => {});
    await saved(t.page);
    const shown = await field.inputValue();
    if (shown !== token) {
      say(`${t.name}: typed ${JSON.stringify(token)} but the field shows ${JSON.stringify(shown)}`);
      figures.typing_disturbed += 1;
      // A sync changed the field between the read and the first key: the keys went after it.
      if (shown.endsWith(token)) observed = shown.slice(0, shown.length - token.length);
    }
    record(run, t, kind, path, "text", observed, shown);
    figures.texts_typed += 1;
  }

  async function openSync(t) {
    if (t.path() !== "/sync") await t.page.getByTestId("sync-status").click();
    await t.page.getByTestId("sync-now").waitFor();
  }

  /** One round through "Nu synchroniseren", waited for: the time of the last successful round
   * moves past the tap and no round runs. False when no round succeeded in time. */
  async function syncRound(t, timeout = 25_000) {
    await openSync(t);
    const t0 = await t.page.evaluate(() => Date.now());
    await t.page.getByTestId("sync-now").click({ timeout });
    figures.sync_taps += 1;
    return t.page
      .waitForFunction(
        (t0) => Number(localStorage.getItem("praatplaat.last_sync")) > t0 && !document.querySelector(".sync-badge.busy"),
        t0,
        { timeout },
      )
      .then(() => true, () => false);
  }

  // --- the oracle's notes ---------------------------------------------------------------------

  /** A write the UI showed as saved. Per field: who wrote it, each tablet's last value, and for
   * texts the values still "live" (not overwritten by a tablet that had seen them on screen). */
  function record(run, t, kind, path, type, observed, shown) {
    const key = `${kind}:${path}`;
    let f = run.fields.get(key);
    if (!f) {
      f = { kind, path, type, last: {}, live: new Map(), history: [] };
      run.fields.set(key, f);
    }
    f.history.push({ tablet: t.name, ms: Date.now() - run.started, observed, shown });
    f.last[t.name] = shown;
    f.live.delete(t.name);
    for (const [other, value] of f.live) if (value === observed) f.live.delete(other);
    f.live.set(t.name, shown);
    say(`${t.name} ${key} = ${JSON.stringify(shown)} (was ${JSON.stringify(observed)})`);
  }

  // --- one run --------------------------------------------------------------------------------

  /** Run `i` of the soak's seed (or of `runSeed`: one set-up can play several seeds). */
  async function run(i, { selfTest = null, seed: runSeed = seed } = {}) {
    if (selfTest) figures.self_test.mode = selfTest;
    const rnd = rng(mix(runSeed, i));
    const started = Date.now();
    const [A, B] = tablets;
    const tag = `s${runSeed}r${i}${selfTest ? "x" : ""}`;
    const theme = pick(rnd, Object.keys(THEMES));
    const practices = shuffle(rnd, Array.from({ length: THEMES[theme] }, (_, k) => `${theme}-${String(k + 1).padStart(2, "0")}`));
    const run = {
      index: i,
      started,
      tag,
      company: `Soak ${tag} ${Math.floor(rnd() * 36 ** 5).toString(36)}`,
      fields: new Map(),
      tokens: 0,
      setupPractice: practices[0],
      pool: practices.slice(1, 4),
      notePractice: practices[1],
      problems: [],
      actions: [],
      net: [],
    };
    current = run;
    const problem = (what, detail) => {
      run.problems.push({ run: i, problem: what, ...detail });
      say("PROBLEM", what, JSON.stringify(detail));
    };
    let failure = null;
    try {
      await px.off();
      run.counterAtStart = Number(sql(db, "SELECT value FROM counters WHERE name = 'server_seq'")[0]?.value ?? 0);
      // Tablet A starts the interview and ticks one practice nobody else touches (the self-test's
      // target); it syncs on its own after the edit.
      await quickInterview(A.page, origin, run.company, "Gouda");
      run.interviewId = A.page.url().match(/\/interviews\/([0-9a-f-]{36})/)[1];
      record(run, A, "company", "/name", "text", "", run.company);
      record(run, A, "company", "/municipality", "text", "", "Gouda");
      await tick(A, run, run.setupPractice, "now");
      const local = await readDevice(A.page);
      run.companyId = local.interviews.find((r) => r.key === run.interviewId).value.company_id;
      // Tablet B receives it.
      const deadline = Date.now() + 30_000;
      for (;;) {
        await syncRound(B, 8000);
        const device = await readDevice(B.page);
        if (device.interviews.some((r) => r.key === run.interviewId)) break;
        if (Date.now() > deadline) throw new Error("tablet B did not receive the interview within 30 s");
        await sleep(300);
      }
      await B.page.goto(`${origin}/interviews/${run.interviewId}`);
      await B.page.getByTestId("interview-title").filter({ hasText: run.company }).waitFor();
      say(`run ${i}: interview ${run.interviewId} on both tablets (${((Date.now() - started) / 1000).toFixed(1)} s)`);

      // The random part, mostly with the proxy's faults on from the start.
      if (rnd() < 0.8) {
        await px.on();
        figures.fault_periods += 1;
      }
      const count = between(rnd, 8, 15);
      let kills = 0;
      for (let k = 0; k < count; k++) {
        const t = pick(rnd, tablets);
        const roll = rnd();
        let action;
        if (roll < 0.22) action = "tick";
        else if (roll < 0.44) action = "type";
        else if (roll < 0.51) action = "offline";
        else if (roll < 0.58) action = "reload";
        else if (roll < 0.72) action = "sync";
        else if (roll < 0.78) action = "faults";
        else if (roll < 0.9) action = "wait";
        else action = kills < 2 && !env.serverDown ? "kill" : "wait";
        run.actions.push(`${((Date.now() - started) / 1000).toFixed(1)} ${t.name}:${action}`);
        say(`run ${i} action ${k + 1}/${count}: ${t.name} ${action}`);
        switch (action) {
          case "tick":
            await tick(t, run, pick(rnd, run.pool), rnd() < 0.6 ? "now" : "ambition");
            break;
          case "type": {
            const which = pick(rnd, ["notes", "ambition", "contact", "note"]);
            if (which === "notes") await typeText(t, run, rnd, "interview", "/notes", "company", "#interview-notes");
            else if (which === "ambition") await typeText(t, run, rnd, "interview", "/ambition", "ambition", "#ambition-text");
            else if (which === "contact") await typeText(t, run, rnd, "company", "/contact_person", "company", "#company-contact");
            else {
              const p = run.notePractice;
              await typeText(t, run, rnd, "interview", `/answers/${p}/note`, `theme/${theme}`, `#note-${p}`, async () => {
                if ((await t.page.locator(`#note-${p}`).count()) === 0) {
                  await t.page.locator(`[data-practice="${p}"] button.toggle.ghost`).click();
                }
              });
            }
            break;
          }
          case "offline":
            t.offline = !t.offline;
            await t.context.setOffline(t.offline);
            if (t.offline) figures.offline_periods += 1;
            break;
          case "reload":
            await saved(t.page);
            await t.page.reload();
            await t.page.getByTestId("sync-status").waitFor();
            figures.reloads += 1;
            break;
          case "sync":
            await openSync(t);
            await t.page.getByTestId("sync-now").click({ timeout: 5000 }).catch(() => {});
            figures.sync_taps += 1;
            break;
          case "wait":
            // Time for the syncs an edit starts (0.8 s after it) to run, or to be cut off.
            await sleep(between(rnd, 200, 1500));
            break;
          case "faults":
            if (rnd() < 0.65) {
              await px.on();
              figures.fault_periods += 1;
            } else {
              await px.off();
            }
            break;
          case "kill": {
            // Mid-sync: an edit on an online tablet, and the server killed as its push goes out
            // (0.8 s after the edit); mid-sync when the request had no answer yet.
            const k = t.offline ? tablets.find((o) => !o.offline) ?? t : t;
            const out = k.page
              .waitForRequest((r) => /\/api\/v1\/(push|pull)/.test(r.url()), { timeout: 3000 })
              .catch(() => null);
            await tick(k, run, pick(rnd, run.pool), rnd() < 0.6 ? "now" : "ambition");
            const request = await out;
            if (rnd() < 0.5) await sleep(rnd() * 15);
            env.server.child.kill("SIGKILL");
            const midSync = request !== null && inFlight.has(request);
            run.net.push(`${((Date.now() - started) / 1000).toFixed(2)} server SIGKILL${midSync ? " (a request unanswered)" : ""}`);
            env.serverDown = true;
            kills += 1;
            figures.kills += 1;
            if (midSync) figures.kills_mid_sync += 1;
            const down = 300 + rnd() * 2000;
            env.restarting = (async () => {
              await sleep(down);
              env.server = await startServer({ port: env.serverPort, db: env.db });
              env.serverDown = false;
              env.restarting = null;
            })();
            env.restarting.catch(() => {}); // awaited (and reported) when the run settles
            break;
          }
        }
      }
    } catch (e) {
      failure = e;
    }

    // Settle: faults off, server up, both online, synced until nothing waits.
    let checked = false;
    try {
      await px.off();
      await serverUp();
      for (const t of tablets) {
        if (t.offline) {
          t.offline = false;
          await t.context.setOffline(false);
        }
      }
      for (let pass = 0; pass < 5; pass++) {
        for (const t of tablets) await syncRound(t);
        for (const t of tablets) await syncRound(t);
        const devices = await Promise.all(tablets.map((t) => readDevice(t.page)));
        if (devices.every((d) => d.outbox.length === 0)) break;
        say(`run ${i}: still waiting after pass ${pass + 1}: ${devices.map((d) => d.outbox.length).join(" / ")}`);
      }
      if (run.interviewId && run.companyId) {
        if (selfTest) damage(run, selfTest);
        await check(run, problem);
        checked = true;
        if (run.damaged) {
          figures.self_test.damaged += 1;
          const seen = run.problems.some((p) =>
            run.damaged.problem === "lost_field"
              ? p.problem === "lost_field" && p.field === run.damaged.field
              : p.problem === "lost_record" && p.where === "server" && p.id === run.damaged.id);
          run.damageReported = seen;
          if (seen) figures.self_test.reported += 1;
          else problem("self_test_not_reported", run.damaged);
        }
      }
    } catch (e) {
      failure ??= e;
    }
    const seconds = (Date.now() - started) / 1000;
    durations.push(seconds);
    figures.runs += 1;
    figures.seconds_per_run = Number((durations.reduce((a, b) => a + b, 0) / durations.length).toFixed(1));
    figures.seconds_max = Number(Math.max(...durations).toFixed(1));
    for (const t of tablets) {
      figures.page_errors += t.errors.length;
      for (const message of t.errors.splice(0)) problem("page_error", { tablet: t.name, message });
    }
    if (failure) {
      figures.runs_failed += 1;
      const shot = join(dir, `run-${i}-failure`);
      for (const t of tablets) await t.page.screenshot({ path: `${shot}-${t.name}.png` }).catch(() => {});
      figures.failures.push({ run: i, checked, message: String(failure.message ?? failure).slice(0, 2000), actions: run.actions, screenshots: `${shot}-{A,B}.png` });
      say(`run ${i} FAILED: ${failure.message}`);
    }
    figures.problems.push(...run.problems);
    say(`run ${i}: ${seconds.toFixed(1)} s, ${run.fields.size} fields, ${run.problems.length} problems; ${run.actions.join(" ")}`);
    return { seconds, problems: run.problems, failure, damaged: run.damaged ?? null, damageReported: run.damageReported ?? false };
  }

  /** The self-test: damage what the server stores, so the check must report it. */
  function damage(run, mode) {
    if (mode === "delete-row") {
      sql(db, `DELETE FROM records WHERE kind = 'interview' AND id = ${quote(run.interviewId)}`);
      run.damaged = { problem: "lost_record", id: run.interviewId };
    } else if (mode === "flip-tick") {
      // The tick only tablet A set (ticked during set-up, outside the random actions' pool).
      const p = run.setupPractice;
      const f = run.fields.get(`interview:/answers/${p}/now`);
      const to = f.last.A ? "false" : "true";
      const rows = sql(db, `SELECT json_type(data, '$.record.answers."${p}"') AS t FROM records WHERE kind = 'interview' AND id = ${quote(run.interviewId)}`);
      const target = rows[0]?.t === "object" ? `'$.record.answers."${p}".now'` : `'$.record.answers."${p}"'`;
      const value = rows[0]?.t === "object" ? `json('${to}')` : `json('{"now":${to},"ambition":false,"note":""}')`;
      sql(db, `UPDATE records SET data = json_set(data, ${target}, ${value}) WHERE kind = 'interview' AND id = ${quote(run.interviewId)}`);
      run.damaged = { problem: "lost_field", field: `interview:/answers/${p}/now` };
    } else {
      throw new Error(`unknown self-test ${mode}`);
    }
  }

  /** The oracle. */
  async function check(run, problem) {
    const all = await pullEverything();
    const devices = Object.fromEntries(await Promise.all(tablets.map(async (t) => [t.name, await readDevice(t.page)])));
    const ids = { interview: run.interviewId, company: run.companyId };
    const serverRecords = {};

    // Every record there, once; on the server and on each tablet.
    for (const [kind, id] of Object.entries(ids)) {
      figures.records_checked += 1;
      const same = all.filter((r) => r.kind === kind && r.record.id === id);
      if (same.length === 0 || same.every((r) => r.record.deleted)) {
        figures.lost_records += 1;
        problem("lost_record", { where: "server", kind, id });
      }
      if (same.length > 1) {
        figures.duplicated += 1;
        problem("duplicated", { where: "server", kind, id, count: same.length });
      }
      serverRecords[kind] = same.at(-1)?.record;
      for (const t of tablets) {
        const store = devices[t.name][kind === "interview" ? "interviews" : "companies"];
        const mine = store.filter((r) => r.key === id);
        if (mine.length === 0) {
          figures.lost_records += 1;
          problem("lost_record", { where: t.name, kind, id });
        } else if (serverRecords[kind] && canonical(mine[0].value) !== canonical(serverRecords[kind])) {
          figures.tablets_differ += 1;
          problem("tablet_differs", { tablet: t.name, kind, id, keys: differences(mine[0].value, serverRecords[kind]) });
        }
      }
    }
    // Nothing duplicated under another id: one company by this name, one interview of it.
    const copies = {
      server_companies: all.filter((r) => r.kind === "company" && r.record.name === run.company).length,
      server_interviews: all.filter((r) => r.kind === "interview" && r.record.company_id === run.companyId).length,
    };
    for (const t of tablets) {
      copies[`${t.name}_companies`] = devices[t.name].companies.filter((r) => r.value?.name === run.company).length;
      copies[`${t.name}_interviews`] = devices[t.name].interviews.filter((r) => r.value?.company_id === run.companyId).length;
    }
    for (const [where, n] of Object.entries(copies)) {
      if (n > 1) {
        figures.duplicated += 1;
        problem("duplicated", { where, count: n });
      }
    }

    // Every field the UI showed: on the server, or kept in a conflict beside the other tablet's.
    for (const f of run.fields.values()) {
      figures.fields_checked += 1;
      const stored = serverRecords[f.kind];
      if (!stored) continue; // counted as a lost record
      const path = steps(f.path);
      const value = valueOf(stored, path, f.type);
      const kept = new Set([canonical(value)]);
      for (const c of stored.conflicts ?? []) {
        const cp = steps(c.path);
        if (!startsWith(path, cp)) continue;
        const rest = path.slice(cp.length);
        for (const v of [c.kept, c.other]) kept.add(canonical(valueOf(v, rest, f.type)));
      }
      const writers = Object.keys(f.last);
      let required;
      if (f.type === "text") required = [...f.live.values()];
      else if (writers.length === 1 || f.last.A === f.last.B) required = [f.last[writers[0]]];
      else required = [];
      const missing = required.filter((v) => !kept.has(canonical(v)));
      const stray = f.type === "text" && required.length > 0 && !required.some((v) => canonical(v) === canonical(value));
      if (missing.length > 0 || stray) {
        figures.lost_fields += 1;
        problem("lost_field", {
          field: `${f.kind}:${f.path}`,
          showed: f.last,
          expected: required,
          server: value,
          conflicts: (stored.conflicts ?? []).filter((c) => startsWith(path, steps(c.path))),
          history: f.history,
          actions: run.actions,
          net: run.net,
        });
      }
    }

    // Conflicts: only where both tablets wrote something under the conflict's path.
    for (const [kind, stored] of Object.entries(serverRecords)) {
      for (const c of stored?.conflicts ?? []) {
        figures.conflicts += 1;
        const cp = steps(c.path);
        const note = { run: run.index, kind, path: c.path, kept: c.kept, other: c.other };
        figures.conflict_list.push(note);
        const writers = new Set();
        for (const f of run.fields.values()) {
          const fp = steps(f.path);
          if (f.kind === kind && (startsWith(fp, cp) || startsWith(cp, fp))) for (const w of Object.keys(f.last)) writers.add(w);
        }
        note.writers = [...writers];
        // A text's two values name their tablet (every typed text is unique): a conflict between
        // two texts of the same tablet is that tablet's own edits set against each other.
        const field = run.fields.get(`${kind}:${c.path}`);
        const author = (v) => {
          if (field?.type !== "text" || typeof v !== "string" || v === "") return [];
          const exact = field.history.filter((h) => h.shown === v);
          const typing = field.history.filter((h) => h.shown.startsWith(v)); // a half-typed text
          return [...new Set((exact.length > 0 ? exact : typing).map((h) => h.tablet))];
        };
        const [keptBy, otherBy] = [author(c.kept), author(c.other)];
        note.authors = { kept: keptBy, other: otherBy };
        const selfConflict = keptBy.length === 1 && otherBy.length === 1 && keptBy[0] === otherBy[0];
        if (writers.size < 2 || selfConflict) {
          figures.phantom_conflicts += 1;
          problem("phantom_conflict", { kind, path: c.path, kept: c.kept, other: c.other, writers: [...writers], authors: note.authors, history: field?.history, actions: run.actions, net: run.net });
        }
      }
    }

    // Change numbers: revisions 1..rev kept without gaps, the change sequence moved forward, and
    // each tablet's numbers are all applied and never go back.
    const rows = sql(db, `SELECT kind, id, rev, server_seq FROM records WHERE id IN (${quote(run.interviewId)}, ${quote(run.companyId)})`);
    const counter = Number(sql(db, "SELECT value FROM counters WHERE name = 'server_seq'")[0]?.value ?? 0);
    for (const row of rows) {
      const revs = sql(db, `SELECT rev FROM revisions WHERE kind = ${quote(row.kind)} AND id = ${quote(row.id)} ORDER BY rev`).map((r) => Number(r.rev));
      const contiguous = revs.length === Number(row.rev) && revs.every((r, k) => r === k + 1);
      // Both records were created in this run, so their change numbers are past the run's start.
      const seqOk = Number(row.server_seq) <= counter && Number(row.server_seq) > run.counterAtStart;
      if (!contiguous || !seqOk) {
        figures.change_number_problems += 1;
        problem("change_numbers", { kind: row.kind, id: row.id, rev: row.rev, revisions: revs, server_seq: row.server_seq, counter, counter_at_start: run.counterAtStart });
      }
    }
    for (const t of tablets) {
      const device = deviceIds[t.name];
      const nextSeq = Number(devices[t.name].meta.find((m) => m.key === "next_seq")?.value ?? 1);
      const applied = Number(sql(db, `SELECT last_seq FROM devices WHERE device_id = ${quote(device)}`)[0]?.last_seq ?? 0);
      const before = lastSeq.get(t.name) ?? 0;
      if (applied < before || (devices[t.name].outbox.length === 0 && applied !== nextSeq - 1)) {
        figures.change_number_problems += 1;
        problem("change_numbers", { tablet: t.name, last_seq_on_server: applied, before, next_seq_on_tablet: nextSeq, waiting: devices[t.name].outbox.length });
      }
      if (devices[t.name].outbox.length > 0) {
        problem("still_waiting", { tablet: t.name, outbox: devices[t.name].outbox.map((o) => o.value) });
      }
      lastSeq.set(t.name, applied);
    }
  }

  async function close() {
    try {
      const stats = await px.stats();
      figures.proxy_requests = stats.requests ?? 0;
      figures.faults = stats.faults ?? {};
      figures.faults_total = Object.values(figures.faults).reduce((a, b) => a + Number(b), 0);
      if (figures.fault_periods > 0 && figures.faults_total === 0) {
        figures.warnings.push(
          `faults were on ${figures.fault_periods} times, yet the proxy injected none: does it fault the app's sync routes (/api/v1/push, /api/v1/pull)?`,
        );
      }
    } catch (e) {
      figures.failures.push({ run: null, message: `proxy stats: ${e.message}` });
    }
    for (const t of tablets) await t.context.close().catch(() => {});
    await px.stop().catch(() => {});
    if (env.restarting) await env.restarting.catch(() => {});
    await env.server.stop();
    return figures;
  }

  async function stats() {
    const s = await px.stats();
    return s;
  }

  return { run, close, figures, stats, env, origin };
}

/** Plays `runs` seeded runs on one server, proxy and pair of tablets; returns the figures. */
export async function runSoak({ runs = 5, start = 0, seed = 1, selfTest = null, proxy = "auto", faultPercent = 30, verbose = false, log = console.log } = {}) {
  const soak = await createSoak({ seed, proxy, faultPercent, verbose, log });
  try {
    for (let i = start; i < start + runs; i++) {
      const { seconds, problems, failure } = await soak.run(i, { selfTest });
      log(`run ${i + 1}/${start + runs}: ${seconds.toFixed(1)} s, ${problems.length} problem(s)${failure ? `, FAILED: ${failure.message.split("\n")[0]}` : ""}`);
    }
  } finally {
    await soak.close();
  }
  return soak.figures;
}

/** The figures as `key = value` lines (the lists of problems and failures apart). */
export function formatFigures(figures) {
  const lines = [];
  for (const [key, value] of Object.entries(figures)) {
    if (Array.isArray(value)) continue;
    if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) lines.push(`${key}.${k} = ${v}`);
    } else {
      lines.push(`${key} = ${value}`);
    }
  }
  return lines.join("\n");
}

async function main(argv) {
  const args = { runs: 50, start: 0, seed: 1, json: null, selfTest: null, proxy: "auto", faultPercent: 30, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === "--runs") args.runs = Number(next());
    else if (a === "--seed") args.seed = Number(next());
    else if (a === "--start") args.start = Number(next());
    else if (a === "--json") args.json = next();
    else if (a === "--self-test") args.selfTest = next();
    else if (a === "--proxy") args.proxy = next();
    else if (a === "--fault-percent") args.faultPercent = Number(next());
    else if (a === "--verbose" || a === "-v") args.verbose = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (args.selfTest && !["delete-row", "flip-tick"].includes(args.selfTest)) throw new Error("--self-test is delete-row or flip-tick");
  const figures = await runSoak(args);
  console.log(formatFigures(figures));
  for (const p of figures.problems) console.log(`problem: ${JSON.stringify(p)}`);
  for (const f of figures.failures) console.log(`failure: ${JSON.stringify(f)}`);
  for (const w of figures.warnings) console.log(`WARNING: ${w}`);
  if (args.json) {
    mkdirSync(join(args.json, ".."), { recursive: true });
    writeFileSync(args.json, `${JSON.stringify(figures, null, 2)}\n`);
  }
  const bad =
    figures.lost_fields +
    figures.lost_records +
    figures.duplicated +
    figures.phantom_conflicts +
    figures.tablets_differ +
    figures.change_number_problems +
    figures.taps_misread +
    figures.page_errors +
    figures.runs_failed +
    figures.warnings.length;
  // A self-test passes when every damage it did was reported.
  const selfTestPassed = figures.self_test.damaged > 0 && figures.self_test.reported === figures.self_test.damaged;
  process.exitCode = args.selfTest ? (selfTestPassed ? 0 : 1) : bad > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e);
    process.exit(2);
  });
}
