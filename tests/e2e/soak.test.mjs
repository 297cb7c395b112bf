// The fault soak, short: two seeds of two runs each on one server, proxy and pair of tablets
// (tests/e2e/soak.mjs plays and checks them), and the oracle's self-tests: a tick flipped and a row
// deleted in the server's SQLite file behind its back must be reported as lost.
// The long soak: `node tests/e2e/soak.mjs --runs 50 --seed 1` (scripts/soak.sh).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { createSoak, formatFigures } from "./soak.mjs";

let soak;

before(async () => {
  soak = await createSoak({ seed: 1 });
});

after(async () => {
  const figures = await soak?.close();
  if (figures) console.log(formatFigures(figures));
});

/** What a run reported, for an assertion's message. */
const explain = (result) => JSON.stringify({ problems: result.problems, failure: result.failure?.message }, null, 1).slice(0, 6000);

for (const seed of [1, 2]) {
  test(`soak seed ${seed}: ticks, notes, offline, reloads, faults and a killed server lose nothing`, async () => {
    for (let i = 0; i < 2; i++) {
      const result = await soak.run(i, { seed });
      assert.equal(result.failure, null, explain(result));
      assert.deepEqual(result.problems, [], explain(result));
    }
  });
}

test("self-test: a tick flipped in the server's SQLite file is reported as a lost field", async () => {
  const result = await soak.run(0, { seed: 3, selfTest: "flip-tick" });
  assert.equal(result.failure, null, explain(result));
  assert.equal(result.damaged?.problem, "lost_field");
  assert.ok(result.damageReported, explain(result));
  const lost = result.problems.find((p) => p.problem === "lost_field" && p.field === result.damaged.field);
  assert.ok(lost, explain(result));
  assert.deepEqual(lost.expected, [true]);
  assert.equal(lost.server, false);
});

test("self-test: an interview row deleted from the server's SQLite file is reported as a lost record", async () => {
  const result = await soak.run(0, { seed: 4, selfTest: "delete-row" });
  assert.equal(result.failure, null, explain(result));
  assert.ok(result.damageReported, explain(result));
  assert.ok(result.problems.some((p) => p.problem === "lost_record" && p.where === "server" && p.id === result.damaged.id), explain(result));
});

test("the proxy injected faults while they were on", async () => {
  const stats = await soak.stats();
  assert.ok(soak.figures.fault_periods > 0, "the runs turned faults on");
  const injected = Object.values(stats.faults ?? {}).reduce((a, b) => a + Number(b), 0);
  assert.ok(injected > 0, `faults were on ${soak.figures.fault_periods} times, yet none was injected: ${JSON.stringify(stats)}`);
});
