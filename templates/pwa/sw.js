// intake's service worker, version {{ version }} (a digest of the static files: a deploy changes it).
// The intake page and its files come from the cache when there is no network; any other page
// then shows the offline page. Nothing else is cached: no item, no person, no API answer.
"use strict";

const CACHE = "intake-{{ version }}";
const SHELL = {{ shell|tojson }};
const OFFLINE = {{ offline|tojson }};
const INTAKE = {{ intake|tojson }};
const VENDOR = "/vendor/";

importScripts({{ outbox|tojson }});

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // Past the browser's HTTP cache: the files of this very version.
    await cache.addAll([...SHELL, OFFLINE].map((url) => new Request(url, { cache: "reload" })));
    await keepIntakePage(cache, await fetch(INTAKE, { cache: "reload" }).catch(() => null));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("intake-") && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

async function keepIntakePage(cache, response) {
  // Only the real page: not a redirect to sign in or to choose a collection point.
  if (response && response.ok && !response.redirected && response.type === "basic") {
    await (cache || await caches.open(CACHE)).put(INTAKE, response.clone());
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request, url));
  } else if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname, { cacheName: CACHE }).then((hit) => hit || fetch(request)));
  } else if (url.pathname.startsWith(VENDOR)) {
    event.respondWith(vendor(request));
  }
});

// The QR scanner library (iOS has no native detector) is kept once used, so that stickers can be
// filmed offline too; it is not part of the first load.
async function vendor(request) {
  const hit = await caches.match(request, { cacheName: CACHE });
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await (await caches.open(CACHE)).put(request, response.clone());
  return response;
}

async function page(request, url) {
  try {
    const response = await fetch(request);
    return url.pathname === INTAKE ? keepIntakePage(null, response) : response;
  } catch (offline) {
    // caches.match, not caches.open: after signing out, nothing is created again.
    const kept = url.pathname === INTAKE ? await caches.match(INTAKE, { cacheName: CACHE }) : null;
    return kept || (await caches.match(OFFLINE, { cacheName: CACHE })) || Response.error();
  }
}

// Background Sync, where the browser has it (not iOS): send the outbox even with the app closed.
self.addEventListener("sync", (event) => {
  if (event.tag === "outbox") event.waitUntil(self.IntakeOutbox.send());
});

self.addEventListener("message", (event) => {
  if (event.data === "forget") {
    // Signing out: nothing of this person stays on the phone.
    event.waitUntil(caches.keys().then((names) => Promise.all(
      names.filter((name) => name.startsWith("intake-")).map((name) => caches.delete(name)))));
  }
});
