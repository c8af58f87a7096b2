// Intake page: on-screen weight keypad, tare, photo preview, one submission at a time.
// The page works without this script; it only makes the phone flow faster.

const form = document.getElementById("intake-form");
const weight = form.querySelector(".weight-input");
const keypad = form.querySelector(".keypad");
const net = form.querySelector(".net");
const locale = document.documentElement.lang || "fr";
const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 3 });

function parseWeight(text) {
  const value = Number.parseFloat(String(text).replace(/\s/g, "").replace(",", "."));
  return Number.isFinite(value) ? value : null;
}

function selectedTare() {
  const chosen = form.querySelector("input[name=container_id]:checked");
  return chosen ? parseWeight(chosen.dataset.tare) || 0 : 0;
}

function showNet() {
  if (!net) return;
  const gross = parseWeight(weight.value);
  const tare = selectedTare();
  if (gross === null || tare === 0) {
    net.hidden = true;
    return;
  }
  net.hidden = false;
  net.textContent = `${net.dataset.label} ${number.format(Math.max(gross - tare, 0))} kg`;
}

if (keypad) {
  keypad.hidden = false;
  // The on-screen keypad replaces the phone keyboard, which would cover the form.
  weight.setAttribute("inputmode", "none");
  const decimalSign = number.format(1.5).charAt(1);
  keypad.querySelector('[data-key=","]').textContent = decimalSign;
  keypad.addEventListener("click", (event) => {
    const key = event.target.closest("button")?.dataset.key;
    if (!key) return;
    if (key === "⌫") {
      weight.value = weight.value.slice(0, -1);
    } else if (key === ",") {
      if (!/[.,]/.test(weight.value)) weight.value = (weight.value || "0") + decimalSign;
    } else if (weight.value.replace(/\D/g, "").length < 7) {
      weight.value = weight.value === "0" ? key : weight.value + key;
    }
    showNet();
  });
}

weight.addEventListener("input", showNet);
form.addEventListener("change", (event) => {
  if (event.target.name === "container_id") showNet();
  if (event.target.name === "category_id" && event.target.dataset.defaultWeight) {
    // A hint, not a value: weights are measured, never assumed.
    const typical = parseWeight(event.target.dataset.defaultWeight);
    weight.placeholder = typical === null ? "0" : `≈ ${number.format(typical)}`;
  }
});

const photoInput = form.querySelector("input[type=file]");
const preview = form.querySelector(".photo-preview");
photoInput?.addEventListener("change", () => {
  const file = photoInput.files[0];
  if (preview.src) URL.revokeObjectURL(preview.src);
  if (!file) {
    preview.hidden = true;
    return;
  }
  preview.src = URL.createObjectURL(file);
  preview.hidden = false;
});

// A weight far from what the category usually weighs (a slip of the comma) is asked again before
// it is saved or kept on the phone; the server asks the same when this script is not there.
const confirmBox = form.querySelector(".weight-confirm");
const confirmed = form.elements.namedItem("weight_confirmed");

// Many identical items: how many, and whether the weight typed is each one's or the total.
const quantityInput = form.elements.namedItem("quantity");
const weightPer = form.querySelector(".weight-per");
const saveButton = document.getElementById("save");
const saveLabel = saveButton.textContent;

function quantity() {
  const count = Number.parseInt(quantityInput?.value || "1", 10);
  return Number.isFinite(count) && count > 0 ? count : 1;
}

function showQuantity() {
  const many = quantity() > 1;
  weightPer.hidden = !many;
  saveButton.textContent = many ? saveButton.dataset.many.replace("%(count)s", String(quantity())) : saveLabel;
}

quantityInput?.addEventListener("input", showQuantity);

function eachWeight(netTotal) {
  const total = form.querySelector("input[name=weight_per]:checked")?.value === "total";
  return total ? netTotal / quantity() : netTotal;
}

function implausibleWeight() {
  const tile = form.querySelector("input[name=category_id]:checked");
  const gross = parseWeight(weight.value);
  if (!tile || gross === null || confirmed.checked) return null;
  const netWeight = Math.round(eachWeight(gross - selectedTare()) * 1000) / 1000;
  const low = parseWeight(tile.dataset.minWeight ?? "");
  const high = parseWeight(tile.dataset.maxWeight ?? "");
  if ((low !== null && netWeight < low) || (high !== null && netWeight > high)) {
    const name = tile.closest("label").querySelector(".tile-name").textContent.trim();
    return confirmBox.dataset.question.replace("%(weight)s", `${number.format(netWeight)} kg`).replace("%(category)s", name);
  }
  return null;
}

function askWeight(question) {
  confirmBox.querySelector(".weight-question").textContent = question;
  confirmBox.hidden = false;
  confirmBox.scrollIntoView({ block: "center", behavior: "smooth" });
}

// Changing the weight or the category asks again.
form.addEventListener("input", (event) => {
  if (event.target === weight) confirmed.checked = false;
});
form.addEventListener("change", (event) => {
  if (event.target.name === "category_id" || event.target.name === "container_id") confirmed.checked = false;
});
document.getElementById("confirm-weight")?.addEventListener("click", () => {
  confirmed.checked = true;
  confirmBox.hidden = true;
  form.requestSubmit();
});

// A large number is confirmed before anything is sent or kept (the server asks the same).
const quantityConfirm = form.querySelector(".quantity-confirm");

function largeNumberRefused() {
  const confirmedNumber = form.elements.namedItem("quantity_confirmed");
  if (quantity() <= Number(quantityConfirm.dataset.askAbove) || confirmedNumber.checked) return false;
  if (!window.confirm(quantityConfirm.dataset.question.replaceAll("%(count)s", String(quantity())))) return true;
  confirmedNumber.checked = true;
  return false;
}

quantityInput?.addEventListener("input", () => { form.elements.namedItem("quantity_confirmed").checked = false; });

form.addEventListener("submit", (event) => {
  const question = implausibleWeight();
  if (question || largeNumberRefused()) {
    // Before the outbox's handler: nothing is sent or kept until the person says.
    event.preventDefault();
    event.stopImmediatePropagation();
    if (question) askWeight(question);
    return;
  }
  // The client_uuid makes a second submission harmless; this just avoids the wait.
  const save = document.getElementById("save");
  save.disabled = true;
  save.setAttribute("aria-busy", "true");
});

showNet();
showQuantity();

// Coming back with the browser's back button must not leave the button dead.
window.addEventListener("pageshow", () => {
  document.getElementById("save").disabled = false;
});
