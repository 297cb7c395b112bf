// Interviews played in the browser, shared by the screenshot tour and the accessibility test.
import { bmp } from "./images.mjs";
import { saved, waitOrExplain } from "./harness.mjs";

const log = (...a) => console.log(new Date().toISOString().slice(11, 19), ...a);
export const step = (page, name) => page.getByRole("link", { name, exact: true }).click();

export async function quickInterview(page, origin, name, municipality) {
  await page.goto(`${origin}/interviews/new`);
  await page.getByLabel("Bedrijfsnaam").fill(name);
  await page.getByLabel("Gemeente").fill(municipality);
  await page.getByTestId("start-interview").click();
  await waitOrExplain(page, page.getByTestId("interview-title").filter({ hasText: name }));
}

/** A full interview with Van Dijk Plaatwerk; returns its base URL. */
export async function fullInterview(page, origin) {
  await quickInterview(page, origin, "Van Dijk Plaatwerk", "Alphen aan den Rijn");
  const base = page.url();
  await step(page, "Bedrijf");
  await page.getByLabel("Adres").fill("Industrieweg 12, Alphen aan den Rijn");
  await page.getByLabel("Contactpersoon").fill("Marieke van Dijk");
  await page.getByTestId("size-class").getByRole("radio", { name: "10-49" }).click();
  await page.getByRole("button", { name: "Plaatbewerking" }).click();
  await page.getByRole("button", { name: "Directie / leiding" }).click();
  await page.getByRole("button", { name: "Medewerkers" }).click();
  log("company done");
  const plan = {
    GR: { now: ["GR-01", "GR-05", "GR-07"], ambition: ["GR-03", "GR-04"] },
    PR: { now: ["PR-04", "PR-05"], ambition: ["PR-01", "PR-06"] },
    PP: { now: ["PP-01", "PP-02", "PP-06", "PP-09"], ambition: ["PP-07"] },
    OB: { now: ["OB-01"], ambition: ["OB-08"] },
    SK: { now: ["SK-04"], ambition: ["SK-02", "SK-05"] },
    EN: { now: ["EN-01", "EN-02", "EN-04"], ambition: ["EN-07", "EN-09"] },
    GB: { now: ["GB-01"], ambition: ["GB-05"] },
  };
  for (const [theme, { now, ambition }] of Object.entries(plan)) {
    await saved(page);
    await page.goto(`${base}/theme/${theme}`);
    for (const id of now) await page.locator(`[data-practice="${id}"]`).getByRole("button", { name: /Doen we al/ }).click();
    for (const id of ambition) await page.locator(`[data-practice="${id}"]`).getByRole("button", { name: /Ambitie/ }).click();
  }
  await page.locator('[data-practice="GB-05"]').getByRole("button", { name: "Notitie toevoegen" }).click();
  await page.getByLabel("Notitie").fill("Hoek achter de hal vrijmaken voor retourbakken.");
  log("themes done");
  await step(page, "Voorbeelden");
  await page.getByTestId("add-example").click();
  await page.getByLabel("Wat doet het bedrijf?").fill("Reststukken rvs gaan gelabeld terug in het rek en worden meegenomen in de nesting.");
  await page.locator('input[type="file"]').setInputFiles({ name: "rek.bmp", mimeType: "image/bmp", buffer: bmp(2400, 1800) });
  await page.locator(".photo-thumb img").waitFor();
  await page.getByTestId("sharing").getByRole("radio", { name: "Ja" }).click();
  await step(page, "Ambitie");
  await page.getByLabel("De ambitie in eigen woorden").fill("Binnen drie jaar donorstaal inzetten en een productpaspoort meeleveren bij elke trap.");
  await step(page, "Behoeften");
  await page.locator('fieldset.need[data-theme="GR"] .need-row').nth(0).getByRole("radio", { name: "Veel" }).click();
  await page.locator('fieldset.need[data-theme="PR"] .need-row').nth(2).getByRole("radio", { name: "Wat" }).click();
  await page.locator('fieldset.need[data-theme="EN"] .need-row').nth(1).getByRole("radio", { name: "Veel" }).click();
  await step(page, "Samenvatting");
  await page.getByTestId("complete").click();
  log("summary done");
  await step(page, "Koppelingen");
  const suggestions = page.getByTestId("suggestions").locator("li");
  for (const name of ["Versnellingsteam Metaal", "Circulair Productpaspoort"]) {
    await suggestions.filter({ hasText: name }).getByRole("button", { name: "Koppeling voorstellen" }).click();
  }
  const coachLink = page.locator('li.link[data-initiative="Versnellingsteam Metaal"]');
  await coachLink.getByRole("button", { name: "Gelegd" }).click();
  await coachLink.getByLabel("Coach (Versnellingsteam)").selectOption({ index: 1 });
  await coachLink.getByLabel("Volgende stappen").fill("Coach komt in februari langs voor een scan van de reststromen.");
  await page.locator('li.link[data-initiative="Circulair Productpaspoort"]').getByLabel("Volgende stappen").fill("Aanmelden voor de sessie productpaspoort.");
  await saved(page);
  return base;
}


/** Every screen of an interview: a name and the path below the interview's URL. */
export const INTERVIEW_SCREENS = [
  ["plate", ""],
  ["theme", "/theme/PP"],
  ["company", "/company"],
  ["examples", "/examples"],
  ["ambition", "/ambition"],
  ["needs", "/needs"],
  ["links", "/links"],
  ["summary", "/summary"],
  ["own-plate", "/own"],
];

/** The screens outside an interview: a name and the path. */
export const OTHER_SCREENS = [
  ["new-interview", "/interviews/new"],
  ["companies", "/companies"],
  ["follow-ups", "/follow-ups"],
  ["initiatives", "/initiatives"],
  ["initiative", "/initiatives/00000000-0000-4000-8000-000000000001"],
  ["settings", "/settings"],
  ["sync", "/sync"],
  ["transfer", "/transfer"],
];
