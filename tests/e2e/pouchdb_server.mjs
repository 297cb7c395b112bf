// The yardstick for the tablet's sync (tests/e2e/bench.mjs, `pouchdb.*`): a CouchDB-style server
// (npm express-pouchdb on PouchDB's in-memory adapter) on 127.0.0.1, in its own Node process as
// our server is in its own. It also serves a blank page with PouchDB's browser build, so the
// browser's PouchDB replicates with the server from the same origin (no CORS in the way).
//
//   node tests/e2e/pouchdb_server.mjs PORT     prints "listening PORT" once it answers
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { ROOT, freePort, tempDir } from "./harness.mjs";

const require = createRequire(join(ROOT, "package.json"));

/** Starts the server in a child process; resolves to `{ base, stop }`. */
export async function startPouchServer() {
  const port = await freePort();
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), String(port)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error("the PouchDB server did not start within 15 s")), 15_000);
    child.once("exit", (code) => fail(new Error(`the PouchDB server exited with ${code}`)));
    child.stdout.on("data", (chunk) => {
      if (String(chunk).includes("listening")) {
        clearTimeout(timer);
        done();
      }
    });
  });
  const stop = () =>
    new Promise((done) => {
      if (child.exitCode !== null) return done();
      child.once("exit", () => done());
      child.kill("SIGINT");
    });
  return { base: `http://127.0.0.1:${port}`, stop };
}

function serve(port) {
  const express = require("express");
  const PouchDB = require("pouchdb").plugin(require("pouchdb-adapter-memory"));
  const MemoryPouch = PouchDB.defaults({ adapter: "memory" });
  const app = express();
  app.get("/", (_, res) => res.type("html").send('<!doctype html><title>PouchDB bench</title><script src="/pouchdb.min.js"></script>'));
  app.get("/pouchdb.min.js", (_, res) => res.sendFile(require.resolve("pouchdb/dist/pouchdb.min.js")));
  app.use(
    "/db",
    require("express-pouchdb")(MemoryPouch, {
      mode: "minimumForPouchDB",
      inMemoryConfig: true,
      logPath: join(tempDir("praatplaat-pouchdb-"), "log.txt"),
    }),
  );
  const server = app.listen(port, "127.0.0.1", () => console.log(`listening ${port}`));
  // Everything is in memory: nothing to flush.
  process.on("SIGINT", () => {
    server.close();
    process.exit(0);
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) serve(Number(process.argv[2]));
