/* Prima pages: small progressive enhancements; every page works without this file. */
"use strict";
document.addEventListener("submit", function (event) {
  // <button data-confirm="..."> asks before an action that cannot be undone.
  var button = event.submitter;
  var question = button && button.getAttribute("data-confirm");
  if (question && !window.confirm(question)) { event.preventDefault(); }
});
document.addEventListener("click", function (event) {
  // <button data-reveal="id"> shows or hides the password typed in the input with that id.
  var button = event.target.closest("[data-reveal]");
  if (!button) { return; }
  var input = document.getElementById(button.getAttribute("data-reveal"));
  if (!input) { return; }
  var shown = input.type === "text";
  input.type = shown ? "password" : "text";
  button.setAttribute("aria-pressed", shown ? "false" : "true");
  button.textContent = shown ? "Tampilkan" : "Sembunyikan";
});
