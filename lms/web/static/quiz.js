/* The quiz page: autosave each answer as it is given, keep answers given offline in this
   browser and send them when the connection returns, and count down to the server's deadline.
   Without this file the form still saves and submits (buttons "Simpan jawaban", "Kumpulkan"). */
"use strict";
(function () {
  var form = document.getElementById("kuis");
  if (!form) { return; }
  var attempt = form.getAttribute("data-attempt");
  var base = form.getAttribute("data-autosave");
  var csrfField = form.querySelector("input[name=_csrf_token]");
  var csrf = csrfField ? csrfField.value : "";
  var storeKey = "prima-kuis-" + attempt;
  var netState = document.querySelector("[data-net-state]");
  var sending = false;
  var closed = false;
  var timers = {};

  function pending() {
    try { return JSON.parse(window.localStorage.getItem(storeKey) || "{}"); }
    catch (e) { return {}; }
  }
  function keep(queue) {
    try {
      if (Object.keys(queue).length) { window.localStorage.setItem(storeKey, JSON.stringify(queue)); }
      else { window.localStorage.removeItem(storeKey); }
    } catch (e) { /* storage full or disabled: the answer is still sent while online */ }
  }
  function stateOf(id) { return form.querySelector('[data-state-for="' + id + '"]'); }
  function setState(id, text, kind) {
    var el = stateOf(id);
    if (!el) { return; }
    el.textContent = text;
    el.className = "save-state " + kind;
  }
  /* "pukul 09.30 WIB": the time in the session's zone, as the server prints it. */
  var zone = form.getAttribute("data-tz");
  var zoneLabel = form.getAttribute("data-tz-label") || "";
  function clock(iso) {
    var d = new Date(iso);
    try {
      var hm = new Intl.DateTimeFormat("en-GB", {
        timeZone: zone || undefined, hour: "2-digit", minute: "2-digit", hour12: false
      }).format(d);
      return "pukul " + hm.replace(":", ".") + (zone ? " " + zoneLabel : "");
    } catch (e) {
      return "pukul " + d.toTimeString().slice(0, 5).replace(":", ".");
    }
  }
  function summary() {
    var waiting = Object.keys(pending()).length;
    var boxes = form.querySelectorAll("[data-question]");
    var answered = 0, total = 0;
    Array.prototype.forEach.call(boxes, function (box) {
      if (box.getAttribute("data-type") === "description") { return; }
      total += 1;
      if (answerOf(box)) { answered += 1; }
    });
    var text = answered + " dari " + total + " soal terjawab. ";
    if (closed) { text += "Waktu habis."; }
    else if (waiting) { text += "Menunggu koneksi: " + waiting + " jawaban belum terkirim."; }
    else { text += "Semua jawaban tersimpan."; }
    if (netState) {
      netState.textContent = text;
      netState.className = "net-state" + (waiting ? " waiting" : "");
    }
  }

  /* The answer a question's inputs hold, as the API's JSON body (null: none given). */
  function answerOf(box) {
    var id = box.getAttribute("data-question");
    var type = box.getAttribute("data-type");
    var name = "q-" + id;
    var checked = box.querySelectorAll('input[name="' + name + '"]:checked');
    if (type === "single_choice") {
      return checked.length ? { type: type, option_id: checked[0].value } : null;
    }
    if (type === "multiple_choice") {
      var ids = Array.prototype.map.call(checked, function (i) { return i.value; });
      return ids.length ? { type: type, option_ids: ids } : null;
    }
    if (type === "true_false") {
      return checked.length ? { type: type, value: checked[0].value === "true" } : null;
    }
    if (type === "matching") {
      var matches = {}, any = false;
      Array.prototype.forEach.call(box.querySelectorAll("select[data-item]"), function (s) {
        if (s.value) { matches[s.getAttribute("data-item")] = s.value; any = true; }
      });
      return any ? { type: type, matches: matches } : null;
    }
    var field = box.querySelector('[name="' + name + '"]');
    if (!field || !field.value.trim()) { return null; }
    if (type === "numerical") { return { type: type, value: field.value.trim() }; }
    return { type: type, text: field.value };
  }

  /* Put answers queued in this browser back into the form (after a reload while offline). */
  function restore(queue) {
    Object.keys(queue).forEach(function (id) {
      var box = form.querySelector('[data-question="' + id + '"]');
      var answer = queue[id];
      if (!box || !answer) { return; }
      var name = "q-" + id;
      if (answer.type === "single_choice" || answer.type === "true_false" || answer.type === "multiple_choice") {
        var wanted = answer.type === "single_choice" ? [answer.option_id]
          : answer.type === "true_false" ? [String(answer.value)] : answer.option_ids;
        Array.prototype.forEach.call(box.querySelectorAll('input[name="' + name + '"]'), function (i) {
          i.checked = wanted.indexOf(i.value) !== -1;
        });
      } else if (answer.type === "matching") {
        Array.prototype.forEach.call(box.querySelectorAll("select[data-item]"), function (s) {
          s.value = answer.matches[s.getAttribute("data-item")] || "";
        });
      } else {
        var field = box.querySelector('[name="' + name + '"]');
        if (field) { field.value = answer.type === "numerical" ? answer.value : answer.text; }
      }
      setState(id, "Menunggu koneksi", "waiting");
    });
  }

  function lock(message) {
    closed = true;
    Array.prototype.forEach.call(form.querySelectorAll("input, select, textarea"), function (el) {
      if (el.name !== "_csrf_token") { el.disabled = true; }
    });
    summary();
    if (message && netState) { netState.textContent = message; }
  }

  function flush() {
    if (sending || closed) { return; }
    var queue = pending();
    var ids = Object.keys(queue);
    if (!ids.length) { summary(); return; }
    var id = ids[0];
    sending = true;
    setState(id, "Menyimpan…", "saving");
    fetch(base + id, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": csrf },
      body: JSON.stringify(queue[id])
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        sending = false;
        var now = pending();
        if (response.ok && body.saved_at) {
          if (JSON.stringify(now[id]) === JSON.stringify(queue[id])) { delete now[id]; keep(now); }
          setState(id, "Tersimpan " + clock(body.saved_at), "saved");
          summary();
          flush();
        } else if (response.status === 409) {
          delete now[id]; keep(now);
          setState(id, body.detail || "Tidak tersimpan", "failed");
          lock(body.detail);
          window.setTimeout(function () { window.location.reload(); }, 2500);
        } else if (response.status === 400 || response.status === 404) {
          // This answer cannot be stored (not a number, not in this attempt): say why.
          delete now[id]; keep(now);
          setState(id, body.detail || "Jawaban tidak dapat disimpan.", "failed");
          summary();
          flush();
        } else {
          // Logged out, form expired or a server error: keep it queued here and ask for a
          // reload (a login page answered with 200 is not a save either).
          setState(id, "Belum tersimpan; muat ulang halaman lalu masuk kembali.", "failed");
          summary();
        }
      });
    }).catch(function () {
      /* No connection: the answer stays queued until the browser is online again. */
      sending = false;
      Object.keys(pending()).forEach(function (q) { setState(q, "Menunggu koneksi", "waiting"); });
      summary();
    });
  }

  function queueAnswer(box) {
    var id = box.getAttribute("data-question");
    var answer = answerOf(box);
    var queue = pending();
    if (answer === null) {
      var type = box.getAttribute("data-type");
      // Clearing a text or every box is saved as an empty answer; otherwise nothing to send.
      if (type === "multiple_choice") { answer = { type: type, option_ids: [] }; }
      else if (type === "short_answer" || type === "essay") { answer = { type: type, text: "" }; }
      else { return; }
    }
    queue[id] = answer;
    keep(queue);
    setState(id, navigator.onLine === false ? "Menunggu koneksi" : "Menyimpan…", navigator.onLine === false ? "waiting" : "saving");
    summary();
    flush();
  }

  form.addEventListener("change", function (event) {
    var box = event.target.closest("[data-question]");
    if (box && !closed) { queueAnswer(box); }
  });
  form.addEventListener("input", function (event) {
    var box = event.target.closest("[data-question]");
    if (!box || closed || event.target.tagName === "SELECT" || event.target.type === "radio" || event.target.type === "checkbox") { return; }
    var id = box.getAttribute("data-question");
    window.clearTimeout(timers[id]);
    timers[id] = window.setTimeout(function () { queueAnswer(box); }, 800);
  });
  form.addEventListener("submit", function (event) {
    if (Object.keys(pending()).length && navigator.onLine === false) {
      event.preventDefault();
      if (netState) { netState.textContent = "Tidak ada koneksi. Jawaban disimpan di perangkat ini dan dikirim saat koneksi kembali."; }
      return;
    }
    // The form itself carries every answer to the server now.
    keep({});
  });
  window.addEventListener("online", flush);
  window.addEventListener("offline", summary);

  /* The countdown: from the server's deadline, corrected by the difference between the
     server's clock and this device's when the page was made. */
  var countdown = document.querySelector(".countdown[data-deadline]");
  if (countdown) {
    var deadline = new Date(countdown.getAttribute("data-deadline")).getTime();
    var skew = new Date(countdown.getAttribute("data-now")).getTime() - Date.now();
    var strong = document.createElement("strong");
    countdown.textContent = "Sisa waktu: ";
    countdown.appendChild(strong);
    countdown.setAttribute("role", "timer");
    var tick = function () {
      var left = Math.max(0, Math.floor((deadline - (Date.now() + skew)) / 1000));
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      strong.textContent = (h ? h + ":" : "") + (m < 10 && h ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
      countdown.className = "countdown" + (left <= 60 ? " urgent" : "");
      if (left === 0) {
        window.clearInterval(timer);
        // The server closes the attempt at the deadline and grades what was saved; the page
        // then shows the result. Answers still queued here arrive too late and are refused.
        lock("Waktu habis. Jawaban yang tersimpan dinilai.");
        window.setTimeout(function () { window.location.reload(); }, 1500);
      }
    };
    var timer = window.setInterval(tick, 1000);
    tick();
  }

  restore(pending());
  summary();
  flush();
})();
