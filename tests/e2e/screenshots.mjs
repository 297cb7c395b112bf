// Screenshots of every screen at tablet sizes (landscape 1280x800, portrait 800x1280) into
// docs/screenshots/, with a few realistic interviews. Run: `make screenshots`.
import { mkdirSync } from "node:fs";
import { join } from "node:path";

import { ROOT, freePort, launchTablet, startServer, tempDir } from "./harness.mjs";

const OUT = join(ROOT, "docs/screenshots");
mkdirSync(OUT, { recursive: true });

const port = await freePort();
const server = await startServer({ port, db: join(tempDir(), "shots.db") });

async function addInterview(page, name, municipality, notes) {
  await page.goto(`${server.base}/interviews/new`);
  await page.getByLabel("Bedrijfsnaam").fill(name);
  await page.getByLabel("Gemeente").fill(municipality);
  await page.getByTestId("start-interview").click();
  await page.getByTestId("interview-title").filter({ hasText: name }).waitFor();
  await page.getByLabel("Aantekeningen").fill(notes);
  await page.getByLabel("Contactpersoon").fill("Jan Bakker");
}

for (const [label, size] of [["landscape", { width: 1280, height: 800 }], ["portrait", { width: 800, height: 1280 }]]) {
  const context = await launchTablet(size);
  const page = context.pages()[0];
  await page.goto(server.base);
  await page.getByRole("heading", { name: "Gesprekken" }).waitFor();
  if (label === "landscape") {
    await addInterview(page, "Van Dijk Plaatwerk", "Alphen aan den Rijn", "Restplaat gaat terug naar de leverancier.");
    await addInterview(page, "Constructiebedrijf Verhoef", "Waddinxveen", "Werkt al met donorstaal bij verbouwingen.");
  }
  await addInterview(page, "Metaalbewerking De Vries", "Nieuwkoop", "Spanen en snijolie worden gescheiden ingezameld.");
  await page.screenshot({ path: join(OUT, `interview-${label}.png`) });
  await page.goto(`${server.base}/interviews/new`);
  await page.getByLabel("Bedrijfsnaam").waitFor();
  await page.screenshot({ path: join(OUT, `new-interview-${label}.png`) });
  await page.goto(`${server.base}/settings`);
  await page.getByTestId("sync-now").waitFor();
  await page.waitForTimeout(1500);
  await page.screenshot({ path: join(OUT, `settings-${label}.png`) });
  await page.goto(server.base);
  await page.getByTestId("interview-list").waitFor();
  await page.getByTestId("sync-status").filter({ hasText: "Gesynchroniseerd" }).waitFor({ timeout: 15_000 });
  await page.screenshot({ path: join(OUT, `list-${label}.png`) });
  await context.close();
}
await server.stop();
console.log(`screenshots written to ${OUT}`);
