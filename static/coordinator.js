// Long actions (import, bulk mail): say that the work is under way and prevent a second submit.
// Only an enhancement: without JavaScript the forms work the same.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var message = form.getAttribute("data-busy");
  if (!message) { return; }
  if (form.getAttribute("aria-busy") === "true") { event.preventDefault(); return; }
  form.setAttribute("aria-busy", "true");
  var status = form.querySelector(".busy-status");
  if (status) { status.textContent = message; status.hidden = false; }
  var buttons = form.querySelectorAll("button[type=submit]");
  // Disable after this tick, so the clicked button's name and value are still submitted.
  window.setTimeout(function () {
    for (var i = 0; i < buttons.length; i++) { buttons[i].disabled = true; }
  }, 0);
});
