// Progressive enhancement of the agent console; the page works without it.
// - the time in status and the time an offer has rung tick every second from the seconds the
//   server computed; the time in status turns to a warning when the code's maximum is passed,
//   at the instant the server computed;
// - every few seconds the page asks the API for the agent's state and reloads when an offer
//   arrived or went, or when the status or the pending change was changed elsewhere (an
//   integration, a supervisor, a timer, another tab). A new or vanished offer reloads at once;
//   other changes wait while the agent is choosing a reason.
(function () {
  "use strict";
  var POLL_MS = 4000;
  var card = document.querySelector(".console-state");
  if (!card) return;
  var since = card.dataset.since;
  var offer = card.dataset.offer || "";
  var pending = card.dataset.pending || "";

  function hms(seconds) {
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    return h + ":" + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
  }

  function tick(clock) {
    if (!clock) return;
    var started = Date.now() - Number(clock.dataset.elapsed) * 1000;
    setInterval(function () {
      var seconds = Math.max(0, Math.floor((Date.now() - started) / 1000));
      clock.textContent = hms(seconds);
    }, 1000);
  }

  var clock = card.querySelector(".console-elapsed");
  tick(clock);
  tick(document.querySelector(".offer-elapsed"));
  // The server says when the code's maximum is passed (milliseconds from now); the rule
  // itself is the server's.
  if (clock && clock.dataset.exceedsIn !== undefined) {
    setTimeout(function () { clock.classList.add("exceeded"); }, Number(clock.dataset.exceedsIn));
  }

  function choosing() {
    var el = document.activeElement;
    return el && (el.tagName === "SELECT" || el.tagName === "BUTTON");
  }

  function instant(text) {
    return text ? new Date(text).getTime() : 0;
  }

  setInterval(function () {
    fetch(card.dataset.stateUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) return;
        var offerNow = state.offer ? state.offer.id : "";
        var pendingNow = state.pending ? state.pending.action + ":" + (state.pending.code || "") : "";
        if (offerNow !== offer) {
          window.location.reload();
        } else if ((instant(state.since) !== instant(since) || pendingNow !== pending) && !choosing()) {
          window.location.reload();
        }
      })
      .catch(function () {});
  }, POLL_MS);
})();
