// Reading QR codes with the phone's camera: the native BarcodeDetector where the browser has one,
// qr-scanner (npm, pinned, loaded only when needed) elsewhere, as on iOS Safari. Used by the scan
// page and by the intake page (pre-printed stickers).
const CODE = /^[2-9A-HJ-NP-Z]{6}$/i;

// The code of one of our item URLs, or null: another site's QR code is never followed.
export function codeFrom(text, baseUrl) {
  const prefix = `${baseUrl}/i/`;
  const value = String(text || "").trim();
  if (!value.toLowerCase().startsWith(prefix.toLowerCase())) return null;
  const code = value.slice(prefix.length).split(/[?#/]/)[0];
  return CODE.test(code) ? code.toUpperCase() : null;
}

// A code typed by hand ("k7m 2qx", or a pasted item URL), or null when it cannot be one.
export function typedCode(text, baseUrl) {
  const code = String(text || "").replace(/[\s\-_.]/g, "").toUpperCase();
  return codeFrom(text, baseUrl) || (CODE.test(code) ? code : null);
}

async function nativeDetector() {
  if (!("BarcodeDetector" in window)) return null;
  const formats = await window.BarcodeDetector.getSupportedFormats().catch(() => []);
  return formats.includes("qr_code") ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
}

async function loadQrScanner(vendor) {
  const module = await import(vendor);
  return module.default;
}

async function startNative(video, detector, onText) {
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

async function startQrScanner(video, vendor, onText) {
  const QrScanner = await loadQrScanner(vendor);
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

// Film with the camera into `video`, calling onText with each QR code's text. Rejects without a camera.
export async function startCamera(video, vendor, onText) {
  const detector = await nativeDetector();
  return detector ? startNative(video, detector, onText) : startQrScanner(video, vendor, onText);
}

// A photo of a label, decoded in the page; rejects when it holds no QR code.
export async function decodePhoto(file, vendor) {
  const detector = await nativeDetector();
  if (detector) {
    const found = await detector.detect(await createImageBitmap(file));
    if (!found.length) throw new Error("no QR code");
    return found[0].rawValue;
  }
  const QrScanner = await loadQrScanner(vendor);
  return (await QrScanner.scanImage(file, { returnDetailedScanResult: true })).data;
}
