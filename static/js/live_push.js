// The live board's pushed changes (docs/reports.md, "Live board"): it listens to the reader's
// stream of status changes (Server-Sent Events) and, when one arrives (a burst is heard once),
// asks live.js, the board's only updater, to read the board again; live.js waits while the
// board is paused, a row's actions are open, a table control has focus or the tab is hidden.
// - Says in words whether the board is live or updated every 15 s; while the stream is down (it
//   reconnects by itself) live.js's timer simply goes on.
// - While live and the worker's changes are pushed too, live.js's timer slows to a minute: the
//   time in status and "Exceeded" change with the clock, not through an event.
(function () {
  "use strict";
  var status = document.querySelector("[data-live-status]");
  var board = window.liveBoard;
  if (!status || !board || !window.EventSource) return;
  var REFRESH_SECONDS = Number(status.dataset.refreshSeconds) || 15;
  var KEEP_UP_SECONDS = Number(status.dataset.keepUpSeconds) || 60;
  // Changes made by the worker (timers, automatic statuses) are pushed only through Redis;
  // without it the 15-second reading goes on while live (reports/live_push.py).
  var WORKER_PUSHED = status.dataset.pushWorker === "true";
  var DEBOUNCE_MS = 300;

  var debounce = null;
  var live = false;

  function show(isLive) {
    live = isLive;
    status.textContent = isLive ? status.dataset.textLive : status.dataset.textPolling;
    status.classList.toggle("live", isLive);
    board.every(isLive && WORKER_PUSHED ? KEEP_UP_SECONDS : REFRESH_SECONDS);
  }

  function changed() {
    clearTimeout(debounce);
    debounce = setTimeout(board.update, DEBOUNCE_MS);
  }

  // This status says what live.js's "every 15 seconds" line said, and whether the board is live.
  var every = document.querySelector("[data-live-refresh] .live-every");
  if (every) every.hidden = true;
  status.hidden = false;
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
