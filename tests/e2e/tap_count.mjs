// Counts the taps of a typical interview, played in the browser on a tablet-sized screen:
// company + 7 themes with ~3 ticks each + 1 example with photo + ambition + needs + complete.
// A tap is a click, or focusing a field to type in it (typing itself is not counted).
// Run: `make taps` (needs the built app and server).
import { join } from "node:path";

import { freePort, launchTablet, startServer, tempDir } from "./harness.mjs";
import { bmp } from "./images.mjs";

const port = await freePort();
const server = await startServer({ port, db: join(tempDir(), "taps.db") });
const context = await launchTablet({ width: 1280, height: 800 });
const page = context.pages()[0];
const log = [];
const tap = async (what, locator) => {
  log.push(what);
  await locator.click();
};
const type = async (what, locator, text) => {
  log.push(what);
  await locator.fill(text);
};

const started = Date.now();
await page.goto(server.base);
await tap("new interview", page.getByTestId("new-interview"));
await type("company name", page.getByLabel("Bedrijfsnaam"), "Van Dijk Plaatwerk");
await type("municipality", page.getByLabel("Gemeente"), "Alphen aan den Rijn");
await tap("start", page.getByTestId("start-interview"));

// Company details worth asking at the table: size class and who is present.
await tap("company step", page.getByRole("link", { name: "Bedrijf", exact: true }));
await tap("size class", page.getByTestId("size-class").getByRole("radio", { name: "10-49" }));
await tap("management present", page.getByRole("button", { name: "Directie / leiding" }));
await tap("plate step", page.getByRole("link", { name: "Praatplaat", exact: true }));

// Seven themes, three ticks each, moving on with "next part".
const ticks = {
  GR: ["GR-01", "GR-05", "GR-07"],
  PR: ["PR-02", "PR-04", "PR-05"],
  PP: ["PP-01", "PP-06", "PP-09"],
  OB: ["OB-01", "OB-04", "OB-08"],
  SK: ["SK-02", "SK-04", "SK-08"],
  EN: ["EN-01", "EN-02", "EN-04"],
  GB: ["GB-01", "GB-05", "GB-06"],
};
await tap("open first theme", page.getByRole("button", { name: /^Grondstoffen/ }));
const themes = Object.keys(ticks);
for (const [n, theme] of themes.entries()) {
  for (const id of ticks[theme]) {
    await tap(`tick ${id}`, page.locator(`[data-practice="${id}"]`).getByRole("button", { name: /Doen we al/ }));
  }
  if (n + 1 < themes.length) {
    await tap("next theme", page.getByRole("link", { name: /Volgend onderdeel/ }));
  }
}

// One good example with a photo.
await tap("examples step", page.getByRole("link", { name: "Voorbeelden", exact: true }));
await tap("add example", page.getByTestId("add-example"));
await type("example text", page.getByLabel("Wat doet het bedrijf?"), "Reststukken gaan naar de mbo-school.");
log.push("take photo (camera button + shutter counted as 2)", "camera shutter");
await page.locator('input[type="file"]').setInputFiles({ name: "foto.bmp", mimeType: "image/bmp", buffer: bmp(2000, 1500) });
await page.locator(".photo-thumb img").waitFor();
await tap("may share: yes", page.getByTestId("sharing").getByRole("radio", { name: "Ja" }));

// Ambition: two practices and a sentence.
await tap("ambition step", page.getByRole("link", { name: "Ambitie", exact: true }));
await tap("ambition GR-04", page.locator('[data-practice="GR-04"]').getByRole("button", { name: /Ambitie/ }));
await tap("ambition EN-07", page.locator('[data-practice="EN-07"]').getByRole("button", { name: /Ambitie/ }));
await type("ambition text", page.getByLabel("De ambitie in eigen woorden"), "Binnen 3 jaar donorstaal toepassen.");

// Needs on three themes.
await tap("needs step", page.getByRole("link", { name: "Behoeften", exact: true }));
for (const theme of ["GR", "EN", "GB"]) {
  await tap(`need ${theme}`, page.locator(`fieldset.need[data-theme="${theme}"]`).getByRole("radio", { name: "Wat" }).first());
}

await tap("summary step", page.getByRole("link", { name: "Samenvatting", exact: true }));
await tap("complete", page.getByTestId("complete"));
const seconds = (Date.now() - started) / 1000;
const score = (await page.getByTestId("score-now").textContent()).trim();

console.log(`taps for a typical interview: ${log.length}`);
console.log(`  ticks: ${log.filter((l) => l.startsWith("tick")).length}, navigation: ${log.filter((l) => /step|theme|start|new/.test(l)).length}`);
console.log(`  score now ${score}; played in ${seconds.toFixed(1)} s by the script`);
await context.close();
await server.stop();
