/* Prima pages: small progressive enhancements; every page works without this file. */
"use strict";
document.addEventListener("submit", function (event) {
  // <button data-confirm="..."> asks before an action that cannot be undone.
  var button = event.submitter;
  var question = button && button.getAttribute("data-confirm");
  if (question && !window.confirm(question)) { event.preventDefault(); }
});
