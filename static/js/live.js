// The live board's automatic update (reports/templates/reports/live.html), in place of a meta
// refresh that reloads the page under the reader: every few seconds the table and the
// "Updated" time are replaced by the server's current ones, the reader can pause and resume, and
// nothing is replaced while the reader is using a control of the table or the tab is hidden.
// Without JavaScript the page stays as it is, with its "Refresh now" link.
// It is the board's only updater: live_push.js (pushed changes) calls window.liveBoard.update()
// and window.liveBoard.every(seconds), so a pushed change too waits for the reader.
(function () {
  "use strict";
  var control = document.querySelector("[data-live-refresh]");
  if (!control) return;
  var seconds = Number(control.dataset.refreshSeconds) || 15;
  var button = control.querySelector(".live-pause");
  var paused = false;
  var timer = null;
  var reading = false;
  var readAgain = false;

  // The parts of the page that the update replaces, found in the page fetched.
  var PARTS = [".live-updated", ".table-card"];

  // A control in use, or a row's actions open (the supervisor is choosing a reason).
  function inUse() {
    var el = document.activeElement;
    if (document.querySelector(".table-card details[open]")) return true;
    return Boolean(el && el !== document.body && el.closest(".table-card"));
  }

  function schedule() {
    clearTimeout(timer);
    if (!paused) timer = setTimeout(update, seconds * 1000);
  }

  function update() {
    if (paused) return;
    if (document.hidden || inUse()) { schedule(); return; }
    // One reading at a time; a change heard meanwhile is read right after it.
    if (reading) { readAgain = true; return; }
    reading = true;
    fetch(window.location.href, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "text/html" },
    })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html || paused || inUse()) return;
        var fresh = new DOMParser().parseFromString(html, "text/html");
        PARTS.forEach(function (selector) {
          var now = document.querySelector(selector);
          var next = fresh.querySelector(selector);
          if (now && next) now.replaceWith(document.importNode(next, true));
        });
      })
      .catch(function () {})
      .then(function () {
        reading = false;
        if (readAgain) { readAgain = false; update(); } else schedule();
      });
  }

  button.addEventListener("click", function () {
    paused = !paused;
    button.textContent = paused ? control.dataset.resumeText : control.dataset.pauseText;
    if (paused) clearTimeout(timer);
    else update();
  });

  window.liveBoard = {
    update: update,
    // The timer's period: longer while changes are pushed (live_push.js), back when they stop.
    every: function (newSeconds) {
      if (newSeconds === seconds) return;
      seconds = newSeconds;
      schedule();
    },
  };

  button.hidden = false;
  control.querySelector(".live-every").hidden = false;
  schedule();
})();
