// Words in one place: every screen in English shows no Dutch, and every screen in Dutch no
// English, also where the words come from codes of the domain or the server (a change the server
// set aside, suggestion reasons, link statuses). What the records themselves hold (company and
// initiative names, the catalogue's offers, coaches) is the data, not the UI, and is taken out of
// the page text before it is checked. PRAATPLAAT_SHOTS=<dir> also saves the sync screen with the
// set-aside change in both languages and orientations.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { INTERVIEW_SCREENS, OTHER_SCREENS, quickInterview } from "./flows.mjs";
import {
  COORDINATOR,
  addTestUsers,
  freePort,
  launchTablet,
  pullAll,
  saved,
  signIn,
  startServer,
  tempDir,
  waitOrExplain,
} from "./harness.mjs";

/** Words only Dutch has: none may show in the English UI. */
const DUTCH = [
  "het", "een", "geen", "niet", "nog", "ook", "wordt", "zijn", "deze", "naar", "bij", "uw", "je",
  "wijziging", "wijzigingen", "gesprek", "gesprekken", "bedrijf", "bedrijven", "opslaan",
  "aantekening", "aantekeningen", "wachtend", "apparaat", "synchroniseren", "instellingen",
  "gemeente", "koppeling", "koppelingen", "onderdeel", "ambitie", "behoefte", "behoeften",
  "tekens", "reden", "voorbeeld", "voorbeelden", "gezet", "alleen", "actief", "landelijk",
];
/** Words only English has (not "in", "of", "is": Dutch words too). */
const ENGLISH = [
  "the", "and", "you", "your", "with", "this", "from", "not", "are", "for", "yes",
  "waiting", "change", "changes", "saved", "choose", "settings", "sign", "company", "needs",
  "example", "examples", "reason", "refused", "device", "ambition", "already", "characters",
];

/** The names the test gives its companies: no word of either language. */
const COMPANY = "Acme Stahlwerk";
const TOO_LONG = "Acme ".repeat(45).trim(); // over the 200 characters the server accepts

let server;
let context;
let page;
let interviewUrl;
/** Texts that are data, not UI: taken out of the page text before it is checked. */
let data = [];

before(async () => {
  const db = join(tempDir(), "languages.db");
  addTestUsers(db);
  server = await startServer({ port: await freePort(), db });
  context = await launchTablet();
  context.setDefaultTimeout(15_000);
  page = context.pages()[0] ?? (await context.newPage());
  await signIn(page, server.base, COORDINATOR);
  // An interview with ambitions (so there are suggestions with reasons) …
  await quickInterview(page, server.base, COMPANY, "Gouda");
  interviewUrl = page.url();
  for (const [theme, ids] of [["GB", ["GB-02", "GB-03"]], ["PR", ["PR-01"]]]) {
    await saved(page);
    await page.goto(`${interviewUrl}/theme/${theme}`);
    for (const id of ids) await page.locator(`[data-practice="${id}"]`).getByRole("button", { name: /Ambitie/ }).click();
  }
  // … and a company the server refuses: its name is too long.
  await quickInterview(page, server.base, "Acme", "Gouda");
  await page.getByRole("link", { name: "Bedrijf", exact: true }).click();
  await page.getByLabel("Bedrijfsnaam").fill(TOO_LONG);
  await saved(page);
  await page.goto(`${server.base}/sync`);
  await waitOrExplain(page, page.getByTestId("set-aside"), { timeout: 20_000 });
  // Everything the catalogue's records hold, as the server sends it.
  const strings = (value) =>
    typeof value === "string" ? [value] : value && typeof value === "object" ? Object.values(value).flatMap(strings) : [];
  const initiatives = (await pullAll(server.base)).filter((r) => r.kind === "initiative");
  data = [TOO_LONG, COMPANY, COORDINATOR.displayName, ...initiatives.flatMap((r) => strings(r.record))]
    .map((s) => s.trim())
    .filter((s) => s.length > 2)
    .sort((a, b) => b.length - a.length);
});

after(async () => {
  await context?.close();
  await server?.stop();
});

/** The page's text without the data in it. */
async function uiText() {
  await saved(page);
  let text = await page.locator("body").innerText();
  for (const s of data) text = text.split(s).join(" ");
  return text;
}

function found(text, words) {
  return words.filter((w) => new RegExp(`(?<![\\p{L}\\p{N}])${w}(?![\\p{L}\\p{N}])`, "iu").test(text));
}

async function setLanguage(code) {
  await page.goto(`${server.base}/settings`);
  await page.locator("#settings-lang").selectOption(code);
  await page.locator(`html[lang="${code}"]`).waitFor({ state: "attached" });
}

const screens = () => [
  ["list", server.base],
  ...INTERVIEW_SCREENS.map(([name, path]) => [name, `${interviewUrl}${path}`]),
  ...OTHER_SCREENS.map(([name, path]) => [name, `${server.base}${path}`]),
];

/** Visits every screen; returns the foreign words found per screen. */
async function walk(foreign) {
  const findings = {};
  for (const [name, url] of screens()) {
    await page.goto(url);
    await page.locator("main#main > *:not(.notice)").first().waitFor();
    await page.waitForTimeout(150);
    const words = found(await uiText(), foreign);
    if (words.length > 0) findings[name] = words;
  }
  return findings;
}

async function shots(label) {
  const dir = process.env.PRAATPLAAT_SHOTS;
  if (!dir) return;
  for (const [w, h] of [[1280, 800], [800, 1280]]) {
    await page.setViewportSize({ width: w, height: h });
    await page.goto(`${server.base}/sync`);
    await page.getByTestId("set-aside").waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(dir, `languages-sync-${label}-${w}x${h}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

test("signed out, the sign-in screens speak one language", async () => {
  const tablet = await launchTablet();
  try {
    const other = tablet.pages()[0] ?? (await tablet.newPage());
    for (const [code, foreign] of [["en", DUTCH], ["nl", ENGLISH]]) {
      await other.goto(`${server.base}/settings`);
      await other.locator("#settings-lang").selectOption(code);
      await other.locator(`html[lang="${code}"]`).waitFor({ state: "attached" });
      for (const path of ["/settings", "/sync"]) {
        await other.goto(`${server.base}${path}`);
        await other.getByTestId("sign-in-form").first().waitFor();
        const words = found(await other.locator("body").innerText(), foreign);
        assert.deepEqual(words, [], `${path} in ${code}`);
      }
    }
  } finally {
    await tablet.close();
  }
});

test("every screen in English shows no Dutch, the server's refusal included", async () => {
  await setLanguage("en");
  const findings = await walk(DUTCH);
  assert.deepEqual(findings, {}, `Dutch words on English screens:\n${JSON.stringify(findings, null, 2)}`);
  // The refusal came as a code and reads in English, with its parameter.
  await page.goto(`${server.base}/sync`);
  assert.match(
    await page.getByTestId("set-aside-reason").innerText(),
    /^The server's reason: Too long: name \(at most 200 characters\)\.$/,
  );
  await page.goto(`${interviewUrl}/links`);
  assert.match(await page.locator(".suggestion-reason").first().innerText(), /^Fits your ambition for /);
  await shots("en");
});

test("every screen in Dutch shows no English, the server's refusal included", async () => {
  await setLanguage("nl");
  const findings = await walk(ENGLISH);
  assert.deepEqual(findings, {}, `English words on Dutch screens:\n${JSON.stringify(findings, null, 2)}`);
  await page.goto(`${server.base}/sync`);
  assert.match(
    await page.getByTestId("set-aside-reason").innerText(),
    /^Reden van de server: Te lang: naam \(hoogstens 200 tekens\)\.$/,
  );
  await page.goto(`${interviewUrl}/links`);
  assert.match(await page.locator(".suggestion-reason").first().innerText(), /^Past bij uw ambitie op /);
  await shots("nl");
});
