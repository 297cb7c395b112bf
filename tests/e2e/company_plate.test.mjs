// The company's own praatplaat: after a completed interview, two suggested initiatives are
// accepted, and the page printed to PDF through Chromium holds the company, both initiatives and
// the score (and nothing of another company).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { COORDINATOR, addTestUsers, freePort, launchTablet, pullAll, saved, signIn, startServer, tempDir, waitOrExplain } from "./harness.mjs";

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

async function interview(page, name, municipality) {
  await page.goto(`${server.base}/interviews/new`);
  await page.getByLabel("Bedrijfsnaam").fill(name);
  await page.getByLabel("Gemeente").fill(municipality);
  await page.getByTestId("start-interview").click();
  await waitOrExplain(page, page.getByTestId("interview-title").filter({ hasText: name }));
}

test("accepted suggestions appear on the printed company praatplaat", async () => {
  const page = context.pages()[0];
  await signIn(page, server.base);
  // Another company on the same tablet: its name must not leak onto the first one's plate.
  await interview(page, "Andere Metaal BV", "Gouda");

  await interview(page, "Staalbouw Waddinxveen", "Waddinxveen");
  const base = page.url();
  await page.goto(`${base}/theme/GB`);
  for (const id of ["GB-01", "GB-05"]) {
    await page.locator(`[data-practice="${id}"]`).getByRole("button", { name: /Doen we al/ }).click();
  }
  for (const id of ["GB-02", "GB-03"]) {
    await page.locator(`[data-practice="${id}"]`).getByRole("button", { name: /Ambitie/ }).click();
  }
  await page.getByRole("link", { name: "Behoeften", exact: true }).click();
  await page.locator('fieldset.need[data-theme="GB"] .need-row').nth(2).getByRole("radio", { name: "Veel" }).click();
  await page.getByRole("link", { name: "Samenvatting", exact: true }).click();
  await page.getByTestId("complete").click();

  // Suggestions, best first, each with a reason; accept the first two.
  await page.getByRole("link", { name: "Koppelingen", exact: true }).click();
  const suggestions = page.getByTestId("suggestions").locator("li");
  await suggestions.first().waitFor();
  const names = [];
  for (let n = 0; n < 2; n++) {
    const card = suggestions.nth(n);
    names.push(await card.getAttribute("data-initiative"));
    assert.match(await card.locator(".suggestion-reason").textContent(), /Gebouw/);
    await card.getByRole("button", { name: "Koppeling voorstellen" }).click();
  }
  assert.ok(names.includes("Bouwen met Staal"), names.join(", "));
  assert.ok(!(await page.getByTestId("suggestions").textContent()).includes("BlueCity"), "local Rotterdam initiative is not offered in Waddinxveen");

  // The link's life: introduce it; the Versnellingsteam asks for a coach.
  const firstLink = page.locator(`li.link[data-initiative="${names[0]}"]`);
  await firstLink.getByLabel("Notitie bij de volgende stap").fill("Gebeld met de adviseur");
  await firstLink.getByRole("button", { name: "Gelegd" }).click();
  assert.equal((await firstLink.getByTestId("link-status").textContent()).trim(), "Gelegd");
  assert.match(await firstLink.locator(".link-history").textContent(), /Gelegd · Gebeld met de adviseur/);
  await firstLink.getByLabel("Volgende stappen").fill("Kennismaking in januari");
  await saved(page);

  await page.getByRole("link", { name: "Eigen praatplaat", exact: true }).click();
  await page.getByTestId("own-plate").waitFor();
  const scoreNow = (await page.getByTestId("own-score-now").textContent()).trim();
  // GB 2 of 8 ticked: 25 % of one theme of seven = 4 %.
  assert.equal(scoreNow, "4%");

  await page.emulateMedia({ media: "print" });
  const pdf = await page.pdf({ format: "A4", landscape: true, printBackground: true, preferCSSPageSize: true });
  const dir = tempDir("praatplaat-pdf-");
  const pdfPath = join(dir, "praatplaat.pdf");
  writeFileSync(pdfPath, pdf);
  const text = execFileSync("pdftotext", ["-layout", pdfPath, "-"]).toString();
  assert.match(text, /Staalbouw Waddinxveen/);
  for (const name of names) assert.ok(text.includes(name), `PDF names ${name}`);
  assert.match(text, /4\s*%/);
  assert.match(text, /Kennismaking in januari/);
  assert.ok(!text.includes("Andere Metaal"), "no other company's data");

  // The coordinator adds an initiative to the catalogue (only a coordinator may): it is suggested
  // at once and synced. She signs in on this tablet once the interviewer's work is on the server.
  await page.emulateMedia({ media: "screen" });
  await page.getByTestId("sync-status").filter({ hasText: "Gesynchroniseerd" }).waitFor({ timeout: 20_000 });
  await page.goto(`${server.base}/settings`);
  await page.getByTestId("sign-out").click();
  await signIn(page, server.base, COORDINATOR);
  await page.goto(`${server.base}/initiatives`);
  await page.getByRole("button", { name: "Nieuw initiatief" }).click();
  await page.getByLabel("Naam", { exact: true }).fill("Reparatiecafé Metaal Midden-Holland");
  await page.getByRole("button", { name: "Gebouw" }).click();
  await page.getByRole("button", { name: "advies" }).click();
  await page.getByRole("button", { name: "Midden-Holland" }).click();
  await saved(page);
  await page.goto(`${base}/links`);
  await page.getByTestId("suggestions").locator('li[data-initiative="Reparatiecafé Metaal Midden-Holland"]').waitFor();
  await page.getByTestId("sync-status").filter({ hasText: "Gesynchroniseerd" }).waitFor({ timeout: 20_000 });
  const stored = await pullAll(server.base);
  const added = stored.find((r) => r.kind === "initiative" && r.record.name === "Reparatiecafé Metaal Midden-Holland");
  assert.ok(added, "the new initiative is on the server");
  assert.deepEqual(added.record.regions, ["Midden-Holland"]);
  const links = stored.filter((r) => r.kind === "link").map((r) => r.record);
  assert.equal(links.length, 2);
  assert.ok(links.some((l) => l.status === "introduced" && l.history.at(-1).note === "Gebeld met de adviseur"));
});
