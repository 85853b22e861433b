// The status code list page: each code's "More" (labels in the other languages, descriptions,
// the less used settings) folds under its row. Without this script every part stays shown.
(function () {
  "use strict";

  function setOpen(row, open) {
    var button = row.querySelector(".code-more-toggle");
    var panel = row.querySelector(".code-more");
    if (!button || !panel) return;
    button.hidden = false;
    button.setAttribute("aria-expanded", String(open));
    panel.hidden = !open;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".codes-inline .code-more-toggle");
    if (!button) return;
    setOpen(button.closest(".code-row"), button.getAttribute("aria-expanded") !== "true");
  });

  function foldAll() {
    document.querySelectorAll(".codes-inline .code-row").forEach(function (row) {
      // A part with an error stays open, so the error is seen.
      setOpen(row, row.querySelector(".code-more .errorlist") !== null);
    });
  }

  // The admin loads its media in the page's head, before the rows exist.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", foldAll);
  } else {
    foldAll();
  }
})();
