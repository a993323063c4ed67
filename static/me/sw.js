/* The volunteer pages' service worker (served by /me/sw.js, which puts `ME` above this:
   the cache version, the page and asset URLs to precache, the static prefix and the scope).
   Pages: network first, the cached copy when there is no signal. Static assets: cache first
   (their URLs carry a content hash in production). Nothing but GET is touched: claims go
   to the API from the page, which queues them itself when offline. */
"use strict";

const CACHE = "me-" + ME.version;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(ME.assets);
      // a page that fails (logged out, say) must not stop the worker from installing
      await Promise.all(
        ME.pages.map((url) =>
          fetch(url, { credentials: "same-origin" })
            .then((r) => (r.ok && !r.redirected ? cache.put(url, r) : null))
            .catch(() => null),
        ),
      );
      await self.skipWaiting();
    })(),
  );
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
    const cached = await cache.match(request, { ignoreSearch: true });
    if (cached) return cached;
    const home = await cache.match(ME.scope);
    if (home) return home;
    throw err;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
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
