import { shrinkWhenChosen } from "./photo-shrink.js";

// The item page: a photo chosen for an item already logged is sent at once, shrunk on the phone first.
for (const input of document.querySelectorAll("input[data-submit-on-change]")) {
  const shrunk = shrinkWhenChosen(input, Number(input.dataset.maxPixels));
  input.addEventListener("change", async () => {
    await shrunk();
    if (input.files.length) input.form.requestSubmit();
  });
}

// "Undo" after an intake counts down and goes away: after that, the server refuses it anyway.
const undo = document.querySelector("form.undo[data-seconds]");
if (undo) {
  let left = Number(undo.dataset.seconds);
  const shown = undo.querySelector(".undo-seconds");
  const timer = setInterval(() => {
    left -= 1;
    if (left <= 0) {
      clearInterval(timer);
      undo.hidden = true;
    } else {
      shown.textContent = `(${left} s)`;
    }
  }, 1000);
}
