// The interview itself: ticks on two themes, a good example with a photo from the "camera",
// everything back after an offline reload, and the completed interview with its photo on the server.
import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { INTERVIEWER, addTestUsers, apiToken, authFetch, freePort, launchTablet, pullAll, saved, signIn, startServer, tempDir, waitForServiceWorker } from "./harness.mjs";
import { bmp, noisy } from "./images.mjs";

let server;
let context;

before(async () => {
  const port = await freePort();
  const db = join(tempDir(), "praatplaat.db");
  addTestUsers(db);
  server = await startServer({ port, db });
  context = await launchTablet({ width: 800, height: 1280 });
});

after(async () => {
  await context?.close();
  await server?.stop();
});

/** Waits (up to 5 s) until `locator` matches exactly `n` elements; the UI renders asynchronously. */
async function hasCount(locator, n) {
  const deadline = Date.now() + 5_000;
  let count;
  while ((count = await locator.count()) !== n && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(count, n);
}

const practice = (page, id) => page.locator(`[data-practice="${id}"]`);

test("ticks, example with photo survive an offline reload and reach the server", async () => {
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(server.base);
  await waitForServiceWorker(page);
  await signIn(page, server.base);
  await page.goto(server.base);
  await page.getByTestId("new-interview").waitFor();
  await context.setOffline(true);

  await page.getByTestId("new-interview").click();
  await page.getByLabel("Bedrijfsnaam").fill("Constructiebedrijf Verhoef");
  await page.getByLabel("Gemeente").fill("Waddinxveen");
  await page.getByTestId("start-interview").click();

  // The plate opens the conversation: tap the raw-materials zone.
  await page.getByRole("button", { name: /^Grondstoffen/ }).click();
  await practice(page, "GR-01").getByRole("button", { name: /Doen we al/ }).click();
  await practice(page, "GR-04").getByRole("button", { name: /Doen we al/ }).click();
  await practice(page, "GR-03").getByRole("button", { name: /Ambitie/ }).click();
  await page.getByRole("link", { name: /Volgend onderdeel/ }).click();
  await practice(page, "PR-04").getByRole("button", { name: /Doen we al/ }).click();

  // A good example with a photo (a 2400x1800 image, as from a tablet camera).
  await page.getByRole("link", { name: "Voorbeelden", exact: true }).click();
  await page.getByTestId("add-example").click();
  await page.getByLabel("Wat doet het bedrijf?").fill("Donorstaal uit een gesloopte hal als kolommen hergebruikt.");
  await page.locator('input[type="file"]').setInputFiles({ name: "hal.bmp", mimeType: "image/bmp", buffer: bmp(2400, 1800) });
  await page.locator(".photo-thumb img").waitFor();
  // A very busy picture still ends up under the size target (smaller, not refused).
  await page.locator('input[type="file"]').setInputFiles({ name: "ruis.bmp", mimeType: "image/bmp", buffer: noisy(3000, 2000) });
  await page.locator(".photo-thumb img").nth(1).waitFor();
  await page.getByTestId("sharing").getByRole("radio", { name: "Anoniem" }).click();
  await saved(page);

  // Offline reload: everything is back, the photo included.
  await page.reload();
  await page.getByLabel("Wat doet het bedrijf?").waitFor();
  assert.equal(await page.getByLabel("Wat doet het bedrijf?").inputValue(), "Donorstaal uit een gesloopte hal als kolommen hergebruikt.");
  const images = page.locator(".photo-thumb img");
  await images.nth(1).waitFor();
  for (const img of await images.all()) {
    await img.evaluate((el) => el.decode());
    assert.ok(await img.evaluate((el) => el.naturalWidth > 0), "the photo renders from IndexedDB");
  }
  assert.equal(await page.getByTestId("sharing").getByRole("radio", { name: "Anoniem" }).getAttribute("aria-checked"), "true");
  await page.getByRole("link", { name: "Praatplaat", exact: true }).click();
  await page.getByRole("button", { name: /^Grondstoffen/ }).click();
  for (const id of ["GR-01", "GR-04"]) {
    assert.equal(await practice(page, id).getByRole("button", { name: /Doen we al/ }).getAttribute("aria-pressed"), "true", id);
  }
  assert.equal(await practice(page, "GR-03").getByRole("button", { name: /Ambitie/ }).getAttribute("aria-pressed"), "true");

  // The summary scores it: GR 2/8, PR 1/10 -> (0.25 + 0.1) / 7 themes = 5 %.
  await page.getByRole("link", { name: "Samenvatting", exact: true }).click();
  assert.equal((await page.getByTestId("score-now").textContent()).trim(), "5%");
  await page.getByTestId("complete").click();

  // Back online: the record and the photo reach the server.
  await context.setOffline(false);
  try {
    await page.getByTestId("sync-status").filter({ hasText: "Gesynchroniseerd" }).waitFor({ timeout: 20_000 });
  } catch (e) {
    await page.getByTestId("sync-status").click();
    throw new Error(`not synced: ${await page.locator("main").textContent()}`);
  }
  const interview = (await pullAll(server.base)).find((r) => r.kind === "interview").record;
  assert.equal(interview.status, "completed");
  assert.deepEqual(Object.keys(interview.answers).sort(), ["GR-01", "GR-03", "GR-04", "PR-04"]);
  assert.equal(interview.answers["GR-03"].ambition, true);
  assert.equal(interview.plate_version, "praatplaat-metaal@1");
  const [example] = interview.examples;
  assert.equal(example.sharing, "anonymous");
  const [photo, busy] = example.photos;
  assert.deepEqual([photo.width, photo.height], [1600, 1200], "downscaled to at most 1600 px");
  for (const p of [photo, busy]) {
    assert.ok(p.bytes <= 300 * 1024, `photo is ${p.bytes} bytes`);
    assert.ok(Math.max(p.width, p.height) <= 1600);
  }
  assert.ok(Math.abs(busy.width / busy.height - 1.5) < 0.01, "aspect ratio kept");
  const response = await authFetch(await apiToken(server.base), `${server.base}/api/v1/photos/${photo.hash}`);
  assert.equal(response.status, 200);
  const bytes = Buffer.from(await response.arrayBuffer());
  assert.equal(bytes.length, photo.bytes);
  assert.equal(createHash("sha256").update(bytes).digest("hex"), photo.hash);
  assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xd8], "a JPEG");
  assert.deepEqual(errors, []);
});

test("the list finds interviews by name, municipality and status, and reopens where you left off", async () => {
  const page = await context.newPage();
  await page.goto(server.base);
  for (const [name, municipality] of [["Smederij Nieuwkoop", "Nieuwkoop"], ["Lasbedrijf Gouda", "Gouda"]]) {
    await page.getByTestId("new-interview").click();
    await page.getByLabel("Bedrijfsnaam").fill(name);
    await page.getByLabel("Gemeente").fill(municipality);
    await page.getByTestId("start-interview").click();
    await page.getByTestId("interview-title").filter({ hasText: name }).waitFor();
    await page.getByRole("link", { name: "Behoeften", exact: true }).click();
    await page.getByRole("link", { name: "Gesprekken", exact: true }).click();
  }
  const cards = page.getByTestId("interview-list").locator("li");
  await hasCount(cards, 3);

  await page.getByLabel("Zoeken").fill("smederij");
  await page.waitForURL(/q=smederij/);
  await hasCount(cards, 1);
  await page.getByLabel("Zoeken").fill("");
  await page.getByLabel("Gemeente").selectOption("Gouda");
  await hasCount(cards, 1);
  assert.match(await cards.first().textContent(), /Lasbedrijf Gouda/);
  await page.getByLabel("Gemeente").selectOption("");
  await page.getByLabel("Status").selectOption("completed");
  await hasCount(cards, 1);
  assert.match(await cards.first().textContent(), /Constructiebedrijf Verhoef/);

  // The filter is in the URL: a reload keeps it.
  await page.reload();
  await hasCount(cards, 1);
  await page.getByLabel("Status").selectOption("draft");
  await hasCount(cards, 2);

  // Reopening an interview lands on the step where it was left.
  await cards.filter({ hasText: "Lasbedrijf Gouda" }).getByRole("link").click();
  await page.waitForURL(/\/needs$/);
  await page.close();
});

test("a long list shows a page at a time; search reaches every interview", async () => {
  // 45 interviews from Jan's other tablet, pulled by this one (an interviewer pulls what they
  // created or are assigned to).
  const changes = [];
  for (let n = 1; n <= 45; n++) {
    const company = { id: randomUUID(), name: `Lijstbedrijf ${String(n).padStart(2, "0")}`, municipality: "Leiden" };
    const interview = { id: randomUUID(), company_id: company.id, date: `2026-10-${String((n % 28) + 1).padStart(2, "0")}` };
    changes.push({ seq: changes.length + 1, kind: "company", record: company });
    changes.push({ seq: changes.length + 1, kind: "interview", record: interview });
  }
  const device = randomUUID();
  const token = await apiToken(server.base, INTERVIEWER, "Tablet Jan (tweede)", device);
  const pushed = await authFetch(token, `${server.base}/api/v1/push`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ device_id: device, changes }),
  });
  assert.equal(pushed.status, 200);

  const page = await context.newPage();
  await page.goto(`${server.base}/sync`);
  await page.getByTestId("sync-now").click();
  await page.getByTestId("sync-status").filter({ hasText: "Gesynchroniseerd" }).waitFor({ timeout: 20_000 });
  await page.goto(`${server.base}/?gemeente=Leiden`);
  const list = page.getByTestId("interview-list").locator("li");
  const more = page.getByTestId("show-more");
  await more.waitFor();
  assert.equal(await list.count(), 40);
  assert.equal((await more.textContent()).trim(), "Meer tonen (40 van 45)");
  await more.click();
  await more.waitFor({ state: "detached" });
  assert.equal(await list.count(), 45);
  // Search reaches past the first page of a fresh list too.
  await page.goto(`${server.base}/?q=Lijstbedrijf 03`);
  await page.getByTestId("interview-list").getByText("Lijstbedrijf 03").waitFor();
  assert.equal(await list.count(), 1);
  await page.close();
});
