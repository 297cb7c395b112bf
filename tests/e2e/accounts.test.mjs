// Accounts on the tablet: signed out, capturing works and nothing leaves the device; signed in, it
// syncs (also after capturing offline); the coordinator revokes the session of a "lost" tablet and
// the tablet says so, keeping its data and waiting changes, which sync after a new sign-in. And a
// change the server refuses is set aside, visibly, with the server's reason.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";

import {
  COORDINATOR,
  ROOT,
  INTERVIEWER,
  addTestUsers,
  addUser,
  apiToken,
  authFetch,
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

let server;
let context;
/** An account for the failed sign-ins, so the rate limit does not lock out the others. */
const PIET = { username: "piet", password: "goed-wachtwoord-12", displayName: "Piet", role: "interviewer" };
/** A colleague who takes over the interviewer's tablet. */
const ANNA = { username: "anna", password: "collega-tablet-56", displayName: "Anna", role: "interviewer" };
/** A partner organisation: figures only, never records. */
const PARTNER = { username: "gemeente", password: "alleen-cijfers-34", displayName: "Gemeente Gouda", role: "partner" };

before(async () => {
  const db = join(tempDir(), "accounts.db");
  addTestUsers(db);
  addUser(db, PIET);
  addUser(db, PARTNER);
  addUser(db, ANNA);
  server = await startServer({ port: await freePort(), db });
  context = await launchTablet();
});

after(async () => {
  await context?.close();
  await server?.stop();
});

async function newInterview(page, name) {
  await page.goto(`${server.base}/interviews/new`);
  await page.getByLabel("Bedrijfsnaam").fill(name);
  await page.getByLabel("Gemeente").fill("Gouda");
  await page.getByTestId("start-interview").click();
  await waitOrExplain(page, page.getByTestId("interview-title").filter({ hasText: name }));
}

test("sign in, capture offline, sync; a revoked session keeps the data and syncs after a new sign-in", async () => {
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const status = page.getByTestId("sync-status");
  await page.goto(server.base);
  await waitForServiceWorker(page);

  // Signed out: capturing works, the badge says what to do, and nothing reaches the server.
  await newInterview(page, "Lasbedrijf Voor Aanmelden");
  await status.filter({ hasText: "Meld je aan om te synchroniseren · 2 wachtend" }).waitFor();
  await status.click();
  await page.waitForURL(/\/sync$/);
  await page.getByTestId("sign-in-form").waitFor();
  assert.equal((await pullAll(server.base)).filter((r) => r.kind === "company").length, 0);

  // A wrong password says so in Dutch; the right one signs in and the waiting changes go.
  await page.getByLabel("Gebruikersnaam").fill(INTERVIEWER.username);
  await page.getByLabel("Wachtwoord").fill("niet-het-goede-wachtwoord");
  await page.getByTestId("sign-in").click();
  await page.getByTestId("sign-in-error").filter({ hasText: "Gebruikersnaam of wachtwoord klopt niet" }).waitFor();
  // The device's name defaults to the interviewer's; a custom one is kept.
  await page.getByLabel("Naam van dit apparaat").fill("Tablet Jan (hal)");
  await page.getByLabel("Wachtwoord").fill(INTERVIEWER.password);
  await page.getByTestId("sign-in").click();
  await page.getByTestId("signed-in").filter({ hasText: "Aangemeld als Jan de Vries (interviewer)" }).waitFor();
  await status.filter({ hasText: "Gesynchroniseerd" }).waitFor({ timeout: 20_000 });
  assert.match(await page.getByTestId("last-sync").textContent(), /zojuist/);
  // The last sync is kept across a reload (checked before leaving the office).
  await page.reload();
  await page.getByTestId("last-sync").filter({ hasText: "zojuist" }).waitFor();
  assert.match(await page.getByTestId("sync-waiting").textContent(), /Niets/);
  const coordinator = await apiToken(server.base, COORDINATOR);
  assert.ok((await pullAll(server.base, coordinator)).some((r) => r.kind === "company" && r.record.name === "Lasbedrijf Voor Aanmelden"));

  // Offline in the hall: capture; the sync screen says what waits and that it is safe.
  await context.setOffline(true);
  await newInterview(page, "Smederij Offline");
  await page.getByRole("link", { name: "Bedrijf", exact: true }).click();
  await page.getByLabel("Aantekeningen").fill("Buiten bereik vastgelegd.");
  await saved(page);
  await status.click();
  const waiting = page.getByTestId("sync-waiting");
  await waiting.filter({ hasText: "1 gesprek" }).waitFor();
  assert.match(await waiting.textContent(), /1 bedrijf/);
  assert.match(await page.getByTestId("sync-problem").textContent(), /Wacht op netwerk; alles staat veilig op dit apparaat/);
  await context.setOffline(false);
  await status.filter({ hasText: "Gesynchroniseerd" }).waitFor({ timeout: 20_000 });
  let stored = await pullAll(server.base, coordinator);
  assert.equal(stored.find((r) => r.kind === "interview" && r.record.notes === "Buiten bereik vastgelegd.")?.kind, "interview");

  // The tablet is lost: offline with a waiting change, the coordinator revokes its session.
  await context.setOffline(true);
  await page.goto(`${server.base}/`);
  await page.getByTestId("interview-list").getByRole("link", { name: /Smederij Offline/ }).click();
  await page.getByRole("link", { name: "Bedrijf", exact: true }).click();
  await page.getByLabel("Contactpersoon").fill("Piet Smit");
  await saved(page);
  await status.filter({ hasText: "1 wachtend" }).waitFor();
  const sessions = await (await authFetch(coordinator, `${server.base}/api/v1/sessions`)).json();
  const tablet = sessions.find((s) => s.device_label === "Tablet Jan (hal)" && !s.revoked_at);
  assert.ok(tablet, `the tablet's session is listed: ${JSON.stringify(sessions)}`);
  assert.equal(tablet.user.username, INTERVIEWER.username);
  const revoked = await authFetch(coordinator, `${server.base}/api/v1/sessions/${tablet.id}`, { method: "DELETE" });
  assert.ok(revoked.ok, `revoke answered ${revoked.status}`);

  // Back online: the server refuses the session; the tablet says so and keeps everything.
  await context.setOffline(false);
  const banner = page.getByTestId("signed-out");
  await waitOrExplain(page, banner, { timeout: 20_000 });
  assert.match(await banner.textContent(), /Dit apparaat is afgemeld\. Meld opnieuw aan om te synchroniseren; je gegevens blijven op dit apparaat\./);
  await status.filter({ hasText: "Meld je aan om te synchroniseren · 1 wachtend" }).waitFor();
  assert.equal(await page.getByLabel("Contactpersoon").inputValue(), "Piet Smit");
  // Also after a reload: the data, the waiting change and the message.
  await page.reload();
  await page.getByLabel("Contactpersoon").waitFor();
  assert.equal(await page.getByLabel("Contactpersoon").inputValue(), "Piet Smit");
  await banner.waitFor();
  await status.filter({ hasText: "1 wachtend" }).waitFor();
  stored = await pullAll(server.base, coordinator);
  assert.equal(stored.find((r) => r.kind === "company" && r.record.name === "Smederij Offline")?.record.contact_person, "");
  await page.getByRole("link", { name: "Gesprekken", exact: true }).click();
  const list = page.getByTestId("interview-list");
  await list.getByText("Smederij Offline").waitFor();
  assert.match(await list.textContent(), /Lasbedrijf Voor Aanmelden/);

  // Signing in again sends the waiting change.
  await banner.getByRole("link", { name: "Aanmelden" }).click();
  await page.waitForURL(/\/sync$/);
  assert.match(await page.getByTestId("account").textContent(), /Dit apparaat is afgemeld/);
  assert.equal(await page.getByLabel("Gebruikersnaam").inputValue(), INTERVIEWER.username, "the user name is filled in");
  await page.getByLabel("Wachtwoord").fill(INTERVIEWER.password);
  await page.getByTestId("sign-in").click();
  await page.getByTestId("signed-in").waitFor();
  await status.filter({ hasText: "Gesynchroniseerd" }).waitFor({ timeout: 20_000 });
  assert.equal(await banner.count(), 0);
  stored = await pullAll(server.base, coordinator);
  assert.equal(stored.find((r) => r.kind === "company" && r.record.name === "Smederij Offline")?.record.contact_person, "Piet Smit");
  assert.deepEqual(errors, []);
});

test("a change the server refuses is set aside on the sync screen with its reason", async () => {
  const page = await context.newPage();
  await page.goto(server.base);
  await page.getByTestId("sync-status").filter({ hasText: "Gesynchroniseerd" }).waitFor({ timeout: 20_000 });
  await newInterview(page, "Constructie Te Lang");
  await page.getByRole("link", { name: "Bedrijf", exact: true }).click();
  // Longer than the 200 characters the server accepts for a company name.
  await page.getByLabel("Bedrijfsnaam").fill("Constructie ".repeat(20));
  await saved(page);
  await page.getByTestId("sync-status").click();
  const aside = page.getByTestId("set-aside");
  await waitOrExplain(page, aside, { timeout: 20_000 });
  const text = await aside.textContent();
  assert.match(text, /Apart gezet/);
  assert.match(text, /Bedrijf: Constructie/);
  // The server sends a code; the app words it in Dutch, with the limit.
  assert.match(text, /Reden van de server: Te lang: naam \(hoogstens 200 tekens\)/);
  // It points to where it can be fixed; fixing it sends it again.
  await aside.getByRole("link", { name: "Openen" }).click();
  await page.getByLabel("Bedrijfsnaam").fill("Constructie Te Lang BV");
  await saved(page);
  await page.getByTestId("sync-status").filter({ hasText: "Gesynchroniseerd" }).waitFor({ timeout: 20_000 });
  await page.getByTestId("sync-status").click();
  await page.getByTestId("sync-waiting").waitFor();
  assert.equal(await aside.count(), 0);
  await page.close();
});

test("sign-in problems are told in Dutch: offline, wrong password, too many attempts, no server, a partner account", async () => {
  const tablet = await launchTablet({ width: 800, height: 1280 });
  try {
    const page = tablet.pages()[0] ?? (await tablet.newPage());
    await page.goto(`${server.base}/sync`);
    await waitForServiceWorker(page);
    const error = page.getByTestId("sign-in-error");
    const attempt = async (password) => {
      await page.getByLabel("Gebruikersnaam").fill(PIET.username);
      await page.getByLabel("Wachtwoord").fill(password);
      await page.getByTestId("sign-in").click();
    };

    await page.getByTestId("sign-in").click();
    await error.filter({ hasText: "Vul je gebruikersnaam en wachtwoord in." }).waitFor();

    await tablet.setOffline(true);
    await attempt(PIET.password);
    await error.filter({ hasText: "Aanmelden kan alleen met internet" }).waitFor();
    await tablet.setOffline(false);

    // Five wrong passwords, then the server makes the account wait.
    for (let n = 0; n < 5; n++) {
      await attempt(`fout-wachtwoord-${n}`);
      await error.filter({ hasText: "Gebruikersnaam of wachtwoord klopt niet" }).waitFor();
      await page.getByLabel("Wachtwoord").fill("");
    }
    await attempt(PIET.password);
    await error.filter({ hasText: /Te veel pogingen\. Wacht \d+ (minuut|minuten) en probeer het dan opnieuw\./ }).waitFor();

    // A server address where nothing answers.
    await page.goto(`${server.base}/settings`);
    await page.getByLabel("Serveradres").fill("http://127.0.0.1:9");
    await attempt("goed-wachtwoord-12");
    await error.filter({ hasText: "De server is niet bereikbaar" }).waitFor();
    assert.equal(await page.getByTestId("signed-in").count(), 0);

    // A partner account signs in but may not sync records: the sync screen says what to do.
    await page.getByLabel("Serveradres").fill("");
    await page.getByLabel("Gebruikersnaam").fill(PARTNER.username);
    await page.getByLabel("Wachtwoord").fill(PARTNER.password);
    await page.getByTestId("sign-in").click();
    await page.getByTestId("signed-in").filter({ hasText: "(partner)" }).waitFor();
    await page.getByTestId("sync-status").click();
    await page.getByTestId("sync-problem").filter({ hasText: "Dit account mag geen gesprekken synchroniseren" }).waitFor({ timeout: 20_000 });
  } finally {
    await tablet.close();
  }
});

test("a colleague signing in on the tablet never sends the first interviewer's waiting changes", async () => {
  const tablet = await launchTablet();
  try {
    const page = await tablet.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(server.base);
    await waitForServiceWorker(page);
    await signIn(page, server.base, INTERVIEWER);
    // Jan captures while the server cannot take pushes; then he signs out, changes still waiting.
    await page.route("**/api/v1/push", (route) => route.abort());
    await newInterview(page, "Zaagbedrijf Van Jan");
    await saved(page);
    const jansInterview = new URL(page.url()).pathname;
    await page.goto(`${server.base}/settings`);
    await page.getByTestId("sign-out").click();
    await page.getByTestId("sign-in-form").waitFor();

    // Anna signs in: the tablet asks first; cancelling leaves the device signed out.
    const signInAs = async ({ username, password }) => {
      await page.getByLabel("Gebruikersnaam").fill(username);
      await page.getByLabel("Wachtwoord").fill(password);
      await page.getByTestId("sign-in").click();
    };
    await signInAs(ANNA);
    const ask = page.getByTestId("switch-user");
    await waitOrExplain(page, ask.filter({ hasText: "wachten wijzigingen van jan" }));
    await page.setViewportSize({ width: 800, height: 1280 });
    await page.screenshot({ path: join(ROOT, "docs/screenshots/switch-user-800x1280.png") });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: join(ROOT, "docs/screenshots/switch-user-1280x800.png") });
    await page.getByTestId("switch-user-cancel").click();
    await ask.waitFor({ state: "hidden" });
    await page.getByTestId("sign-in-form").waitFor();
    assert.equal(await page.getByTestId("signed-in").count(), 0);

    // "Sign in anyway": Anna syncs, Jan's changes stay on the tablet, said so on the sync screen.
    await page.unroute("**/api/v1/push");
    await signInAs(ANNA);
    await page.getByTestId("switch-user-confirm").click();
    await waitOrExplain(page, page.getByTestId("signed-in").filter({ hasText: "Anna" }));
    await page.goto(`${server.base}/sync`);
    await waitOrExplain(
      page,
      page.getByTestId("sync-waiting").filter({ hasText: "2 wijzigingen van jan wacht tot jan zich hier weer aanmeldt" }),
    );
    // Anna may not change what waits under Jan's name: it would go up as hers.
    await page.goto(`${server.base}${jansInterview}/company`);
    const name = page.getByLabel("Bedrijfsnaam");
    await name.fill("Zaagbedrijf Van Anna");
    await waitOrExplain(page, page.getByTestId("held-edit").filter({ hasText: "wijziging van jan" }));
    // The field shows what is kept, not the refused typing.
    for (let i = 0; i < 20 && (await name.inputValue()) !== "Zaagbedrijf Van Jan"; i++) await page.waitForTimeout(100);
    assert.equal(await name.inputValue(), "Zaagbedrijf Van Jan");
    for (const [width, height] of [[800, 1280], [1280, 800]]) {
      await page.setViewportSize({ width, height });
      await page.screenshot({ path: join(ROOT, `docs/screenshots/held-edit-${width}x${height}.png`) });
    }
    await page.reload();
    await waitOrExplain(page, page.getByTestId("interview-title").filter({ hasText: "Zaagbedrijf Van Jan" }));
    assert.equal(await name.inputValue(), "Zaagbedrijf Van Jan");
    await page.goto(`${server.base}/sync`);
    await page.getByTestId("sync-now").click().catch(() => {});
    await page.waitForTimeout(1500);
    const names = async () =>
      (await pullAll(server.base)).filter((r) => r.kind === "company").map((r) => r.record.name);
    assert.ok(!(await names()).includes("Zaagbedrijf Van Jan"), "Jan's company went up under Anna's account");

    // Jan signs in again: no question, and his changes go.
    await page.goto(`${server.base}/settings`);
    await page.getByTestId("sign-out").click();
    await signInAs(INTERVIEWER);
    await waitOrExplain(page, page.getByTestId("signed-in").filter({ hasText: "Jan" }));
    assert.equal(await ask.count(), 0);
    for (let i = 0; i < 40 && !(await names()).includes("Zaagbedrijf Van Jan"); i++) await page.waitForTimeout(250);
    assert.ok((await names()).includes("Zaagbedrijf Van Jan"), "Jan's changes did not go after his sign-in");
    assert.ok(!(await names()).includes("Zaagbedrijf Van Anna"), "Anna's refused edit reached the server");
    assert.deepEqual(errors, []);
  } finally {
    await tablet.close();
  }
});
