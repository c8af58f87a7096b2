// On every page of a signed-in team member: the service worker, sending the outbox whenever the
// network may be back, and signing out without leaving anything on the phone.
const outbox = self.IntakeOutbox;

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  // Signed in: the worker keeps what intake needs with no network (once per sign-in).
  navigator.serviceWorker.ready.then((registration) => registration.active?.postMessage("signed-in"));
}

// The worker deletes its cache once any preparation under way has ended, and says so (or 5 s pass).
function workerForgets() {
  const worker = navigator.serviceWorker?.controller;
  if (!worker) return Promise.resolve();
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = resolve;
    worker.postMessage("forget", [channel.port2]);
    setTimeout(resolve, 5000);
  });
}

// The session's CSRF token, for sending the outbox (also from the worker, by Background Sync).
const token = document.querySelector("input[name=csrf_token]")?.value;
if (token) outbox.remember("csrf", token);

async function sendOutbox() {
  if (navigator.onLine === false) return;
  await outbox.send();
}
sendOutbox();
window.addEventListener("online", sendOutbox);
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") sendOutbox();
});

const signOut = document.querySelector("form.sign-out");
signOut?.addEventListener("submit", async (event) => {
  if (signOut.dataset.cleared) return;
  event.preventDefault();
  const waiting = (await outbox.entries()).length;
  if (waiting && !window.confirm(signOut.dataset.warning.replace("%(count)s", waiting))) return;
  await outbox.forget();
  await workerForgets();
  if ("caches" in window) {
    for (const name of await caches.keys()) if (name.startsWith("intake-")) await caches.delete(name);
  }
  signOut.dataset.cleared = "1";
  signOut.submit();
});
