// Choosing today's collection point works with no network too: the phone then opens the intake page it
// keeps for that point (cached at sign-in), with the chosen source; items logged there wait in the
// outbox with that point. Online, the server keeps the choice for the session, as without this script.
const form = document.getElementById("setup-form");

function openKeptIntakePage() {
  const page = new URL(form.dataset.intake, window.location.href);
  page.searchParams.set("point", form.elements.namedItem("collection_point_id").value);
  page.searchParams.set("source", form.elements.namedItem("source_id").value);
  window.location.assign(page);
}

form.addEventListener("submit", async (event) => {
  if (form.dataset.native) return;
  event.preventDefault();
  if (navigator.onLine === false) {
    openKeptIntakePage();
    return;
  }
  let response;
  try {
    response = await fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin", redirect: "manual",
    });
  } catch (networkFailure) {
    openKeptIntakePage();
    return;
  }
  if (response.type === "opaqueredirect") {
    window.location.assign(form.dataset.intake); // chosen: on to today's intake
  } else {
    form.dataset.native = "1"; // the server has something to say: let it show its page
    form.submit();
  }
});
