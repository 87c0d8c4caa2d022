/* The projector page (/latih/sesi/{id}/proyektor): counts down to the next check-in code and
   then fetches the page again and swaps the code, the QR code and the count in place. Without
   this file the page refreshes itself (a <noscript> meta refresh) or by its "Perbarui" link. */
"use strict";
(function () {
  var box = document.querySelector("[data-projector]");
  if (!box) { return; }
  var deadline = 0;
  var timer = null;

  function start(el) {
    var seconds = parseInt(el.getAttribute("data-remaining"), 10) || 30;
    deadline = Date.now() + seconds * 1000;
  }

  function show() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    var out = box.querySelector("[data-countdown]");
    if (out) { out.textContent = " (" + left + " detik lagi)"; }
    if (left <= 0) { refresh(); return; }
    timer = window.setTimeout(show, 1000);
  }

  function refresh() {
    window.clearTimeout(timer);
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-projector]");
        if (!fresh) { window.location.reload(); return; }
        box.replaceWith(fresh);
        box = fresh;
        start(box);
        show();
      })
      .catch(function () {
        deadline = Date.now() + 5000;  // offline for a moment: try again shortly
        timer = window.setTimeout(show, 1000);
      });
  }

  start(box);
  show();
})();
