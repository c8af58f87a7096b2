// Intake: fill the pre-printed sticker's code by filming it, rather than typing it.
import { codeFrom, startCamera } from "./camera.js";

const box = document.querySelector(".sticker-scan");
const field = document.querySelector("input[name=code]");
const dialog = document.getElementById("sticker-dialog");
const video = dialog?.querySelector("video");
const message = dialog?.querySelector(".scan-message");
let engine = null;

function close() {
  engine?.stop();
  engine = null;
  if (dialog.open) dialog.close();
}

if (box && field && navigator.mediaDevices?.getUserMedia && typeof dialog.showModal === "function") {
  box.hidden = false;
  document.getElementById("scan-sticker").addEventListener("click", async () => {
    message.textContent = "";
    message.classList.remove("error");
    dialog.showModal();
    try {
      engine = await startCamera(video, box.dataset.vendor, (text) => {
        const code = codeFrom(text, box.dataset.baseUrl);
        if (!code) {
          message.textContent = box.dataset.msgForeign;
          message.classList.add("error");
          return;
        }
        field.value = code;
        field.dispatchEvent(new Event("input", { bubbles: true }));
        if (navigator.vibrate) navigator.vibrate(60);
        close();
      });
    } catch (noCamera) {
      message.textContent = box.dataset.msgNocamera;
      message.classList.add("error");
    }
  });
  document.getElementById("sticker-close").addEventListener("click", close);
  dialog.addEventListener("close", close);
  window.addEventListener("pagehide", close);
}
