// The app as an installed tablet app: installable with no errors under the server's
// Content-Security-Policy, a new release offered and applied only when the interviewer taps it
// (with the open interview kept), and a full device that loses nothing typed.
import assert from "node:assert/strict";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";

import { ROOT, freePort, launchTablet, saved, startServer, tempDir, waitForServiceWorker, watchCsp } from "./harness.mjs";

const cleanups = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function tablet(staticDir) {
  const port = await freePort();
  const server = await startServer({ port, db: join(tempDir(), "praatplaat.db"), staticDir });
  const context = await launchTablet();
  cleanups.push(() => server.stop(), () => context.close());
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return { server, context, page, errors, csp: watchCsp(page) };
}

async function startInterview(page, name) {
  await page.getByTestId("new-interview").click();
  await page.getByLabel("Bedrijfsnaam").fill(name);
  await page.getByLabel("Gemeente").fill("Alphen aan den Rijn");
  await page.getByTestId("start-interview").click();
  await page.getByTestId("interview-title").filter({ hasText: name }).waitFor();
  await page.getByRole("link", { name: "Bedrijf", exact: true }).click();
}

test("installable with no errors, under a strict Content-Security-Policy", async () => {
  const { server, context, page, errors, csp } = await tablet();
  const response = await page.goto(server.base);
  const policy = response.headers()["content-security-policy"];
  assert.match(policy, /script-src 'self' 'wasm-unsafe-eval';/);
  assert.doesNotMatch(policy, /unsafe-inline/);
  await page.getByRole("heading", { name: "Gesprekken" }).waitFor();
  await waitForServiceWorker(page);

  const cdp = await context.newCDPSession(page);
  const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
  assert.deepEqual(installabilityErrors, [], "Chromium finds the app installable");
  const manifest = await cdp.send("Page.getAppManifest");
  assert.deepEqual(manifest.errors, []);
  const parsed = JSON.parse(manifest.data);
  assert.equal(parsed.display, "standalone");
  assert.deepEqual(parsed.screenshots.map((s) => s.form_factor).sort(), ["narrow", "wide"]);
  for (const shot of parsed.screenshots) {
    assert.equal((await fetch(new URL(shot.src, server.base))).status, 200, shot.src);
  }

  // Work through the screens that load the most (picture, photos, settings) under the policy.
  await startInterview(page, "CSP Metaal");
  await page.getByRole("link", { name: "Praatplaat", exact: true }).click();
  await page.getByRole("link", { name: "Instellingen" }).click();
  await page.getByTestId("storage-used").waitFor();
  assert.match(await page.getByTestId("storage-used").textContent(), /in gebruik van .* beschikbaar/);
  assert.deepEqual(csp, [], "no Content-Security-Policy violations");
  assert.deepEqual(errors, []);
});

test("a new release is offered, never forced, and applied with the open interview kept", async () => {
  // A copy of the build that the test can turn into "the next release" while the tablet runs.
  const release = join(tempDir(), "dist");
  cpSync(join(ROOT, "dist"), release, { recursive: true });
  const { server, context, page, errors, csp } = await tablet(release);
  await page.goto(server.base);
  await waitForServiceWorker(page);
  await startInterview(page, "Updatebedrijf");
  const notes = page.getByLabel("Aantekeningen");
  await notes.fill("Halverwege het gesprek.");
  await saved(page);
  const interviewUrl = page.url();
  await page.evaluate(() => {
    window.__sameDocument = true;
  });

  // Publish the next release: a changed service worker and start page. Their precompressed
  // copies would still be the old release, so they go.
  const swPath = join(release, "sw.js");
  const sw = readFileSync(swPath, "utf8").replace(/const BUILD = "[^"]+";/, 'const BUILD = "next-release";');
  assert.match(sw, /next-release/);
  writeFileSync(swPath, sw);
  const indexPath = join(release, "index.html");
  writeFileSync(
    indexPath,
    readFileSync(indexPath, "utf8").replace("<head>", '<head><meta name="praatplaat-release" content="next">'),
  );
  for (const file of ["sw.js", "index.html"]) {
    for (const ext of [".br", ".gz"]) rmSync(join(release, file + ext), { force: true });
  }

  // Coming back online is one of the moments the app looks for a release.
  await context.setOffline(true);
  await context.setOffline(false);
  const banner = page.getByTestId("update-available");
  await banner.waitFor({ timeout: 20_000 });
  assert.match(await banner.textContent(), /nieuwe versie/);

  // Offered, not forced: the interview goes on in the same document.
  await notes.fill("Halverwege het gesprek. Na de melding verder getypt.");
  await saved(page);
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(await page.evaluate(() => window.__sameDocument), true, "no reload by itself");

  await Promise.all([page.waitForEvent("load"), page.getByTestId("update-apply").click()]);
  await page.getByTestId("interview-title").filter({ hasText: "Updatebedrijf" }).waitFor();
  assert.equal(page.url(), interviewUrl, "the same screen after the update");
  assert.equal(await page.evaluate(() => window.__sameDocument), undefined, "reloaded");
  assert.equal(
    await page.locator('meta[name="praatplaat-release"]').getAttribute("content"),
    "next",
    "the new release runs",
  );
  assert.equal(await page.getByLabel("Aantekeningen").inputValue(), "Halverwege het gesprek. Na de melding verder getypt.");
  assert.equal(await banner.count(), 0);
  assert.deepEqual(csp, []);
  assert.deepEqual(errors, []);
});

test("a full device keeps what was typed and saves it once there is room", async () => {
  const { server, context, page, errors } = await tablet();
  // A full device, as the browser reports it: IndexedDB refuses writes with QuotaExceededError.
  // (Chromium 156 ignores DevTools' Storage.overrideQuotaForOrigin for IndexedDB writes, and a
  // really full disk is not something a test can make, so the browser's answer is injected.)
  await context.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (...args) {
      if (window.__deviceFull) throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
      return put.apply(this, args);
    };
  });
  await page.goto(server.base);
  await waitForServiceWorker(page);
  await startInterview(page, "Volle Tablet BV");
  await page.getByLabel("Aantekeningen").fill("Voor de volle schijf.");
  await saved(page);

  await page.evaluate(() => {
    window.__deviceFull = true;
  });
  const typed = "Voor de volle schijf. Daarna: restmateriaal gaat terug naar de leverancier.";
  await page.getByLabel("Aantekeningen").fill(typed);
  const problem = page.getByTestId("save-error");
  await problem.waitFor();
  assert.match(await problem.textContent(), /geheugen van dit apparaat is vol/);
  assert.equal(await page.getByLabel("Aantekeningen").inputValue(), typed, "the text stays on screen");
  // Leaving now would lose it, so the browser asks first.
  assert.equal(await page.evaluate(() => {
    const event = new Event("beforeunload", { cancelable: true });
    window.dispatchEvent(event);
    return event.defaultPrevented;
  }), true);

  // Room again: one tap writes it.
  await page.evaluate(() => {
    window.__deviceFull = false;
  });
  await problem.getByRole("button", { name: "Opnieuw opslaan" }).click();
  await problem.waitFor({ state: "detached" });
  await saved(page);
  await page.reload();
  await page.getByTestId("interview-title").filter({ hasText: "Volle Tablet BV" }).waitFor();
  assert.equal(await page.getByLabel("Aantekeningen").inputValue(), typed, "saved after the retry");
  assert.deepEqual(errors, []);
});
