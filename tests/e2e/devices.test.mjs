// The coordinator revokes a lost tablet from the settings screen ("Aangemelde apparaten"): the
// tablet is refused at its next sync and says so, and an interviewer sees only their own devices.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";

import {
  COORDINATOR,
  INTERVIEWER,
  addTestUsers,
  freePort,
  launchTablet,
  signIn,
  startServer,
  tempDir,
  waitOrExplain,
} from "./harness.mjs";

const SHOTS = join(import.meta.dirname, "../../docs/screenshots");
let server;
let office;
let hall;

before(async () => {
  const db = join(tempDir(), "devices.db");
  addTestUsers(db);
  server = await startServer({ port: await freePort(), db });
  office = await launchTablet();
  hall = await launchTablet({ width: 800, height: 1280 });
});

after(async () => {
  await office?.close();
  await hall?.close();
  await server?.stop();
});

test("the coordinator revokes a lost tablet from the list of signed-in devices", async () => {
  const tablet = await hall.newPage();
  await signIn(tablet, server.base, INTERVIEWER);
  // The interviewer sees their own device only, marked as this one, with nothing to revoke.
  await tablet.getByTestId("load-devices").click();
  const own = tablet.getByTestId("device");
  await own.first().waitFor();
  assert.equal(await own.count(), 1);
  assert.match(await own.textContent(), /Dit apparaat/);
  assert.equal(await tablet.getByTestId("revoke").count(), 0);
  await own.scrollIntoViewIfNeeded();
  await tablet.screenshot({ path: join(SHOTS, "devices-portrait.png") });

  const desk = await office.newPage();
  await signIn(desk, server.base, COORDINATOR);
  await desk.getByTestId("load-devices").click();
  const row = desk.getByTestId("device").filter({ hasText: "Jan de Vries" });
  await waitOrExplain(desk, row);
  assert.match(await row.textContent(), /Laatst gezien \d{4}-\d\d-\d\d \d\d:\d\d/);
  await row.getByTestId("revoke").scrollIntoViewIfNeeded();
  await desk.screenshot({ path: join(SHOTS, "devices-landscape.png") });
  await row.getByTestId("revoke").click();
  await row.filter({ hasText: "Ingetrokken" }).waitFor();
  assert.equal(await row.getByTestId("revoke").count(), 0);

  // The lost tablet's next sync (the app syncs when it starts) is refused, and it says so.
  await tablet.goto(`${server.base}/sync`);
  await waitOrExplain(tablet, tablet.getByTestId("signed-out"), { timeout: 20_000 });
  assert.equal(await tablet.getByTestId("sync-now").count(), 0);
});
