// The follow-up list (issue 14): a completed interview is due two quarters later; one tap plans
// its follow-up, one more records a call that did not get through; the follow-up syncs as a
// record of its own, with its attempt.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { ROOT, addTestUsers, freePort, launchTablet, pullAll, saved, signIn, startServer, tempDir, waitOrExplain } from "./harness.mjs";
import { quickInterview } from "./flows.mjs";

let server;
let context;

before(async () => {
  const db = join(tempDir(), "praatplaat.db");
  addTestUsers(db);
  server = await startServer({ port: await freePort(), db });
  context = await launchTablet({ width: 1280, height: 800 });
});

after(async () => {
  await context?.close();
  await server?.stop();
});

test("a completed interview is due, its follow-up is planned and a call recorded, and it syncs", async () => {
  const page = context.pages()[0];
  await signIn(page, server.base);
  await page.goto(`${server.base}/follow-ups`);
  await waitOrExplain(page, page.getByTestId("nobody-due"));

  await quickInterview(page, server.base, "Van Leeuwen Lastechniek", "Gouda");
  const base = page.url();
  await page.goto(`${base}/summary`);
  await page.getByTestId("complete").click();
  await saved(page);

  await page.goto(`${server.base}/companies`);
  await page.getByRole("link", { name: "Vervolgcontacten" }).click();
  const line = page.getByTestId("due-line").filter({ hasText: "Van Leeuwen Lastechniek" });
  await waitOrExplain(page, line);
  // Today's interview is due two quarters on: later than this month.
  assert.equal(await page.locator('section.due[data-bucket="Later"]').getByTestId("due-line").count(), 1);
  await line.getByRole("button", { name: "Inplannen: Van Leeuwen Lastechniek" }).click();
  await line.getByTestId("due-status").filter({ hasText: "Nog niet gebeld" }).waitFor();
  await saved(page);
  await line.getByRole("button", { name: "Niet bereikt: Van Leeuwen Lastechniek" }).click();
  await line.getByTestId("due-status").filter({ hasText: "Niet bereikt" }).waitFor();
  const today = new Date().toLocaleDateString("sv-SE");
  await line.getByText(`1 poging, op ${today}`).waitFor();
  await saved(page);

  for (const [width, height] of [[1280, 800], [800, 1280], [1920, 1080]]) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: join(ROOT, `docs/screenshots/follow-ups-${width}x${height}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });

  await page.getByTestId("sync-status").click();
  await page.getByTestId("sync-now").click();
  await page.getByTestId("sync-status").filter({ hasText: "Gesynchroniseerd" }).waitFor({ timeout: 20_000 });
  const followUps = (await pullAll(server.base)).filter((r) => r.kind === "follow_up").map((r) => r.record);
  assert.equal(followUps.length, 1);
  assert.equal(followUps[0].status, "not_reached");
  assert.deepEqual(followUps[0].attempts.map((a) => [a.date, a.reached]), [[today, false]]);
  const interviews = (await pullAll(server.base)).filter((r) => r.kind === "interview");
  assert.equal(followUps[0].interview_id, interviews[0].record.id);
});
