// What the admin's autocomplete pickers (select2, drawn by script) leave unlabelled for screen
// readers: a single picker is named by its field's label as well as its value, the search box of
// a multiple picker gets its field's label, and the "clear all" cross select2 puts inside its
// list of chosen items becomes an item of that list. select2 redraws its parts as people pick, so
// this runs again whenever the page changes.
(function () {
  "use strict";

  function fieldLabel(select) {
    return select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
  }

  function fieldName(select) {
    var label = fieldLabel(select);
    return label ? label.textContent.replace(/:\s*$/, "").trim() : select.name;
  }

  function labelPickers() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var picker = select.nextElementSibling;
      if (!picker || !picker.classList.contains("select2")) return;
      var name = fieldName(select);
      picker.querySelectorAll(".select2-search__field:not([aria-label])").forEach(function (box) {
        box.setAttribute("aria-label", name);
      });
      picker.querySelectorAll("ul.select2-selection__rendered > :not(li):not([role])").forEach(
        function (part) { part.setAttribute("role", "listitem"); }
      );
      var label = fieldLabel(select);
      var single = picker.querySelector(".select2-selection--single[aria-labelledby]");
      if (label && single && !single.dataset.labelled) {
        label.id = label.id || select.id + "-label";
        var value = document.getElementById(single.getAttribute("aria-labelledby"));
        if (value) value.setAttribute("aria-labelledby", label.id);
        single.setAttribute("aria-labelledby", label.id + " " + single.getAttribute("aria-labelledby"));
        single.dataset.labelled = "true";
      }
    });
  }

  function start() {
    labelPickers();
    new MutationObserver(labelPickers).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
