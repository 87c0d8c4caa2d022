/* A job's progress bar that moves by itself: polls the JSON beside the page every second and
   reloads the page when the job is over (the server then shows the outcome). Without this
   file the page has a "Perbarui" link. */
"use strict";
(function () {
  var box = document.querySelector("[data-progress]");
  if (!box || box.hasAttribute("data-finished")) { return; }
  var url = box.getAttribute("data-progress");
  var bar = box.querySelector("[data-progress-bar]");
  var fill = bar && bar.querySelector("span");
  var text = box.querySelector("[data-progress-text]");
  function show(p) {
    if (fill) { fill.className = p.width; }
    if (bar) { bar.setAttribute("aria-valuenow", String(p.percent)); }
    if (text) { text.textContent = p.done + " dari " + p.total + " sertifikat (" + p.percent + "%)"; }
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) {
        if (!p) { return; }
        show(p);
        if (p.finished) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
