// Progressive enhancement of the agent console; the page works without it.
// - the time in status ticks every second, and turns to a warning when the code's maximum is
//   passed, at the instant the server computed;
// - every 15 s the page asks the API for the agent's state and reloads when an integration
//   (or another tab) changed it, unless the agent is busy choosing a reason.
(function () {
  "use strict";
  var card = document.querySelector(".console-state");
  if (!card) return;
  var clock = card.querySelector(".console-elapsed");
  var since = card.dataset.since;

  function hms(seconds) {
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    return h + ":" + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
  }

  if (clock) {
    var started = Date.now() - Number(clock.dataset.elapsed) * 1000;
    setInterval(function () {
      var seconds = Math.max(0, Math.floor((Date.now() - started) / 1000));
      clock.textContent = hms(seconds);
    }, 1000);
    // The server says when the code's maximum is passed (milliseconds from now); the rule
    // itself is the server's.
    if (clock.dataset.exceedsIn !== undefined) {
      setTimeout(function () { clock.classList.add("exceeded"); }, Number(clock.dataset.exceedsIn));
    }
  }

  function choosing() {
    var el = document.activeElement;
    return el && (el.tagName === "SELECT" || el.tagName === "BUTTON");
  }

  setInterval(function () {
    fetch(card.dataset.stateUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) return;
        var changed = (state.since ? new Date(state.since).getTime() : 0) !==
          (since ? new Date(since).getTime() : 0);
        if (changed && !choosing()) window.location.reload();
      })
      .catch(function () {});
  }, 15000);
})();
