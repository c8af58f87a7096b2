// Intake without network: an item saved while offline, or whose sending fails, goes to the outbox
// (IndexedDB) with its client UUID and a code from this device's reserved block; the outbox is
// listed on the page and sent as soon as the network is back. Nothing is dropped silently.
import { shrinkWhenChosen } from "./photo-shrink.js";

const outbox = self.IntakeOutbox;
const form = document.getElementById("intake-form");
const panel = document.getElementById("outbox");
const list = panel.querySelector(".outbox-list");
const queued = document.getElementById("queued");
const csrf = form.querySelector("input[name=csrf_token]").value;
const CODE_BLOCK = 10;
const photoInput = form.elements.namedItem("photo");
const photoShrunk = shrinkWhenChosen(photoInput, Number(form.dataset.photoMaxPixels));
photoInput?.addEventListener("change", () => form.querySelector(".photo-refused")?.remove());

// A page kept by the service worker is the same each time it opens, and its UUID may belong to an item
// already logged from it: each opening of the page is a new item.
form.elements.namedItem("client_uuid").value = outbox.newUuid();

// The source chosen at the setup step with no network (the page kept for the point shows the usual one).
const chosenSource = new URLSearchParams(window.location.search).get("source");
const sourceField = form.elements.namedItem("source_id");
const chosenOption = [...sourceField.options].find((option) => option.value === chosenSource);
if (chosenOption) {
  sourceField.value = chosenSource;
  const shown = form.querySelector(".context .muted");
  if (shown) shown.textContent = `· ${chosenOption.text}`;
}

function value(name) {
  const field = form.elements.namedItem(name);
  const text = field && "value" in field ? String(field.value).trim() : "";
  return text === "" ? null : text;
}

function checkedLabel(name) {
  return form.querySelector(`input[name=${name}]:checked`)?.closest("label")?.textContent.trim().replace(/\s+/g, " ");
}

// What the API takes (POST /api/v1/items), from the form as the volunteer filled it.
function itemFromForm(code) {
  const number = (name) => (value(name) === null ? null : Number(value(name)));
  return {
    client_uuid: value("client_uuid"),
    category_id: number("category_id"),
    weight_kg: (value("weight_kg") || "").replace(/\s/g, "").replace(",", "."),
    container_id: number("container_id") || null,
    grade: value("grade"),
    collection_point_id: Number(form.dataset.pointId),
    source_id: number("source_id") || null,
    brand: value("brand"),
    model: value("model"),
    serial_number: value("serial_number"),
    description: value("description"),
    code,
    weight_confirmed: Boolean(form.elements.namedItem("weight_confirmed")?.checked),
    ...many(),
  };
}

// Many identical items: one entry, sent once to /api/v1/items/batch (the server draws their codes).
function many() {
  const quantity = Number.parseInt(value("quantity") || "1", 10);
  if (!(quantity > 1)) return {};
  return {
    quantity,
    weight_per: form.querySelector("input[name=weight_per]:checked")?.value || "item",
    quantity_confirmed: Boolean(form.elements.namedItem("quantity_confirmed")?.checked),
  };
}

function problem() {
  if (!form.reportValidity()) return true;
  const weight = Number((value("weight_kg") || "").replace(",", "."));
  if (!(weight > 0)) {
    const field = form.elements.namedItem("weight_kg");
    field.setCustomValidity(form.dataset.weightMissing);
    field.reportValidity();
    field.addEventListener("input", () => field.setCustomValidity(""), { once: true });
    return true;
  }
  return false;
}

async function keep() {
  const quantity = many().quantity || 1;
  // This phone's reserved codes go one per item logged alone; many items get theirs when sent.
  const code = value("code") || (quantity > 1 ? null : await outbox.takeCode());
  await outbox.put({
    client_uuid: value("client_uuid"),
    created_at: new Date().toISOString(),
    state: "pending",
    reason: null,
    item: itemFromForm(code),
    // A photo stays on the phone with its item, and is sent once the item is on the server.
    photo: form.elements.namedItem("photo")?.files?.[0] || null,
    shown: {
      category: checkedLabel("category_id") || "", weight: value("weight_kg"), grade: value("grade"), quantity,
      unit: quantity > 1 ? checkedLabel("weight_per") : "kg", // "kg chacun", "kg au total"
    },
  });
  if (quantity > 1) queued.textContent = queued.dataset.many.replace("%(count)s", String(quantity));
  else queued.textContent = code ? queued.dataset.withCode.replace("%(code)s", code) : queued.dataset.withoutCode;
  queued.hidden = false;
  nextItem();
  registerSync();
}

// Ready for the next item: a new UUID, the same source; the rest cleared.
function nextItem() {
  const source = value("source_id");
  form.reset();
  form.elements.namedItem("source_id").value = source ?? "0";
  form.elements.namedItem("client_uuid").value = outbox.newUuid();
  delete form.dataset.fixing;
  form.querySelector(".photo-preview")?.setAttribute("hidden", "");
  form.elements.namedItem("quantity")?.dispatchEvent(new Event("input", { bubbles: true }));
  ready(document.getElementById("save"));
  window.scrollTo({ top: 0, behavior: "smooth" });
}

function ready(save) {
  save.disabled = false;
  save.removeAttribute("aria-busy");
}

async function registerSync() {
  const registration = await navigator.serviceWorker?.ready;
  await registration?.sync?.register("outbox").catch(() => {});
}

form.addEventListener("submit", async (event) => {
  if (form.dataset.native) return; // the server shows its own answer (validation errors)
  event.preventDefault();
  const save = document.getElementById("save");
  await photoShrunk(); // sent, or kept offline, as the small copy
  // Online, the server checks the form and explains; kept on the phone, the page checks it first.
  const keepIfValid = async () => (problem() ? ready(save) : keep());
  if (navigator.onLine === false) {
    await keepIfValid();
    return;
  }
  let response;
  try {
    response = await fetch(form.action || window.location.href, {
      method: "POST", body: new FormData(form), credentials: "same-origin", headers: { "X-Intake-Submit": "1" },
    });
  } catch (networkFailure) {
    await keepIfValid();
    return;
  }
  if (response.status === 413) {
    // Too large even so (a browser that cannot shrink it): the form stays as typed, without the photo.
    photoRefused((await response.json().catch(() => null))?.message);
    ready(save);
    return;
  }
  const saved = response.ok && response.headers.get("Content-Type")?.startsWith("application/json");
  if (saved) {
    if (form.dataset.fixing) await outbox.remove(form.dataset.fixing);
    window.location.assign((await response.json()).location);
  } else {
    // Not saved (an error to correct): the browser sends the form itself and shows the server's page.
    form.dataset.native = "1";
    form.submit();
  }
});

function photoRefused(message) {
  photoInput.value = "";
  form.querySelector(".photo-preview")?.setAttribute("hidden", "");
  let shown = form.querySelector(".photo-refused");
  if (!shown) {
    shown = document.createElement("p");
    shown.className = "error photo-refused";
    shown.setAttribute("role", "alert");
    form.querySelector(".photo-button").after(shown);
  }
  shown.textContent = message || "HTTP 413";
  shown.scrollIntoView({ behavior: "smooth", block: "center" });
}

// The outbox on the page ---------------------------------------------------------------------------

function entryLine(entry) {
  const line = document.createElement("li");
  line.className = `outbox-entry ${entry.state}`;
  const what = document.createElement("p");
  const code = document.createElement("strong");
  code.className = "code small";
  code.textContent = entry.item.code || panel.dataset.noCode;
  const count = entry.shown.quantity > 1 ? `${entry.shown.quantity} × ` : "";
  what.append(code, ` · ${count}${entry.shown.category} · ${entry.shown.weight} ${entry.shown.unit || "kg"} · `,
    entry.state === "rejected" ? panel.dataset.rejected : panel.dataset.pending, entry.photo ? " · 📷" : "");
  line.append(what);
  if (entry.state === "rejected") {
    const reason = document.createElement("p");
    reason.className = "error";
    reason.textContent = entry.reason;
    let fix;
    if (entry.saved_as) {
      // The item is saved; only its photo was refused: the item's page takes another one.
      fix = document.createElement("a");
      fix.className = "button";
      fix.href = `/i/${encodeURIComponent(entry.saved_as)}`;
      fix.textContent = panel.dataset.open;
    } else {
      fix = document.createElement("button");
      fix.type = "button";
      fix.textContent = panel.dataset.fix;
      fix.addEventListener("click", () => fill(entry));
    }
    const discard = document.createElement("button");
    discard.type = "button";
    discard.className = "link";
    discard.textContent = panel.dataset.discard;
    discard.addEventListener("click", async () => {
      if (window.confirm(panel.dataset.discardConfirm)) await outbox.remove(entry.client_uuid);
    });
    line.append(reason, fix, " ", discard);
  }
  return line;
}

// Put a refused entry back in the form, to correct and save again (with the same UUID: it never
// reached the server).
function fill(entry) {
  const item = entry.item;
  const check = (name, wanted) => {
    const input = form.querySelector(`input[name=${name}][value="${CSS.escape(String(wanted ?? 0))}"]`);
    if (input) input.checked = true;
  };
  check("category_id", item.category_id);
  check("grade", item.grade);
  check("container_id", item.container_id);
  form.elements.namedItem("weight_kg").value = entry.shown.weight || "";
  for (const name of ["brand", "model", "serial_number", "description", "code"]) {
    form.elements.namedItem(name).value = item[name] || "";
  }
  form.elements.namedItem("source_id").value = String(item.source_id || 0);
  form.elements.namedItem("quantity").value = String(item.quantity || 1);
  check("weight_per", item.weight_per || "item");
  form.elements.namedItem("quantity").dispatchEvent(new Event("input", { bubbles: true }));
  form.elements.namedItem("client_uuid").value = entry.client_uuid;
  form.dataset.fixing = entry.client_uuid;
  form.querySelector("details.details").open = true;
  form.scrollIntoView({ behavior: "smooth" });
}

async function show() {
  const entries = await outbox.entries();
  panel.hidden = entries.length === 0;
  panel.querySelector(".outbox-count").textContent = String(entries.length);
  panel.querySelector(".outbox-offline").hidden = navigator.onLine !== false;
  list.replaceChildren(...entries.map(entryLine));
}

async function sendNow() {
  await outbox.send();
  await show();
}

// This device's reserved codes, for items logged with no network.
async function refillCodes() {
  if (navigator.onLine === false || (await outbox.codesLeft()) >= CODE_BLOCK / 2) return;
  try {
    const response = await fetch("/api/v1/code-blocks", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ count: CODE_BLOCK }),
    });
    if (response.ok) await outbox.addCodes((await response.json()).codes);
  } catch (networkFailure) {
    // Next time.
  }
}

document.getElementById("send-now").addEventListener("click", sendNow);
window.addEventListener("online", () => { sendNow(); refillCodes(); });
window.addEventListener("offline", show);
if ("BroadcastChannel" in window) new BroadcastChannel("intake-outbox").onmessage = show;
navigator.serviceWorker?.addEventListener("message", show);
show();
sendNow();
refillCodes();
