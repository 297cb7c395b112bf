// The foundation's promise, end to end: an interview captured offline on a tablet survives a
// reload, reaches the server when the network is back, and survives a server restart.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { addTestUsers, freePort, launchTablet, pullAll, saved, signIn, startServer, tempDir, waitForServiceWorker } from "./harness.mjs";

let port;
let db;
let server;
let context;

before(async () => {
  port = await freePort();
  db = join(tempDir(), "praatplaat.db");
  addTestUsers(db);
  server = await startServer({ port, db });
  context = await launchTablet();
});

after(async () => {
  await context?.close();
  await server?.stop();
});

test("interview captured offline survives reload and reaches the server", async () => {
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));

  await page.goto(server.base);
  await page.getByRole("heading", { name: "Gesprekken" }).waitFor();
  await waitForServiceWorker(page);
  // Signed in once at the office; the hall needs no network after that.
  await signIn(page, server.base);
  await page.goto(server.base);
  await page.getByRole("heading", { name: "Gesprekken" }).waitFor();

  // The hall: no network, and the office server is down too.
  await server.stop();
  await context.setOffline(true);

  await page.getByTestId("new-interview").click();
  await page.getByLabel("Bedrijfsnaam").fill("Metaalbewerking De Vries");
  await page.getByLabel("Gemeente").fill("Nieuwkoop");
  await page.getByTestId("start-interview").click();
  await page.getByTestId("interview-title").filter({ hasText: "Metaalbewerking De Vries" }).waitFor();
  await page.getByRole("link", { name: "Bedrijf", exact: true }).click();
  await page.getByLabel("Aantekeningen").fill("Restplaat wordt al hergebruikt in de plaatwerkerij.");
  await page.getByLabel("Contactpersoon").fill("Anna de Vries");
  const status = page.getByTestId("sync-status");
  await assert.doesNotReject(status.filter({ hasText: "wachtend" }).waitFor());
  assert.match(await status.textContent(), /Opgeslagen op dit apparaat · 2 wachtend/);

  await saved(page);
  // Reload with no network: the service worker serves the app, IndexedDB the interview.
  const reloaded = await page.reload();
  assert.ok(reloaded.fromServiceWorker(), "the offline reload is served by the service worker");
  await page.getByTestId("interview-title").filter({ hasText: "Metaalbewerking De Vries" }).waitFor();
  assert.equal(await page.getByLabel("Aantekeningen").inputValue(), "Restplaat wordt al hergebruikt in de plaatwerkerij.");
  assert.equal(await page.getByLabel("Contactpersoon").inputValue(), "Anna de Vries");
  await page.getByRole("link", { name: "Gesprekken", exact: true }).click();
  await page.getByTestId("interview-list").getByText("Metaalbewerking De Vries").waitFor();
  assert.match(await page.getByTestId("interview-list").textContent(), /Nieuwkoop/);

  // Back at the office: server up, network on. The app syncs by itself.
  server = await startServer({ port, db });
  await context.setOffline(false);
  await status.filter({ hasText: "Gesynchroniseerd" }).waitFor({ timeout: 20_000 });

  const stored = await pullAll(server.base);
  const company = stored.find((r) => r.kind === "company")?.record;
  const interview = stored.find((r) => r.kind === "interview")?.record;
  assert.equal(company?.name, "Metaalbewerking De Vries");
  assert.equal(company?.municipality, "Nieuwkoop");
  assert.equal(company?.contact_person, "Anna de Vries");
  assert.equal(interview?.company_id, company?.id);
  assert.equal(interview?.notes, "Restplaat wordt al hergebruikt in de plaatwerkerij.");
  assert.equal(interview?.rev, 1);

  // The server restarts: the interview is still there.
  await server.stop();
  server = await startServer({ port, db });
  const again = await pullAll(server.base);
  assert.equal(again.filter((r) => r.kind === "interview").length, 1);
  assert.equal(again.find((r) => r.kind === "interview").record.notes, interview.notes);

  assert.deepEqual(errors, [], "no uncaught errors in the page");
});
