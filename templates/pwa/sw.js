// intake's service worker, version {{ version }} (a digest of the static files: a deploy changes it).
// With no network: the intake page and its files come from the cache, and so do the manifest and its
// icons (the app stays installable) and the step that chooses today's collection point; any other page
// shows the offline page. Nothing else is cached: no item, no person, no API answer.
"use strict";

const CACHE = "intake-{{ version }}";
const SHELL = {{ shell|tojson }};
const OFFLINE = {{ offline|tojson }};
const MANIFEST = {{ manifest|tojson }};
const INTAKE = {{ intake|tojson }};
const SETUP = {{ setup|tojson }};
const POINTS = {{ points|tojson }};
const MAX_POINTS = {{ max_points }};
const VENDOR = "/vendor/";

importScripts({{ outbox|tojson }});

// What a phone needs to log items with no network, fetched when the app is installed and again at each
// sign-in (signing out deletes it): the files, the offline page, the manifest, the setup step with
// today's collection points, and the intake page of each point, so that a volunteer who signs in and
// loses the network before choosing the point can still choose it and log items.
let preparing = null;

function prepare() {
  if (!preparing) preparing = prepareOffline().finally(() => { preparing = null; });
  return preparing;
}

async function prepareOffline() {
  // Past the browser's HTTP cache: the files of this very version (all of them, or the install fails).
  const urls = [...SHELL, OFFLINE, MANIFEST];
  const files = await Promise.all(urls.map((url) => fetch(url, { cache: "reload" })));
  const missing = urls.filter((url, i) => !files[i].ok);
  if (missing.length) throw new Error(`not cached: ${missing.join(", ")}`);
  const cache = await caches.open(CACHE);
  await Promise.all(files.map((response, i) => cache.put(urls[i], response)));
  // Only for a signed-in team member: otherwise these are redirects to sign in, and are not kept.
  const setup = await keepPage(new URL(SETUP, self.location.origin), await fetch(SETUP, { cache: "reload" }).catch(() => null));
  if (!isPage(setup)) return;
  await keepPage(new URL(INTAKE, self.location.origin), await fetch(INTAKE, { cache: "reload" }).catch(() => null));
  const points = await fetch(POINTS, { credentials: "same-origin" }).then((r) => (r.ok ? r.json() : [])).catch(() => []);
  for (const point of points.slice(0, MAX_POINTS)) {
    const url = new URL(`${INTAKE}?point=${encodeURIComponent(point.id)}`, self.location.origin);
    await keepPage(url, await fetch(url, { cache: "reload" }).catch(() => null));
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(prepare().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("intake-") && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

function isPage(response) {
  // Only the real page: not a redirect to sign in or to choose a collection point.
  return Boolean(response && response.ok && !response.redirected && response.type === "basic");
}

// The pages kept: the intake page (of today's point, and of each point by its address), and the setup step.
function pageKey(url) {
  if (url.pathname === INTAKE && url.searchParams.has("point")) return `${INTAKE}?point=${url.searchParams.get("point")}`;
  return url.pathname === INTAKE || url.pathname === SETUP ? url.pathname : null;
}

async function keepPage(url, response) {
  const key = pageKey(url);
  if (key && isPage(response)) await (await caches.open(CACHE)).put(key, response.clone());
  return response;
}

async function keptPage(url) {
  // caches.match, not caches.open: after signing out, nothing is created again.
  const kept = (key) => (key ? caches.match(key, { cacheName: CACHE }) : null);
  let page = await kept(pageKey(url));
  // Signed in but no point chosen yet (no intake page of the day kept): choose it first.
  if (!page && url.pathname === INTAKE && !url.searchParams.has("point")) page = await kept(SETUP);
  return page || (await kept(OFFLINE));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request, url));
  } else if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname, { cacheName: CACHE }).then((hit) => hit || fetch(request)));
  } else if (url.pathname === MANIFEST) {
    // Asked again online (it speaks the user's language), from the cache with no network.
    event.respondWith(fetch(request).catch(() => caches.match(MANIFEST, { cacheName: CACHE })
      .then((hit) => hit || Response.error())));
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
    return await keepPage(url, await fetch(request));
  } catch (offline) {
    return (await keptPage(url)) || Response.error();
  }
}

// Background Sync, where the browser has it (not iOS): send the outbox even with the app closed.
self.addEventListener("sync", (event) => {
  if (event.tag === "outbox") event.waitUntil(self.IntakeOutbox.send());
});

self.addEventListener("message", (event) => {
  if (event.data === "forget") {
    // Signing out: nothing of this person stays on the phone; once a preparation under way has ended,
    // so that it writes nothing afterwards. The page is told when it is done.
    event.waitUntil((async () => {
      await (preparing || Promise.resolve()).catch(() => {});
      for (const name of await caches.keys()) if (name.startsWith("intake-")) await caches.delete(name);
      event.ports[0]?.postMessage("forgotten");
    })());
  } else if (event.data === "signed-in") {
    // A page of a signed-in team member: prepare for no network, unless that is done already.
    event.waitUntil(caches.match(SETUP, { cacheName: CACHE }).then((kept) => kept || prepare()).catch(() => {}));
  }
});
