// The follow-up (issue 14): a completed interview is due two quarters later; one tap plans its
// follow-up, one more records a call; the conversation records what came of the link (which moves
// the link on) and whether the support fits, what came of the ambition and the next steps, shows
// the score then and now, and once held the company leaves the list; everything syncs.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { ROOT, addTestUsers, freePort, launchTablet, pullAll, saved, signIn, startServer, tempDir, waitOrExplain } from "./harness.mjs";
import { quickInterview } from "./flows.mjs";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let server;
let context;

/** axe-core's violations on the page as it is (as in accessibility.test.mjs). */
async function violations(page) {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  });
}

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
  await page.goto(`${base}/theme/GR`);
  await page.locator('[data-practice="GR-01"]').getByRole("button", { name: /Doen we al/ }).click();
  await page.locator('[data-practice="GR-03"]').getByRole("button", { name: /Ambitie/ }).click();
  await saved(page);
  await page.goto(`${base}/summary`);
  await page.getByTestId("complete").click();
  await saved(page);
  await page.goto(`${base}/links`);
  await page.getByTestId("suggestions").locator("li").first().getByRole("button", { name: "Koppeling voorstellen" }).click();
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
    // From the top: the sticky header would otherwise be drawn where the page was scrolled to.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(ROOT, `docs/screenshots/follow-ups-${width}x${height}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });

  // The next call gets through: the conversation.
  await line.getByRole("button", { name: "Bereikt: Van Leeuwen Lastechniek", exact: true }).click();
  await line.getByTestId("due-status").filter({ hasText: "Bereikt, gesprek volgt" }).waitFor();
  await saved(page);
  await line.getByTestId("open-follow-up").click();
  const conversation = page.getByTestId("follow-up");
  await waitOrExplain(page, conversation);
  await page.getByTestId("follow-up-mode").getByRole("radio", { name: "Bezoek" }).click();
  const link = page.getByTestId("link-outcome").first();
  await link.getByRole("radio", { name: "Geholpen" }).click();
  await saved(page);
  await link.getByText("Nu: Helpt", { exact: true }).waitFor();
  // A result corrected: the link follows, one step back and on.
  await link.getByRole("radio", { name: "Hielp niet" }).click();
  await link.getByText("Nu: Helpt niet", { exact: true }).waitFor();
  await link.getByRole("radio", { name: "Geholpen" }).click();
  await link.getByText("Nu: Helpt", { exact: true }).waitFor();
  await saved(page);
  await link.getByRole("radio", { name: "Deels" }).click();
  await link.getByTestId("link-missing").fill("Hulp bij de subsidieaanvraag.");
  await link.getByTestId("link-missing").press("Tab");
  await saved(page);
  await page.locator('li.ambition-outcome[data-practice="GR-03"]').getByRole("radio", { name: "Gedaan" }).click();
  // Saved as it is typed, no blur needed.
  await page.locator("#follow-up-next-steps").fill("Tweede coachgesprek in september.");
  await saved(page);
  // GR-03 realised: the materials theme has one more practice done now than then.
  const grondstoffen = page.getByTestId("then-now").locator("tr").filter({ hasText: "Grondstoffen" });
  await grondstoffen.waitFor();
  const [then, now] = await grondstoffen.locator("td").allInnerTexts();
  assert.equal(Number(now.split(" ")[0]), Number(then.split(" ")[0]) + 1, `${then} -> ${now}`);
  for (const [width, height] of [[1280, 800], [800, 1280], [1920, 1080]]) {
    await page.setViewportSize({ width, height });
    // From the top: the sticky header would otherwise be drawn where the page was scrolled to.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(ROOT, `docs/screenshots/follow-up-${width}x${height}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  assert.deepEqual(await violations(page), [], "axe on the conversation");
  await page.getByTestId("mark-held").click();
  await page.getByTestId("follow-up-status").filter({ hasText: "Gehouden" }).waitFor();
  await saved(page);
  await page.getByRole("link", { name: "Terug naar de lijst" }).click();
  await waitOrExplain(page, page.getByTestId("nobody-due"));

  await page.getByTestId("sync-status").click();
  await page.getByTestId("sync-now").click();
  await page.getByTestId("sync-status").filter({ hasText: "Gesynchroniseerd" }).waitFor({ timeout: 20_000 });
  const followUps = (await pullAll(server.base)).filter((r) => r.kind === "follow_up").map((r) => r.record);
  assert.equal(followUps.length, 1);
  const [followUp] = followUps;
  assert.equal(followUp.status, "done");
  assert.equal(followUp.held_on, today);
  assert.equal(followUp.mode, "visit");
  assert.deepEqual(followUp.attempts.map((a) => [a.date, a.reached]), [[today, false], [today, true]]);
  assert.deepEqual(followUp.practices, { "GR-03": "done" });
  assert.equal(followUp.next_steps, "Tweede coachgesprek in september.");
  const all = await pullAll(server.base);
  const interview = all.find((r) => r.kind === "interview").record;
  assert.equal(followUp.interview_id, interview.id);
  const stored = all.find((r) => r.kind === "link").record;
  assert.deepEqual(followUp.links[stored.id], {
    happened: "helped", date: today, by: "Jan de Vries", fit: "partly", missing: "Hulp bij de subsidieaanvraag.",
  });
  // The link's life followed what the company said, the correction kept in its history.
  assert.equal(stored.status, "helped");
  assert.deepEqual(stored.history.map((e) => e.status), [
    "proposed", "introduced", "started", "helped", "started", "did_not_help", "started", "helped",
  ]);
});
