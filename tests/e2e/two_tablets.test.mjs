// Two tablets edit the same interview offline. Different fields merge (both ticks, the ambition);
// the same field keeps both texts as a choice on both tablets until someone picks one, and that
// choice syncs to the other tablet like any edit. Nothing is lost, nothing is duplicated.
// Also: an interviewer sees the initiative catalogue read-only (the server refuses their edits).
import assert from "node:assert/strict";
import { mkdirSync, copyFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";

import {
  COORDINATOR,
  INTERVIEWER,
  ROOT,
  addUser,
  apiToken,
  freePort,
  launchTablet,
  pullAll,
  saved,
  signIn,
  startServer,
  tempDir,
  waitForServiceWorker,
  waitOrExplain,
} from "./harness.mjs";
import { quickInterview } from "./flows.mjs";

/** A second coordinator: both tablets see every record, so the test is about sync only. */
const ELLEN = { username: "ellen", password: "tweede-tablet-88", displayName: "Ellen Smit", role: "coordinator" };
const COMPANY = "Plaatwerk Twee Tablets";
const NOTES_A = "Notitie van tablet A: de hal heeft een aparte hoek voor reststukken.";
const NOTES_B = "Notitie van tablet B: restmateriaal gaat nu nog bij het oud ijzer.";
const AMBITION_B = "Over drie jaar alle reststukken hergebruiken.";

/** Screenshots of the choice; into docs/screenshots/ with PRAATPLAAT_SHOTS=1 (`make screenshots`
 * does not play two tablets), otherwise into a scratch folder. */
const SHOTS = tempDir("praatplaat-shots-");
const KEEP_SHOTS = Boolean(process.env.PRAATPLAAT_SHOTS);

let server;
let tablets = [];
let db;

before(async () => {
  db = join(tempDir(), "two-tablets.db");
  addUser(db, COORDINATOR);
  addUser(db, ELLEN);
  addUser(db, INTERVIEWER);
  server = await startServer({ port: await freePort(), db });
});

after(async () => {
  for (const t of tablets) await t.close();
  await server?.stop();
});

async function shot(page, name) {
  await page.waitForTimeout(300); // let the layout settle after the last re-render
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path });
  if (KEEP_SHOTS) {
    const docs = join(ROOT, "docs/screenshots");
    mkdirSync(docs, { recursive: true });
    copyFileSync(path, join(docs, `${name}.png`));
  }
}

/** Waits until `check` returns true, polling (the server's state after a sync). */
async function eventually(what, check, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last === true) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

/** "Nu synchroniseren" on the sync screen. The caller then waits for what the round brings, on
 * this page or after in-app navigation: a reload would cut the round off, and the badge may still
 * say "Gesynchroniseerd" from the round before. */
async function syncNow(page) {
  await page.goto(`${server.base}/sync`);
  await page.getByTestId("sync-now").click();
}

/** The interviews in the tablet's IndexedDB. */
function storedInterviews(page) {
  return page.evaluate(
    () => new Promise((resolve, reject) => {
      const open = indexedDB.open("praatplaat");
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const request = open.result.transaction("interviews").objectStore("interviews").getAll();
        request.onsuccess = () => {
          // Each row is a bucket of interviews by id (src/idb.rs, `Buckets`).
          resolve(request.result.flatMap((v) => Object.values(typeof v === "string" ? JSON.parse(v) : v)));
          open.result.close();
        };
        request.onerror = () => reject(request.error);
      };
    }),
  );
}

const tick = (page, id) => page.locator(`[data-practice="${id}"]`).getByRole("button", { name: /Doen we al/ });

test("two tablets offline: different fields merge, the same field asks for a choice that syncs", async () => {
  const tabletA = await launchTablet({ width: 1280, height: 800 });
  const tabletB = await launchTablet({ width: 800, height: 1280 });
  tablets.push(tabletA, tabletB);
  const a = tabletA.pages()[0] ?? (await tabletA.newPage());
  const b = tabletB.pages()[0] ?? (await tabletB.newPage());
  const errors = [];
  for (const page of [a, b]) page.on("pageerror", (e) => errors.push(e.message));
  for (const page of [a, b]) {
    await page.goto(server.base);
    await waitForServiceWorker(page);
  }
  await signIn(a, server.base, COORDINATOR);
  await signIn(b, server.base, ELLEN);

  // Tablet A starts the interview and syncs; tablet B pulls it.
  await quickInterview(a, server.base, COMPANY, "Gouda");
  const url = a.url().replace(/\/(company)?$/, "");
  const interviewId = url.split("/interviews/")[1];
  const coordinator = await apiToken(server.base, COORDINATOR);
  const interviewOnServer = async () =>
    (await pullAll(server.base, coordinator)).filter((r) => r.kind === "interview" && r.record.id === interviewId);
  await eventually("tablet A's interview on the server", async () => (await interviewOnServer()).length === 1);
  await syncNow(b);
  await b.locator("a.brand").click(); // in-app, so the round is not cut off
  await waitOrExplain(b, b.getByTestId("interview-list").getByText(COMPANY), { timeout: 20_000 });

  // In the hall, both offline.
  await tabletA.setOffline(true);
  await tabletB.setOffline(true);
  await a.goto(`${url}/theme/GR`);
  await tick(a, "GR-01").click();
  await a.goto(`${url}/company`);
  await a.getByLabel("Aantekeningen").fill(NOTES_A);
  await saved(a);
  await b.goto(`${url}/theme/GR`);
  await tick(b, "GR-05").click();
  await b.goto(`${url}/ambition`);
  await b.getByLabel("De ambitie in eigen woorden").fill(AMBITION_B);
  await b.goto(`${url}/company`);
  await b.getByLabel("Aantekeningen").fill(NOTES_B);
  await saved(b);

  // Back online: A first, then B (whose push the server merges), then A again to pull.
  await tabletA.setOffline(false);
  await a.getByTestId("sync-status").filter({ hasText: "Gesynchroniseerd" }).waitFor({ timeout: 20_000 });
  await tabletB.setOffline(false);
  await b.getByTestId("sync-status").filter({ hasText: "Gesynchroniseerd" }).waitFor({ timeout: 20_000 });
  // B holds the later notes, so they stay in the field; A's wait beside them as a choice.
  const conflictsB = b.getByTestId("conflicts");
  await waitOrExplain(b, conflictsB, { timeout: 20_000 });
  assert.match(await conflictsB.textContent(), /1 keuze nodig: twee tablets wijzigden hetzelfde/);
  assert.equal(await b.getByLabel("Aantekeningen").inputValue(), NOTES_B);
  await b.goto(`${url}/company`); // from the top, not scrolled to the field typed in last
  await conflictsB.waitFor();
  await shot(b, "conflict-portrait");

  await syncNow(a);
  const waiting = a.getByTestId("conflicts-waiting");
  await waitOrExplain(a, waiting, { timeout: 20_000 });
  assert.match(await waiting.textContent(), /1 gesprek wacht op een keuze/);
  assert.match(await waiting.textContent(), new RegExp(COMPANY));
  await shot(a, "conflict-sync-landscape");
  await a.goto(server.base);
  const card = a.getByTestId("interview-list").getByRole("link", { name: new RegExp(COMPANY) });
  await card.getByTestId("choice-needed").filter({ hasText: "keuze nodig" }).waitFor();
  await shot(a, "conflict-list-landscape");
  await a.goto(`${server.base}/sync`);
  await waiting.getByRole("link", { name: "Openen" }).click();

  // The choice is on every step: here on the plate, the first screen the link opens.
  const conflictsA = a.getByTestId("conflicts");
  await waitOrExplain(a, conflictsA);
  await a.goto(`${url}/company`);
  await conflictsA.waitFor();
  const conflict = conflictsA.getByTestId("conflict");
  assert.equal(await conflict.count(), 1);
  assert.match(await conflict.locator("h3").textContent(), /^Aantekeningen$/);
  const keepB = conflict.getByTestId("keep-kept");
  const keepA = conflict.getByTestId("keep-other");
  assert.match(await keepB.textContent(), new RegExp(`${NOTES_B}.*gewijzigd \\d\\d:\\d\\d · staat nu in het veld.*Deze houden`));
  assert.match(await keepA.textContent(), new RegExp(`${NOTES_A}.*gewijzigd \\d\\d:\\d\\d.*Die houden`));
  // Different fields merged: both ticks and B's ambition, on both tablets.
  for (const page of [a, b]) {
    await page.goto(`${url}/theme/GR`);
    assert.equal(await tick(page, "GR-01").getAttribute("aria-pressed"), "true");
    assert.equal(await tick(page, "GR-05").getAttribute("aria-pressed"), "true");
    await page.goto(`${url}/ambition`);
    // The field fills once the page has read IndexedDB: wait for that, not for a fixed time.
    const ambition = page.getByLabel("De ambitie in eigen woorden");
    for (let i = 0; i < 100 && (await ambition.inputValue()) !== AMBITION_B; i++) await page.waitForTimeout(100);
    assert.equal(await ambition.inputValue(), AMBITION_B);
  }
  // The company's own plate on paper never shows the choice (it holds internal notes).
  await a.goto(`${url}/own`);
  await conflictsA.waitFor();
  await a.emulateMedia({ media: "print" });
  assert.equal(await conflictsA.isVisible(), false, "the conflict chooser is printed");
  await a.emulateMedia({ media: "screen" });
  await a.goto(`${url}/company`);
  await conflictsA.waitFor();
  await shot(a, "conflict-landscape");

  // Typed in before choosing: that text becomes a third option ("Zo laten"), so neither old value
  // overwrites it unasked; back to B's text, the two options are as before.
  const notes = a.getByLabel("Aantekeningen");
  await notes.fill(`${NOTES_B} Aangevuld.`);
  const keepNow = conflict.getByTestId("keep-current");
  await keepNow.waitFor();
  assert.match(await keepNow.textContent(), /Aangevuld\..*staat nu in het veld.*Zo laten/);
  assert.doesNotMatch(await keepB.textContent(), /staat nu in het veld/);
  await conflict.scrollIntoViewIfNeeded();
  await shot(a, "conflict-edited-landscape");
  await notes.fill(NOTES_B);
  await keepNow.waitFor({ state: "detached" });
  assert.match(await keepB.textContent(), /staat nu in het veld/);

  // A keeps its own text with one tap; the choice leaves the screen and the field holds it.
  await keepA.click();
  await conflictsA.waitFor({ state: "detached" });
  assert.equal(await a.getByLabel("Aantekeningen").inputValue(), NOTES_A);
  await saved(a);
  await eventually("the choice on the server", async () => {
    const [stored] = await interviewOnServer();
    return (stored?.record.notes === NOTES_A && !(stored.record.conflicts?.length > 0)) || stored?.record;
  });

  // B pulls the choice: its value, and no choice left.
  await syncNow(b);
  await b.getByTestId("conflicts-waiting").waitFor({ state: "detached", timeout: 20_000 });
  await b.goto(`${url}/company`);
  assert.equal(await b.getByLabel("Aantekeningen").inputValue(), NOTES_A);
  assert.equal(await b.getByTestId("conflicts").count(), 0);

  // Nothing lost, nothing twice: one interview and one company on the server and on each tablet.
  const all = await pullAll(server.base, coordinator);
  const interviews = all.filter((r) => r.kind === "interview");
  assert.equal(interviews.length, 1, JSON.stringify(interviews));
  const [stored] = interviews;
  assert.equal(stored.record.answers["GR-01"]?.now, true);
  assert.equal(stored.record.answers["GR-05"]?.now, true);
  assert.equal(stored.record.ambition, AMBITION_B);
  assert.equal(stored.record.notes, NOTES_A);
  assert.ok(!(stored.record.conflicts?.length > 0), "no conflict left on the server");
  assert.equal(all.filter((r) => r.kind === "company" && r.record.name === COMPANY).length, 1);
  for (const page of [a, b]) {
    const local = await storedInterviews(page);
    assert.equal(local.length, 1);
    assert.equal(local[0].id, interviewId);
    assert.equal(local[0].notes, NOTES_A);
    assert.equal(local[0].ambition, AMBITION_B);
    assert.deepEqual([local[0].answers["GR-01"]?.now, local[0].answers["GR-05"]?.now], [true, true]);
    assert.ok(!(local[0].conflicts?.length > 0));
  }
  assert.deepEqual(errors, []);
});

test("an interviewer sees the initiative catalogue read-only; signed out and as coordinator it is editable", async () => {
  const tablet = await launchTablet({ width: 800, height: 1280 });
  tablets.push(tablet);
  const page = tablet.pages()[0] ?? (await tablet.newPage());
  await page.goto(`${server.base}/initiatives`);
  // Signed out the device works on its own: everything stays editable.
  await page.getByTestId("new-initiative").waitFor();
  await signIn(page, server.base, INTERVIEWER);
  await page.goto(`${server.base}/initiatives`);
  await page.getByTestId("catalogue-read-only").waitFor();
  assert.equal(await page.getByTestId("new-initiative").count(), 0);
  await page.locator(".cards .card").first().click();
  await page.getByTestId("catalogue-read-only").waitFor();
  assert.equal(await page.getByLabel("Naam").first().isDisabled(), true);
  await page.getByRole("button", { name: "Actief" }).first().waitFor();
  assert.equal(await page.getByRole("button", { name: "Actief" }).first().isDisabled(), true);
});
