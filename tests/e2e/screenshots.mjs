// Screenshots of every screen at tablet sizes (landscape 1280x800, portrait 800x1280) into
// docs/screenshots/, and an example company praatplaat (PDF and PNG) into docs/, from a realistic
// interview played in the browser. Run: `make screenshots`.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { INTERVIEWER, ROOT, addTestUsers, apiToken, authFetch, freePort, launchTablet, saved, signIn, startServer, tempDir } from "./harness.mjs";
import { INTERVIEW_SCREENS, OTHER_SCREENS, fullInterview, quickInterview } from "./flows.mjs";

const DOCS = join(ROOT, "docs");
const SHOTS = join(DOCS, "screenshots");
mkdirSync(SHOTS, { recursive: true });

const db = join(tempDir(), "shots.db");
addTestUsers(db);
const server = await startServer({ port: await freePort(), db });
const log = (...a) => console.log(new Date().toISOString().slice(11, 19), ...a);

for (const [label, size] of [["landscape", { width: 1280, height: 800 }], ["portrait", { width: 800, height: 1280 }]]) {
  const context = await launchTablet(size);
  context.setDefaultTimeout(15_000);
  log("tablet", label);
  const page = context.pages()[0];
  await page.goto(server.base);
  await page.getByRole("heading", { name: "Gesprekken" }).waitFor();
  if (label === "landscape") {
    await quickInterview(page, server.base, "Constructiebedrijf Verhoef", "Waddinxveen");
    await quickInterview(page, server.base, "Metaalbewerking De Vries", "Nieuwkoop");
  }
  // Signed out: the sync screen asks to sign in (with what is waiting meanwhile).
  await page.goto(`${server.base}/sync`);
  await page.getByTestId("sign-in-form").waitFor();
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(SHOTS, `sign-in-${label}.png`) });
  await signIn(page, server.base);
  await page.goto(server.base);
  const base = label === "landscape" ? await fullInterview(page, server.base) : null;
  await page.goto(server.base);
  await page.getByTestId("sync-status").filter({ hasText: "Gesynchroniseerd" }).waitFor({ timeout: 20_000 });
  // The badge can read "Gesynchroniseerd" from the last round before the list has loaded.
  await page.getByTestId("interview-list").getByRole("link").first().waitFor();
  const first = base ?? (await page.getByTestId("interview-list").getByRole("link", { name: /Van Dijk/ }).getAttribute("href")).replace(/\/[a-z]+$/, "");
  const url = base ?? `${server.base}${first.startsWith("/interviews/") ? first : ""}`;
  await page.screenshot({ path: join(SHOTS, `list-${label}.png`) });
  for (const [name, path] of INTERVIEW_SCREENS) {
    await saved(page);
    await page.goto(`${url}${path}`);
    await page.waitForTimeout(600);
    await page.screenshot({ path: join(SHOTS, `${name}-${label}.png`) });
  }
  for (const [name, path] of OTHER_SCREENS) {
    await page.goto(`${server.base}${path}`);
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(SHOTS, `${name}-${label}.png`) });
  }

  if (label === "landscape") {
    await page.goto(`${url}/own`);
    await page.getByTestId("own-plate").waitFor();
    await page.waitForTimeout(600);
    await page.emulateMedia({ media: "print" });
    const pdf = await page.pdf({ format: "A4", landscape: true, printBackground: true, preferCSSPageSize: true });
    writeFileSync(join(DOCS, "example-praatplaat.pdf"), pdf);
    execFileSync("pdftoppm", ["-png", "-r", "70", join(DOCS, "example-praatplaat.pdf"), join(DOCS, "example-praatplaat")]);
  }
  // The sync screen with trouble: a change the server refused (a name over 200 characters) and,
  // offline, an edit waiting.
  await page.emulateMedia({ media: "screen" });
  await saved(page);
  await page.goto(`${url}/company`);
  const name = await page.getByLabel("Bedrijfsnaam").inputValue();
  await page.getByLabel("Bedrijfsnaam").fill(`${name} `.repeat(12));
  await saved(page);
  await page.goto(`${server.base}/sync`);
  await page.getByTestId("set-aside").waitFor({ timeout: 20_000 });
  await context.setOffline(true);
  await page.goto(`${url}/company`);
  await page.getByLabel("Aantekeningen").fill("Rondleiding door de hal; restmateriaal besproken.");
  await saved(page);
  await page.goto(`${server.base}/sync`);
  await page.getByTestId("sync-problem").waitFor();
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(SHOTS, `sync-problems-${label}.png`) });
  await page.goto(`${url}/company`);
  await page.getByLabel("Bedrijfsnaam").fill(name);
  await saved(page);
  // The coordinator revokes the tablet's session (a lost tablet): back online, it says so.
  const coordinator = await apiToken(server.base);
  const sessions = await (await authFetch(coordinator, `${server.base}/api/v1/sessions`)).json();
  const newest = sessions
    .filter((s) => s.user.username === INTERVIEWER.username && !s.revoked_at)
    .sort((a, b) => b.created_at - a.created_at)[0];
  await authFetch(coordinator, `${server.base}/api/v1/sessions/${newest.id}`, { method: "DELETE" });
  await page.goto(server.base);
  await context.setOffline(false);
  await page.getByTestId("signed-out").waitFor({ timeout: 20_000 });
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(SHOTS, `signed-out-${label}.png`) });

  // Last, as it leaves an unsaved edit: a full device, the browser refusing the write (injected
  // as in installable_app.test.mjs).
  await page.emulateMedia({ media: "screen" });
  await saved(page);
  await page.goto(`${url}/company`);
  await page.evaluate(() => {
    IDBObjectStore.prototype.put = () => {
      throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    };
  });
  await page.getByLabel("Aantekeningen").fill("Reststukken gaan terug naar de leverancier.");
  await page.getByTestId("save-error").waitFor();
  await page.screenshot({ path: join(SHOTS, `save-error-${label}.png`) });
  await context.close();
}
await server.stop();
console.log(`screenshots in ${SHOTS}, example praatplaat in ${DOCS}`);
