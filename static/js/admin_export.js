// The export page's "Select all" box, wired here instead of an onchange= attribute, which the
// Content-Security-Policy refuses. onSelectToggleChange comes from import-export's own script.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  document.querySelectorAll("input.select-toggle").forEach(function (toggle) {
    toggle.addEventListener("change", onSelectToggleChange);
  });
});
