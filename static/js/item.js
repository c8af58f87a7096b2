// The item page: a photo chosen for an item already logged is sent at once.
for (const input of document.querySelectorAll("input[data-submit-on-change]")) {
  input.addEventListener("change", () => {
    if (input.files.length) input.form.requestSubmit();
  });
}
