// The live board reloads itself (docs/reports.md, "4. Live board"), but never under the reader:
// not while a row's actions are open or one of its controls has the focus, not while the tab is
// hidden, and not once the reader paused it (remembered for this tab). Without JavaScript, the
// page's <noscript> refresh does the reloading.
(function () {
  "use strict";
  const toggle = document.getElementById("refresh-toggle");
  if (!toggle) {
    return;
  }
  const seconds = Number(toggle.dataset.refreshSeconds);
  const storageKey = "live-board-refresh-paused";
  let paused = sessionStorage.getItem(storageKey) === "1";

  function show() {
    toggle.setAttribute("aria-pressed", String(paused));
  }

  function readerIsActing() {
    if (document.querySelector("details.act[open]")) {
      return true;
    }
    const active = document.activeElement;
    return Boolean(active && active.closest && active.closest("form"));
  }

  toggle.hidden = false;
  show();
  toggle.addEventListener("click", function () {
    paused = !paused;
    sessionStorage.setItem(storageKey, paused ? "1" : "0");
    show();
  });
  setInterval(function () {
    if (!paused && !document.hidden && !readerIsActing()) {
      window.location.reload();
    }
  }, seconds * 1000);
})();
