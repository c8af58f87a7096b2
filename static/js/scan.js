// The scan page: open the item whose label the camera sees (or gather several, in "scan many"
// mode). Only our own item URLs are followed; anything else is refused.
import { codeFrom as ourCode, decodePhoto, startCamera, typedCode } from "./camera.js";

const root = document.getElementById("scanner");
const video = root.querySelector("video");
const message = root.querySelector(".scan-message");
const picker = root.querySelector(".camera-picker");
const torch = root.querySelector(".torch");
const photoInput = root.querySelector(".photo-scan input");
const many = root.dataset.many === "true";

let engine = null; // { stop(), setCamera(id), toggleTorch(), hasTorch() }
let opening = false;

function say(text, isError = false) {
  message.textContent = text;
  message.classList.toggle("error", isError);
}

const codeFrom = (text) => ourCode(text, root.dataset.baseUrl);

const scanned = new Map(); // code -> list item, in "scan many" mode

function renderScanned() {
  const form = document.querySelector("form.card");
  form.querySelector("input[name=codes]").value = [...scanned.keys()].join(" ");
  form.querySelector(".scanned-count").textContent = String(scanned.size);
}

function addScanned(code) {
  if (scanned.has(code)) return;
  const list = document.querySelector(".scanned");
  const row = document.createElement("li");
  const label = document.createElement("span");
  label.className = "code small";
  label.textContent = code;
  const remove = document.createElement("button");
  remove.type = "button";
  remove.textContent = root.dataset.msgRemove;
  remove.addEventListener("click", () => {
    scanned.delete(code);
    row.remove();
    renderScanned();
  });
  row.append(label, remove);
  list.prepend(row);
  scanned.set(code, row);
  renderScanned();
  if (navigator.vibrate) navigator.vibrate(60);
}

function onText(text) {
  const code = codeFrom(text);
  if (!code) {
    say(root.dataset.msgForeign, true);
    return;
  }
  if (many) {
    addScanned(code);
    say(`${root.dataset.msgAdded} ${code}`);
  } else if (!opening) {
    opening = true;
    engine?.stop();
    window.location.assign(`/i/${code}`);
  }
}

// A label the camera cannot read: its code typed, added with the button or the Enter key.
const typed = document.querySelector("input[name=typed]");
function addTyped() {
  const code = typedCode(typed.value, root.dataset.baseUrl);
  if (!code) {
    say(root.dataset.msgInvalid, true);
    return;
  }
  addScanned(code);
  say(`${root.dataset.msgAdded} ${code}`);
  typed.value = "";
  typed.focus();
}
if (many) {
  document.querySelector(".add-typed").addEventListener("click", addTyped);
  typed.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && typed.value.trim()) {
      event.preventDefault();
      addTyped();
    }
  });
}

async function fillPicker() {
  const cameras = await engine.cameras().catch(() => []);
  if (cameras.length < 2) return;
  picker.replaceChildren(...cameras.map((camera, index) => new Option(camera.label || `Camera ${index + 1}`, camera.id)));
  picker.hidden = false;
  picker.addEventListener("change", () => engine.setCamera(picker.value));
}

async function start() {
  try {
    engine = await startCamera(video, root.dataset.vendor, onText);
  } catch (error) {
    // No camera (or no permission): the black frame would only take the screen.
    root.querySelector(".scanner").hidden = true;
    say(root.dataset.msgNocamera, true);
    return;
  }
  fillPicker();
  if (await engine.hasTorch().catch(() => false)) {
    torch.hidden = false;
    torch.addEventListener("click", () => engine.toggleTorch());
  }
}

// Fallback: a photo of the label, decoded here in the page.
photoInput.addEventListener("change", async () => {
  const file = photoInput.files[0];
  if (!file) return;
  try {
    onText(await decodePhoto(file, root.dataset.vendor));
  } catch (_) {
    say(root.dataset.msgNothing, true);
  }
  photoInput.value = "";
});

window.addEventListener("pagehide", () => engine?.stop());
start();
