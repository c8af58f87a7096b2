// The outbox: intakes logged on this phone that have not reached the server yet, and this device's
// block of reserved codes. Kept in IndexedDB; shared by the pages and the service worker (a classic
// script: the worker loads it with importScripts, the pages with a <script> tag).
//
// An entry leaves the outbox only when the server has answered that it holds the item (201, or 200
// for a replay: the server is idempotent on client_uuid). A refusal keeps the entry, with the
// server's reason, until the volunteer fixes and resends it or discards it.
"use strict";

(function (scope) {
  const NAME = "intake";
  const STORES = ["outbox", "codes", "meta"];
  let sending = null;

  function open() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, 1);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore("outbox", { keyPath: "client_uuid" });
        db.createObjectStore("codes", { keyPath: "code" });
        db.createObjectStore("meta");
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  function done(request) {
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function withStore(store, mode, work) {
    const db = await open();
    try {
      const transaction = db.transaction(store, mode);
      const finished = new Promise((resolve, reject) => {
        transaction.oncomplete = resolve;
        transaction.onerror = () => reject(transaction.error);
        transaction.onabort = () => reject(transaction.error);
      });
      const result = await work(transaction.objectStore(store));
      await finished;
      return result;
    } finally {
      db.close();
    }
  }

  function changed() {
    // Tell every open page of the app (and the worker) that the outbox changed.
    if ("BroadcastChannel" in scope) new BroadcastChannel("intake-outbox").postMessage("changed");
  }

  function newUuid() {
    if (scope.crypto && typeof scope.crypto.randomUUID === "function") return scope.crypto.randomUUID();
    const bytes = scope.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  async function entries() {
    const all = await withStore("outbox", "readonly", (store) => done(store.getAll()));
    return all.sort((a, b) => a.created_at.localeCompare(b.created_at));
  }

  async function put(entry) {
    await withStore("outbox", "readwrite", (store) => done(store.put(entry)));
    changed();
  }

  async function remove(clientUuid) {
    await withStore("outbox", "readwrite", (store) => done(store.delete(clientUuid)));
    changed();
  }

  async function takeCode() {
    return withStore("codes", "readwrite", async (store) => {
      const cursor = await done(store.openCursor());
      if (!cursor) return null;
      const code = cursor.value.code;
      await done(store.delete(code));
      return code;
    });
  }

  async function codesLeft() {
    return withStore("codes", "readonly", (store) => done(store.count()));
  }

  async function addCodes(codes) {
    await withStore("codes", "readwrite", async (store) => {
      for (const code of codes) await done(store.put({ code }));
    });
  }

  async function remember(key, value) {
    await withStore("meta", "readwrite", (store) => done(store.put(value, key)));
  }

  async function recall(key) {
    return withStore("meta", "readonly", (store) => done(store.get(key)));
  }

  function reasonOf(status, body) {
    // The server's own words (French by default); field errors first.
    const fields = body && body.errors && body.errors.json;
    if (fields) return Object.values(fields).flat().join(" ");
    return (body && body.message) || `HTTP ${status}`;
  }

  async function post(url, body, headers, token) {
    try {
      return await fetch(url, {
        method: "POST", credentials: "same-origin", body, headers: { ...headers, "X-CSRFToken": token || "" },
      });
    } catch (networkFailure) {
      return null;
    }
  }

  async function sendOne(entry, token) {
    if (entry.state !== "photo") {
      // Many identical items are one entry and one request (all or nothing, idempotent as one item is).
      const url = entry.item.quantity > 1 ? "/api/v1/items/batch" : "/api/v1/items";
      const response = await post(url, JSON.stringify(entry.item), { "Content-Type": "application/json" }, token);
      if (!response) return "offline";
      if (response.status === 200 || response.status === 201) {
        if (!entry.photo) {
          await remove(entry.client_uuid);
          return "sent";
        }
        // The item is on the server (the first of many holds the photo); its photo follows (and is sent
        // again if this part fails).
        const saved = await response.json();
        entry = { ...entry, state: "photo", saved_as: saved.items ? saved.items[0].code : saved.code };
        await put(entry);
      } else {
        // Only the item itself can be refused (409, 422); anything else (signed out, an expired form
        // token, a server error) is not the entry's fault: it stays waiting, unchanged.
        if (response.status !== 409 && response.status !== 422) return "stop";
        const body = await response.json().catch(() => null);
        await put({ ...entry, state: "rejected", reason: reasonOf(response.status, body) });
        return "rejected";
      }
    }
    const form = new FormData();
    form.append("photo", entry.photo, "photo");
    const response = await post(`/i/${encodeURIComponent(entry.saved_as)}/photo`, form, { "X-Intake-Submit": "1" },
                                token);
    if (!response) return "offline";
    if (response.ok) {
      await remove(entry.client_uuid);
      return "sent";
    }
    // Refused (422: not a photo we take; 413: over the upload limit): the item stays saved, the entry
    // says why, and the item's page takes another photo.
    if (response.status !== 422 && response.status !== 413) return "stop";
    const body = await response.json().catch(() => null);
    await put({ ...entry, state: "rejected", reason: reasonOf(response.status, body) });
    return "rejected";
  }

  async function sendAll() {
    const token = await recall("csrf");
    const result = { sent: 0, rejected: 0 };
    for (const entry of await entries()) {
      if (entry.state === "rejected") continue;
      const outcome = await sendOne(entry, token);
      if (outcome === "offline" || outcome === "stop") break;
      result[outcome] += 1;
    }
    return result;
  }

  // One sending at a time per page or worker: start, online, visibility and the button may coincide.
  function send() {
    if (!sending) sending = sendAll().finally(() => { sending = null; });
    return sending;
  }

  async function forget() {
    const db = await open();
    const transaction = db.transaction(STORES, "readwrite");
    for (const store of STORES) transaction.objectStore(store).clear();
    await new Promise((resolve, reject) => {
      transaction.oncomplete = resolve;
      transaction.onerror = () => reject(transaction.error);
    });
    db.close();
    changed();
  }

  scope.IntakeOutbox = { entries, put, remove, takeCode, codesLeft, addCodes, remember, recall, send, forget, newUuid };
})(self);
