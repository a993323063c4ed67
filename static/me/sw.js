/* The volunteer pages' service worker (served by /me/sw.js, which puts `ME` above this:
   the cache version, the page and asset URLs to precache, the static prefix and the scope).
   Pages: network first, the cached copy when there is no signal. Static assets: cache first
   (their URLs carry a content hash in production). Nothing but GET is touched: claims go
   to the API from the page, which queues them itself when offline. */
"use strict";

const CACHE = "me-" + ME.version;

async function precachePages(onlyMissing) {
  // every page of the volunteer, so that one never opened still opens without a signal;
  // a page that fails (logged out, say) must not stop the worker from installing
  const cache = await caches.open(CACHE);
  await Promise.all(
    ME.pages.map(async (url) => {
      if (onlyMissing && (await cache.match(url, { ignoreVary: true }))) return;
      try {
        const r = await fetch(url, { credentials: "same-origin" });
        if (r.ok && !r.redirected) await cache.put(url, r);
      } catch (err) {
        // no signal: the page is cached when it is next opened
      }
    }),
  );
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(ME.assets);
      await precachePages(false);
      await self.skipWaiting();
    })(),
  );
});

// a page asks after each load (the next login on a shared phone finds the worker installed)
self.addEventListener("message", (event) => {
  if (event.data === "precache") event.waitUntil(precachePages(true));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names.filter((n) => n.startsWith("me-") && n !== CACHE).map((n) => caches.delete(n)),
      );
      await self.clients.claim();
    })(),
  );
});

async function forgetPages(cache) {
  const requests = await cache.keys();
  await Promise.all(
    requests
      .filter((r) => new URL(r.url).pathname.startsWith(ME.scope))
      .map((r) => cache.delete(r)),
  );
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) {
      await cache.put(request, response.clone());
    } else if (response.redirected) {
      // sent to the login page: logged out, so no one's pages stay on the phone
      await forgetPages(cache);
    }
    return response;
  } catch (err) {
    // The pages answer "Vary: Cookie, Accept-Language"; a page precached at install was
    // fetched by a request without those headers, so a match that honoured Vary would miss it
    // (and the browser's error page would show). Logging out empties the pages, so what is
    // cached is this login's.
    const found = { ignoreSearch: true, ignoreVary: true };
    const cached = await cache.match(request, found);
    if (cached) return cached;
    // a page never cached: the home page, whose banner says the phone is offline
    const home = await cache.match(ME.scope, found);
    if (home && request.mode === "navigate") return home;
    throw err;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreVary: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(ME.staticPrefix)) {
    event.respondWith(cacheFirst(request));
  } else if (url.pathname.startsWith(ME.scope) && !url.pathname.endsWith("/sw.js")) {
    event.respondWith(networkFirst(request));
  }
});
