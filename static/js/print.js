// The print page's button; the dialog must be asked for by a tap on phones.
document.getElementById("print")?.addEventListener("click", () => window.print());
