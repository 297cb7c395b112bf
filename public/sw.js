// Praatplaat service worker: serves the app shell from its cache so the app opens with no
// network. It never caches API responses: records live in IndexedDB, not here.
// The two placeholders below are filled in at build time by scripts/post-build.mjs.
const BUILD = "__PRAATPLAAT_BUILD__";
const SHELL = __PRAATPLAAT_SHELL__;
const CACHE = `praatplaat-shell-${BUILD}`;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)));
});

// A new release waits (it never takes over an open interview by itself) until the app, on the
// interviewer's tap, sends "skip-waiting".
self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") {
    self.skipWaiting();
  }
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith("praatplaat-shell-") && key !== CACHE) {
          await caches.delete(key);
        }
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) {
    return; // the network, untouched
  }
  if (request.mode === "navigate") {
    // Every page of the app is the same index.html; deep links work offline too.
    event.respondWith(
      caches.open(CACHE).then(async (cache) => (await cache.match("/index.html")) || fetch(request)),
    );
    return;
  }
  event.respondWith(
    caches.open(CACHE).then(async (cache) => (await cache.match(request)) || fetch(request)),
  );
});
