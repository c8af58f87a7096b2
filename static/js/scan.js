// Scanning labels: the native BarcodeDetector where the browser has one, qr-scanner elsewhere
// (iOS Safari has none). Only our own item URLs are followed; anything else is refused.

const root = document.getElementById("scanner");
const video = root.querySelector("video");
const message = root.querySelector(".scan-message");
const picker = root.querySelector(".camera-picker");
const torch = root.querySelector(".torch");
const photoInput = root.querySelector(".photo-scan input");
const many = root.dataset.many === "true";
const prefix = `${root.dataset.baseUrl}/i/`;
const CODE = /^[2-9A-HJ-NP-Z]{6}$/i;

let engine = null; // { stop(), setCamera(id), toggleTorch(), hasTorch() }
let opening = false;

function say(text, isError = false) {
  message.textContent = text;
  message.classList.toggle("error", isError);
}

// The code of one of our item URLs, or null: another site's QR code is never followed.
export function codeFrom(text) {
  const value = String(text || "").trim();
  if (!value.toLowerCase().startsWith(prefix.toLowerCase())) return null;
  const code = value.slice(prefix.length).split(/[?#/]/)[0];
  return CODE.test(code) ? code.toUpperCase() : null;
}

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

async function nativeDetector() {
  if (!("BarcodeDetector" in window)) return null;
  const formats = await window.BarcodeDetector.getSupportedFormats().catch(() => []);
  return formats.includes("qr_code") ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
}

async function loadQrScanner() {
  const module = await import(root.dataset.vendor);
  return module.default;
}

async function startNative(detector) {
  let stream = null;
  let timer = null;
  const open = async (deviceId) => {
    stream?.getTracks().forEach((t) => t.stop());
    stream = await navigator.mediaDevices.getUserMedia({
      video: deviceId ? { deviceId: { exact: deviceId } } : { facingMode: "environment" },
      audio: false,
    });
    video.srcObject = stream;
    await video.play();
  };
  await open(null);
  const tick = async () => {
    try {
      const found = await detector.detect(video);
      if (found.length) onText(found[0].rawValue);
    } catch (_) { /* a frame that is not ready yet */ }
    timer = setTimeout(tick, 200);
  };
  tick();
  const track = () => stream?.getVideoTracks()[0];
  return {
    stop: () => { clearTimeout(timer); stream?.getTracks().forEach((t) => t.stop()); },
    setCamera: (id) => open(id),
    hasTorch: async () => Boolean(track()?.getCapabilities?.().torch),
    toggleTorch: async () => {
      const on = !track().getSettings().torch;
      await track().applyConstraints({ advanced: [{ torch: on }] });
    },
    cameras: async () => (await navigator.mediaDevices.enumerateDevices())
      .filter((d) => d.kind === "videoinput").map((d) => ({ id: d.deviceId, label: d.label })),
  };
}

async function startQrScanner() {
  const QrScanner = await loadQrScanner();
  const scanner = new QrScanner(video, (result) => onText(result.data), {
    returnDetailedScanResult: true,
    preferredCamera: "environment",
    maxScansPerSecond: 8,
    // The whole picture, not only its centre: on a label the QR code sits at one end.
    calculateScanRegion: (v) => {
      const scale = Math.min(1, 800 / Math.max(v.videoWidth, v.videoHeight));
      return {
        x: 0, y: 0, width: v.videoWidth, height: v.videoHeight,
        downScaledWidth: Math.round(v.videoWidth * scale), downScaledHeight: Math.round(v.videoHeight * scale),
      };
    },
  });
  await scanner.start();
  return {
    stop: () => scanner.stop(),
    setCamera: (id) => scanner.setCamera(id),
    hasTorch: () => scanner.hasFlash(),
    toggleTorch: () => scanner.toggleFlash(),
    cameras: async () => QrScanner.listCameras(true),
  };
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
    const detector = await nativeDetector();
    engine = detector ? await startNative(detector) : await startQrScanner();
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
    const detector = await nativeDetector();
    if (detector) {
      const found = await detector.detect(await createImageBitmap(file));
      if (!found.length) throw new Error("none");
      onText(found[0].rawValue);
    } else {
      const QrScanner = await loadQrScanner();
      const result = await QrScanner.scanImage(file, { returnDetailedScanResult: true });
      onText(result.data);
    }
  } catch (_) {
    say(root.dataset.msgNothing, true);
  }
  photoInput.value = "";
});

window.addEventListener("pagehide", () => engine?.stop());
start();
