// The live board without polling (docs/reports.md, "Live board"); the page works without it
// (a <noscript> meta refresh reloads it every 15 s).
// - Listens to the reader's stream of status changes (Server-Sent Events) and, when one
//   arrives, reads the board again and swaps its rows in; a burst of changes is read once.
// - Says in words whether the board is live or updated every 15 s; while the stream is down
//   (it reconnects by itself) the rows are read again every 15 s, as before.
// - While live, the rows are still read again every minute: the time in status and "Exceeded"
//   change with the clock, not through an event.
(function () {
  "use strict";
  var status = document.querySelector("[data-live-status]");
  if (!status || !window.EventSource || !window.fetch || !window.DOMParser) return;
  var REFRESH_MS = Number(status.dataset.refreshSeconds) * 1000;
  var KEEP_UP_MS = Number(status.dataset.keepUpSeconds) * 1000;
  // Changes made by the worker (timers, automatic statuses) are pushed only through Redis;
  // without it the 15-second reading goes on while live (reports/live_push.py).
  var WORKER_PUSHED = status.dataset.pushWorker === "true";
  var DEBOUNCE_MS = 300;

  var timer = null;
  var debounce = null;
  var reading = false;
  var readAgain = false;
  var live = false;

  function show(isLive) {
    live = isLive;
    status.textContent = isLive ? status.dataset.textLive : status.dataset.textPolling;
    status.classList.toggle("live", isLive);
    every(isLive ? (WORKER_PUSHED ? KEEP_UP_MS : REFRESH_MS) : REFRESH_MS);
  }

  function every(ms) {
    if (timer) clearInterval(timer);
    timer = setInterval(refresh, ms);
  }

  // Someone typing or choosing in the table (a row's form) is not interrupted: read later.
  function busy() {
    var el = document.activeElement;
    var table = document.querySelector(".table-card");
    return el && table && table.contains(el) && /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(el.tagName);
  }

  function refresh() {
    if (reading || busy()) {
      readAgain = true;
      return;
    }
    reading = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        // Sent to the login page (signed out): show it.
        if (response.redirected) window.location.reload();
        if (!response.ok || response.redirected) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        ["[data-live-as-of]", ".table-card"].forEach(function (selector) {
          var now = document.querySelector(selector);
          var then = fresh.querySelector(selector);
          if (now && then) now.replaceWith(document.importNode(then, true));
        });
      })
      .catch(function () {
        // The server is away: the next reading tries again.
      })
      .finally(function () {
        reading = false;
        if (readAgain) {
          readAgain = false;
          setTimeout(refresh, busy() ? 1000 : 0);
        }
      });
  }

  function changed() {
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(refresh, DEBOUNCE_MS);
  }

  show(false);
  var stream = new EventSource(status.dataset.streamUrl);
  stream.addEventListener("stream-open", function () {
    // What changed between the page's reading and now (or during a drop) was not heard.
    changed();
    show(true);
  });
  stream.addEventListener("status", changed);
  // Refused (no longer allowed to read the board): stop listening, keep the timed reading.
  stream.addEventListener("stream-error", function () {
    stream.close();
    show(false);
  });
  stream.onerror = function () {
    if (live) show(false);
  };
})();
