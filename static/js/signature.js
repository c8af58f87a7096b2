// The handover form: the tenant signs on the phone with a finger; the drawing is sent as a PNG.
const form = document.getElementById("handover-form");
const canvas = document.getElementById("signature-pad");
const output = form?.querySelector("input[name=signature]");

if (form && canvas && output) {
  const pen = canvas.getContext("2d");
  let drawing = false;
  let drawn = false;

  const point = (event) => {
    const box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * (canvas.width / box.width), (event.clientY - box.top) * (canvas.height / box.height)];
  };
  canvas.addEventListener("pointerdown", (event) => {
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    pen.lineWidth = 4;
    pen.lineCap = "round";
    pen.lineJoin = "round";
    pen.strokeStyle = "#111";
    pen.beginPath();
    pen.moveTo(...point(event));
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    pen.lineTo(...point(event));
    pen.stroke();
    drawn = true;
  });
  const stop = () => { drawing = false; };
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);
  document.getElementById("signature-clear")?.addEventListener("click", () => {
    pen.clearRect(0, 0, canvas.width, canvas.height);
    drawn = false;
    output.value = "";
  });

  // Show the signature pad or the typed name, as chosen.
  const choose = () => {
    const chosen = form.querySelector("input[name=acceptance]:checked")?.value;
    for (const part of form.querySelectorAll("[data-when]")) part.hidden = part.dataset.when !== chosen;
  };
  form.addEventListener("change", choose);
  choose();

  form.addEventListener("submit", () => {
    const chosen = form.querySelector("input[name=acceptance]:checked")?.value;
    output.value = chosen === "signature" && drawn ? canvas.toDataURL("image/png") : "";
  });
}
