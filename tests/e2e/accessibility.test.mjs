// axe-core on every screen at both tablet orientations: zero violations, under the server's
// Content-Security-Policy (axe is injected through the DevTools protocol, which the policy does
// not govern, so the app itself still runs under the strict policy).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { INTERVIEW_SCREENS, OTHER_SCREENS, fullInterview, quickInterview } from "./flows.mjs";
import { addTestUsers, freePort, launchTablet, saved, signIn, startServer, tempDir, watchCsp } from "./harness.mjs";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let server;
let interviewUrl;

before(async () => {
  const db = join(tempDir(), "a11y.db");
  addTestUsers(db);
  server = await startServer({ port: await freePort(), db });
});

after(async () => {
  await server?.stop();
});

async function violations(page) {
  await saved(page);
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    // The whole rule set of axe 4 (WCAG 2.0-2.2 A/AA and best practices).
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    }));
  });
}

for (const [label, size] of [
  ["landscape", { width: 1280, height: 800 }],
  ["portrait", { width: 800, height: 1280 }],
]) {
  test(`no axe violations on any screen (${label})`, async () => {
    const context = await launchTablet(size);
    try {
      context.setDefaultTimeout(15_000);
      const page = context.pages()[0] ?? (await context.newPage());
      const csp = watchCsp(page);
      const errors = [];
      page.on("pageerror", (e) => errors.push(e.message));
      const found = {};
      // Signed out first: the sign-in form on the settings and sync screens.
      for (const path of ["/settings", "/sync"]) {
        await page.goto(`${server.base}${path}`);
        await page.getByTestId("sign-in-form").first().waitFor();
        const v = await violations(page);
        if (v.length > 0) found[`${path} signed out`] = v;
      }
      await signIn(page, server.base);
      await page.goto(server.base);
      if (!interviewUrl) {
        await quickInterview(page, server.base, "Constructiebedrijf Verhoef", "Waddinxveen");
        interviewUrl = await fullInterview(page, server.base);
      }
      await page.goto(server.base);
      await page.getByTestId("sync-status").filter({ hasText: "Gesynchroniseerd" }).waitFor({ timeout: 20_000 });
      const screens = [
        ["list", server.base],
        ...INTERVIEW_SCREENS.map(([name, path]) => [name, `${interviewUrl}${path}`]),
        ...OTHER_SCREENS.map(([name, path]) => [name, `${server.base}${path}`]),
      ];
      for (const [name, url] of screens) {
        await page.goto(url);
        await page.locator("main#main > *:not(.notice)").first().waitFor();
        await page.waitForTimeout(300);
        const v = await violations(page);
        if (v.length > 0) found[name] = v;
      }
      assert.deepEqual(found, {}, `axe violations:\n${JSON.stringify(found, null, 2)}`);
      assert.deepEqual(csp, []);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}
