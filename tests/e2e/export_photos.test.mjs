// The way out and the weak hall connection:
// (a) an interview with a photo, captured offline and signed out, leaves the tablet as a sealed
//     export file; a fresh tablet refuses it with the wrong passphrase (changing nothing), reads it
//     with the right one, and syncs it: the server holds the interview once, and importing the same
//     file at the server applies nothing again.
// (b) a photo upload broken off mid-photo continues from the server's count: the first chunk is
//     not sent again.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { noisy } from "./images.mjs";
import { ROOT, addTestUsers, apiToken, authFetch, freePort, launchTablet, pullAll, saved, signIn, startServer, tempDir, waitOrExplain } from "./harness.mjs";
import { quickInterview, step } from "./flows.mjs";

const PASSPHRASE = "rode-kraan-hal-3";
/** PBKDF2 with 600,000 rounds in wasm takes seconds; a slow test machine more. */
const SEALING = { timeout: 90_000 };

let port;
let db;
let dir;
let server;
const contexts = [];

before(async () => {
  port = await freePort();
  dir = tempDir();
  db = join(dir, "praatplaat.db");
  addTestUsers(db);
  server = await startServer({ port, db });
});

after(async () => {
  for (const context of contexts) await context.close();
  await server?.stop();
});

async function tablet() {
  const context = await launchTablet();
  contexts.push(context);
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return { context, page, errors };
}

/** Adds an example with a photo on the examples step of the open interview. */
async function addPhoto(page, image) {
  await step(page, "Voorbeelden");
  await page.getByTestId("add-example").click();
  await page.getByLabel("Wat doet het bedrijf?").fill("Snijresten worden verzameld voor de schroothandel.");
  await page.locator('input[type="file"]').setInputFiles({ name: "hal.bmp", mimeType: "image/bmp", buffer: image });
  await page.locator(".photo-thumb img").waitFor();
  await saved(page);
}

test("export, import on a fresh tablet, sync, and import at the server", async () => {
  const a = await tablet();
  await a.page.goto(server.base);
  await a.page.getByRole("heading", { name: "Gesprekken" }).waitFor();
  // The hall: no network, never signed in on this tablet.
  await a.context.setOffline(true);
  // Offline `page.goto` fails: the app's own links get there.
  await a.page.getByTestId("new-interview").click();
  await a.page.getByLabel("Bedrijfsnaam").fill("Lasbedrijf Van Leeuwen");
  await a.page.getByLabel("Gemeente").fill("Gouda");
  await a.page.getByTestId("start-interview").click();
  await a.page.getByTestId("interview-title").filter({ hasText: "Lasbedrijf Van Leeuwen" }).waitFor();
  await addPhoto(a.page, noisy(900, 700));

  await a.page.getByTestId("sync-status").click();
  await a.page.getByTestId("transfer-link").click();
  const contents = a.page.getByTestId("export-contents");
  await contents.filter({ hasText: "1 foto" }).waitFor();
  assert.match(await contents.textContent(), /Gaat mee: \d+ wijzigingen en 1 foto/);
  const exportForm = a.page.getByTestId("export");
  await exportForm.getByLabel("Wachtwoord voor het bestand").fill(PASSPHRASE);
  await exportForm.getByLabel("Wachtwoord nog een keer").fill("iets-anders-1");
  await a.page.getByTestId("export-start").click();
  await a.page.getByTestId("export-error").filter({ hasText: "niet gelijk" }).waitFor();
  await exportForm.getByLabel("Wachtwoord nog een keer").fill(PASSPHRASE);
  await a.page.getByTestId("export-start").click();
  const link = a.page.getByTestId("export-download");
  await waitOrExplain(a.page, link, SEALING);
  const [download] = await Promise.all([a.page.waitForEvent("download"), link.click()]);
  assert.match(download.suggestedFilename(), /^praatplaat-\d{4}-\d{2}-\d{2}-[0-9a-f]{8}\.praatplaat$/);
  const file = join(dir, download.suggestedFilename());
  await download.saveAs(file);
  assert.deepEqual(a.errors, []);

  // A fresh tablet at the office.
  const b = await tablet();
  await b.page.goto(`${server.base}/transfer`);
  const importForm = b.page.getByTestId("import");
  await importForm.getByLabel("Exportbestand").setInputFiles(file);
  await importForm.getByLabel("Wachtwoord van het bestand").fill("verkeerd-wachtwoord");
  await b.page.getByTestId("import-start").click();
  await waitOrExplain(b.page, b.page.getByTestId("import-error").filter({ hasText: "Het wachtwoord klopt niet" }), SEALING);
  await b.page.goto(server.base);
  await b.page.getByText("Nog geen gesprekken").waitFor();
  assert.match(await b.page.getByTestId("sync-status").textContent(), /^Meld je aan om te synchroniseren$/, "nothing queued");

  await b.page.goto(`${server.base}/transfer`);
  await importForm.getByLabel("Exportbestand").setInputFiles(file);
  await importForm.getByLabel("Wachtwoord van het bestand").fill(PASSPHRASE);
  await b.page.getByTestId("import-start").click();
  await waitOrExplain(b.page, b.page.getByTestId("import-done"), SEALING);
  assert.match(await b.page.getByTestId("import-done").textContent(), /Ingelezen: 2 gegevens, 1 foto\. 0 stonden al/);
  await saved(b.page);
  await b.page.goto(server.base);
  const card = b.page.getByTestId("interview-list").locator("li").filter({ hasText: "Lasbedrijf Van Leeuwen" });
  await card.waitFor();
  assert.equal(await card.getByTestId("server-safety").textContent(), "Nog niet op de server");
  await card.getByRole("link").click();
  await step(b.page, "Voorbeelden");
  await b.page.locator(".photo-thumb img").waitFor();

  // Signed in, the imported interview syncs from this tablet, photo and all.
  await signIn(b.page, server.base);
  await b.page.goto(server.base);
  await waitOrExplain(b.page, b.page.getByTestId("sync-status").filter({ hasText: "Gesynchroniseerd" }), { timeout: 30_000 });
  await waitOrExplain(b.page, card.getByTestId("server-safety").filter({ hasText: "Veilig op de server ✓" }));
  assert.match(await card.getByTestId("server-safety").textContent(), /versie 1 · [0-9a-f]{8}/);

  const token = await apiToken(server.base);
  const records = await pullAll(server.base, token);
  const companies = records.filter((r) => r.kind === "company" && r.record.name === "Lasbedrijf Van Leeuwen");
  assert.equal(companies.length, 1, "the company once");
  const interviews = records.filter((r) => r.kind === "interview" && r.record.company_id === companies[0].record.id);
  assert.equal(interviews.length, 1, "the interview once");
  const photo = interviews[0].record.examples[0].photos[0];
  const stored = await authFetch(token, `${server.base}/api/v1/photos/${photo.hash}`);
  assert.equal(stored.status, 200, "the photo is on the server");
  assert.equal((await stored.arrayBuffer()).byteLength, photo.bytes);

  // The same file at the server (its command line, while the server is stopped): nothing twice.
  await server.stop();
  const run = spawnSync(join(ROOT, "target/server/praatplaat-server"), ["--database-url", `sqlite:${db}`, "import", file], {
    input: `${PASSPHRASE}\n`,
    encoding: "utf8",
    env: { ...process.env, RUST_LOG: "warn" },
  });
  assert.equal(run.status, 0, run.stderr);
  // The fresh tablet sent the records as its own newer edits, so the original changes are older
  // than what the server holds; the photo is already there.
  assert.match(run.stdout, /0 applied, 0 merged, \d+ already here, \d+ older than the server's, 0 refused; photos: 0 new, 1 already here/);
  const [, dup, older] = run.stdout.match(/(\d+) already here, (\d+) older/);
  assert.equal(Number(dup) + Number(older), 2);
  server = await startServer({ port, db });
  const again = await pullAll(server.base);
  assert.equal(again.filter((r) => r.kind === "interview" && r.record.company_id === companies[0].record.id).length, 1);
  assert.equal(again.find((r) => r.record.id === interviews[0].record.id).record.rev, 1, "not applied again");
  assert.deepEqual(b.errors, []);
});

test("a photo upload broken off mid-photo resumes from the server's count", async () => {
  const c = await tablet();
  const patches = [];
  let broken = false;
  await c.page.route(
    (url) => url.pathname.endsWith("/upload"),
    async (route) => {
      const request = route.request();
      if (request.method() !== "PATCH") return route.continue();
      const offset = Number(new URL(request.url()).searchParams.get("offset"));
      patches.push(offset);
      // The connection drops during the second chunk, once.
      if (offset > 0 && !broken) {
        broken = true;
        return route.abort("connectionreset");
      }
      return route.continue();
    },
  );
  await signIn(c.page, server.base);
  await quickInterview(c.page, server.base, "Gieterij De Hoop", "Leiden");
  await addPhoto(c.page, noisy(1600, 1200));
  await waitOrExplain(c.page, c.page.getByTestId("sync-status").filter({ hasText: "Gesynchroniseerd" }), { timeout: 45_000 });

  const token = await apiToken(server.base);
  const records = await pullAll(server.base, token);
  const company = records.find((r) => r.kind === "company" && r.record.name === "Gieterij De Hoop");
  const interview = records.find((r) => r.kind === "interview" && r.record.company_id === company.record.id);
  const photo = interview.record.examples[0].photos[0];
  assert.ok(photo.bytes > 64 * 1024, `the photo needs more than one chunk (${photo.bytes} bytes)`);
  const status = await (await authFetch(token, `${server.base}/api/v1/photos/${photo.hash}/upload`)).json();
  assert.deepEqual(status, { received: photo.bytes, complete: true });
  assert.ok(broken, "the second chunk was broken off");
  assert.equal(patches.filter((o) => o === 0).length, 1, `the first chunk went once (offsets: ${patches})`);
  assert.equal(patches.filter((o) => o === 65536).length, 2, "the broken chunk went again");
  assert.equal(patches.length, Math.ceil(photo.bytes / 65536) + 1);
  assert.deepEqual(c.errors, []);
});
