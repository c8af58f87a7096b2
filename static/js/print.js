// The print page's button; the dialog must be asked for by a tap on phones.
document.getElementById("print")?.addEventListener("click", () => window.print());

// On screen, shrink the sheets to the window's width for a preview; printing is unaffected
// (the print stylesheet and @page size are in mm, and zoom is reset before the dialog opens).
function fitSheets() {
  for (const sheet of document.querySelectorAll(".sheet")) {
    sheet.style.zoom = "";
    const ratio = Math.min(1, (document.documentElement.clientWidth - 8) / sheet.offsetWidth);
    sheet.style.zoom = String(ratio);
  }
}
window.addEventListener("resize", fitSheets);
window.addEventListener("beforeprint", () => document.querySelectorAll(".sheet").forEach((s) => { s.style.zoom = ""; }));
window.addEventListener("afterprint", fitSheets);
fitSheets();
