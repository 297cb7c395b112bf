// A tablet that still holds data of the previous schema (IndexedDB v1, written by the foundation
// release: no photo stores, interviews without the newer fields) opens the current app: the
// database is upgraded in place (v1 -> v2 photos -> v3 initiatives and links -> v4 receipts -> v5
// receipts kept in shards -> v6 records kept in buckets, the v1 rows moved into them -> v7 the
// follow-ups' store), nothing is lost, and the waiting changes still sync; a v4 tablet's receipts
// move into the shards.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { ROOT, addTestUsers, freePort, launchTablet, pullAll, signIn, startServer, tempDir } from "./harness.mjs";

let server;
let context;

before(async () => {
  const db = join(tempDir(), "praatplaat.db");
  addTestUsers(db);
  server = await startServer({ port: await freePort(), db });
  context = await launchTablet();
});

after(async () => {
  await context?.close();
  await server?.stop();
});

test("schema v1 data is upgraded, shown and synced", async () => {
  const page = context.pages()[0];
  // Same origin, but a page that does not start the app.
  await page.goto(`${server.base}/api/v1/health`);
  await page.evaluate(async () => {
    const company = {
      id: "11111111-1111-4111-8111-111111111111",
      programme_id: "mkb-deal-metaal-zh",
      name: "Oud Metaal BV",
      municipality: "Nieuwkoop",
      address: "",
      contact_person: "",
      segments: [],
      size_class: null,
      association_member: null,
      rev: 0,
      updated_at: 1735689600000,
      deleted: false,
    };
    const interview = {
      id: "22222222-2222-4222-8222-222222222222",
      programme_id: "mkb-deal-metaal-zh",
      company_id: company.id,
      date: "2025-01-15",
      interviewer: "Karin",
      plate_version: "",
      answers: { "GR-01": { now: true, ambition: false, note: "" } },
      notes: "Geschreven met de eerste versie",
      status: "draft",
      rev: 0,
      updated_at: 1735689600000,
      deleted: false,
    };
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open("praatplaat", 1);
      open.onupgradeneeded = () => {
        for (const name of ["companies", "interviews", "outbox", "meta"]) open.result.createObjectStore(name);
      };
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    await new Promise((resolve, reject) => {
      const tx = db.transaction(["companies", "interviews", "outbox", "meta"], "readwrite");
      tx.objectStore("companies").put(JSON.stringify(company), company.id);
      tx.objectStore("interviews").put(JSON.stringify(interview), interview.id);
      tx.objectStore("outbox").put(JSON.stringify({ seq: 1, kind: "company", id: company.id }), `company:${company.id}`);
      tx.objectStore("outbox").put(JSON.stringify({ seq: 2, kind: "interview", id: interview.id }), `interview:${interview.id}`);
      tx.objectStore("meta").put("33333333-3333-4333-8333-333333333333", "device_id");
      tx.objectStore("meta").put("3", "next_seq");
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  });

  await page.goto(server.base);
  await page.getByTestId("interview-list").getByText("Oud Metaal BV").waitFor();
  const version = await page.evaluate(
    () => new Promise((resolve) => {
      const open = indexedDB.open("praatplaat");
      open.onsuccess = () => {
        const db = open.result;
        resolve({ version: db.version, stores: [...db.objectStoreNames].sort() });
        db.close();
      };
    }),
  );
  assert.equal(version.version, 7);
  assert.deepEqual(version.stores, [
    "companies", "follow_ups", "initiatives", "interviews", "links", "meta", "outbox", "photo_outbox", "photos",
    "receipt_shards", "receipts",
  ]);

  // The old interview renders with the current plate, its tick intact.
  await page.getByTestId("interview-list").getByRole("link").first().click();
  await page.getByRole("button", { name: /^Grondstoffen/ }).click();
  assert.equal(
    await page.locator('[data-practice="GR-01"]').getByRole("button", { name: /Doen we al/ }).getAttribute("aria-pressed"),
    "true",
  );

  // Its waiting changes sync under the device id it always had, once the tablet is signed in
  // (the release it came from had no accounts).
  await page.getByTestId("sync-status").filter({ hasText: "Meld je aan om te synchroniseren · 2 wachtend" }).waitFor();
  await signIn(page, server.base);
  await page.getByTestId("sync-status").filter({ hasText: "Gesynchroniseerd" }).waitFor({ timeout: 20_000 });
  const stored = await pullAll(server.base);
  assert.equal(stored.find((r) => r.kind === "company").record.name, "Oud Metaal BV");
  assert.equal(stored.find((r) => r.kind === "interview").record.notes, "Geschreven met de eerste versie");
});

test("a v4 tablet's receipts move into the shards, a garbled one does not stop the app", async () => {
  const tablet = await launchTablet();
  try {
    const page = tablet.pages()[0];
    await page.goto(`${server.base}/api/v1/health`);
    const receipt = {
      kind: "company",
      id: "44444444-4444-4444-8444-444444444444",
      rev: 3,
      hash: "ab".repeat(32),
    };
    await page.evaluate(async (receipt) => {
      const db = await new Promise((resolve, reject) => {
        const open = indexedDB.open("praatplaat", 4);
        open.onupgradeneeded = () => {
          for (const name of [
            "companies", "interviews", "outbox", "meta", "photos", "photo_outbox", "initiatives", "links", "receipts",
          ]) open.result.createObjectStore(name);
        };
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      await new Promise((resolve, reject) => {
        const tx = db.transaction(["receipts", "meta"], "readwrite");
        tx.objectStore("receipts").put(JSON.stringify(receipt), `company:${receipt.id}`);
        tx.objectStore("receipts").put("{not json", "company:garbled");
        tx.objectStore("meta").put("55555555-5555-4555-8555-555555555555", "device_id");
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
      });
      db.close();
    }, receipt);

    await page.goto(server.base);
    // The list shows once the database is open and upgraded (the badge shows before).
    await page.getByTestId("new-interview").waitFor();
    const after = await page.evaluate(
      () => new Promise((resolve) => {
        const open = indexedDB.open("praatplaat");
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(["receipts", "receipt_shards"]);
          const shards = tx.objectStore("receipt_shards").getAll();
          const old = tx.objectStore("receipts").count();
          tx.oncomplete = () => {
            resolve({ version: db.version, shards: shards.result.flatMap((row) => JSON.parse(row)), old: old.result });
            db.close();
          };
        };
      }),
    );
    assert.equal(after.version, 7);
    assert.equal(after.old, 0, "the old receipts store is emptied");
    assert.deepEqual(
      after.shards.map(({ kind, id, rev, hash }) => ({ kind, id, rev, hash })),
      [receipt],
    );
  } finally {
    await tablet.close();
  }
});

test("a newer version opening in another tab is let through, and this tab asks for a reload", async () => {
  const tablet = await launchTablet();
  try {
    const page = tablet.pages()[0];
    await page.goto(server.base);
    await page.getByTestId("new-interview").waitFor();
    // Another tab of the same origin opens the database one version further, as a newer release
    // would; its upgrade is aborted, so the database stays as it is.
    const other = await tablet.newPage();
    await other.goto(`${server.base}/api/v1/health`);
    const seen = await other.evaluate(
      () => new Promise((resolve) => {
        const probe = indexedDB.open("praatplaat");
        probe.onsuccess = () => {
          const version = probe.result.version;
          probe.result.close();
          const seen = { version, blocked: false, upgraded: false };
          const open = indexedDB.open("praatplaat", version + 1);
          open.onblocked = () => { seen.blocked = true; };
          open.onupgradeneeded = () => {
            seen.upgraded = true;
            open.transaction.abort();
          };
          open.onerror = () => resolve(seen);
          open.onsuccess = () => { open.result.close(); resolve(seen); };
        };
      }),
    );
    assert.deepEqual({ blocked: seen.blocked, upgraded: seen.upgraded }, { blocked: false, upgraded: true });
    await page.getByTestId("replaced").waitFor();
    assert.match(await page.getByTestId("replaced").innerText(), /ander tabblad/);
    for (const [width, height] of [[1280, 800], [800, 1280]]) {
      await page.setViewportSize({ width, height });
      await page.screenshot({ path: join(ROOT, `docs/screenshots/replaced-${width}x${height}.png`) });
    }
    // A reload opens the database again, as it was.
    await other.close();
    await page.getByTestId("replaced").getByRole("button").click();
    await page.getByTestId("new-interview").waitFor();
    assert.equal(await page.getByTestId("replaced").count(), 0);
  } finally {
    await tablet.close();
  }
});
