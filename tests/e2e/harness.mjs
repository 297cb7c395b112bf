// Shared set-up of the browser tests: the real server binary on a loopback port with a fresh
// SQLite file, and Debian's Chromium through playwright-core (never a downloaded browser).
import { spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

export const ROOT = resolve(import.meta.dirname, "../..");
/** The server binary; PRAATPLAAT_SERVER_BIN points the tests at another build (an older one, say). */
const SERVER_BIN = process.env.PRAATPLAAT_SERVER_BIN || join(ROOT, "target/server/praatplaat-server");
export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
/** Headless Chromium on this closed network: without the background-networking flags it keeps
 * trying to reach Google's hosts. */
export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

/** Starts the server; `db` is a SQLite file path that survives restarts, `staticDir` the built
 * app it serves (the real build unless a test serves a changed copy). */
export async function startServer({ port, db, staticDir = join(ROOT, "dist") }) {
  const child = spawn(
    SERVER_BIN,
    ["--bind", `127.0.0.1:${port}`, "--database-url", `sqlite:${db}`, "--static-dir", staticDir],
    { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, RUST_LOG: process.env.SERVER_LOG || "warn" } },
  );
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${base}/api/v1/health`);
      // `child` lets a test SIGKILL the server (the fault soak, tests/e2e/soak.mjs).
      if (response.ok) return { base, stop: () => stopServer(child), child };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error("server did not answer /api/v1/health within 15 s");
}

function stopServer(child) {
  return new Promise((done) => {
    if (child.exitCode !== null) return done();
    child.once("exit", () => done());
    child.kill("SIGINT");
  });
}

/** A fresh browser profile: a new tablet with empty storage. */
export async function launchTablet({ width = 1280, height = 800 } = {}) {
  const profile = mkdtempSync(join(tmpdir(), "praatplaat-chromium-"));
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width, height },
    locale: "nl-NL",
    args: CHROMIUM_FLAGS,
  });
}

export function tempDir(prefix = "praatplaat-test-") {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Collects the page's Content-Security-Policy violations (Chromium reports them on the console),
 * so a test can show the app works under the server's policy. */
export function watchCsp(page) {
  const violations = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

/** Waits until the service worker controls the page, so a reload can be served offline. */
export async function waitForServiceWorker(page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((r) => navigator.serviceWorker.addEventListener("controllerchange", r, { once: true }));
    }
  });
}

/** Waits until every edit has been written to IndexedDB (the app marks writes in flight). */
export async function saved(page) {
  await page.waitForFunction(() => document.body.dataset.saving === "0");
}

/** The accounts the tests use: an interviewer with a tablet, and the coordinator at the office. */
export const INTERVIEWER = { username: "jan", password: "stalen-trap-2026", displayName: "Jan de Vries", role: "interviewer" };
export const COORDINATOR = { username: "karin", password: "kantoor-sleutel-7", displayName: "Karin Bos", role: "coordinator" };

/** Creates an account through the server's CLI (works before the server runs on `db`). */
export function addUser(db, { username, role, password, displayName }) {
  const args = ["--database-url", `sqlite:${db}`, "user", "add", "--username", username, "--role", role, "--password-stdin"];
  if (displayName) args.push("--display-name", displayName);
  const run = spawnSync(SERVER_BIN, args, {
    input: `${password}\n`,
    encoding: "utf8",
    env: { ...process.env, RUST_LOG: process.env.SERVER_LOG || "warn" },
  });
  if (run.status !== 0) throw new Error(`user add ${username} exited with ${run.status}: ${run.stderr}${run.stdout}`);
}

/** The interviewer and the coordinator on a fresh database. */
export function addTestUsers(db) {
  addUser(db, INTERVIEWER);
  addUser(db, COORDINATOR);
}

/** Signs the tablet in through the settings screen, as an interviewer would. */
export async function signIn(page, origin, { username, password } = INTERVIEWER) {
  await page.goto(`${origin}/settings`);
  await page.getByLabel("Gebruikersnaam").fill(username);
  await page.getByLabel("Wachtwoord").fill(password);
  await page.getByTestId("sign-in").click();
  await waitOrExplain(page, page.getByTestId("signed-in"));
}

/** A bearer token for the test's own API calls, as another device of `account`. A push must carry
 * the device id the session was signed in with. */
export async function apiToken(base, { username, password } = COORDINATOR, deviceLabel = "test runner", deviceId = randomUUID()) {
  const response = await fetch(`${base}/api/v1/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password, device_id: deviceId, device_label: deviceLabel }),
  });
  if (!response.ok) throw new Error(`sign-in of ${username} failed: ${response.status} ${await response.text()}`);
  return (await response.json()).token;
}

/** `fetch` with the bearer token. */
export function authFetch(token, url, init = {}) {
  return fetch(url, { ...init, headers: { ...(init.headers ?? {}), authorization: `Bearer ${token}` } });
}

/** Every record the server holds, through its pull API as the coordinator (who sees all). */
export async function pullAll(base, token) {
  token ??= await apiToken(base);
  const records = [];
  let since = 0;
  for (;;) {
    const response = await authFetch(token, `${base}/api/v1/pull?since=${since}&limit=500`);
    if (!response.ok) throw new Error(`pull failed: ${response.status}`);
    const page = await response.json();
    records.push(...page.records);
    since = page.cursor;
    if (!page.more) return records;
  }
}

/** Waits for `locator`; on a timeout the error also tells where the page was and what it showed. */
export async function waitOrExplain(page, locator, options = {}) {
  try {
    await locator.waitFor(options);
  } catch (e) {
    const text = await page.locator("body").innerText().catch(() => "(no body)");
    throw new Error(`${e.message}\nat ${page.url()}, the page showed:\n${text.slice(0, 1500)}`);
  }
}
