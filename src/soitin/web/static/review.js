// Review workbench behaviour (no inline scripts: the CSP forbids them).
(function () {
  "use strict";
  // Show only the guides of the category chosen in the confirm form.
  function syncGuides(select) {
    var form = select.form;
    if (!form) { return; }
    var links = form.querySelectorAll("[data-guide-for]");
    for (var i = 0; i < links.length; i++) {
      links[i].hidden = links[i].getAttribute("data-guide-for") !== select.value;
    }
  }
  function init(root) {
    var selects = root.querySelectorAll("select[data-guide-select]");
    for (var i = 0; i < selects.length; i++) {
      syncGuides(selects[i]);
      selects[i].addEventListener("change", function (e) { syncGuides(e.target); });
    }
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
})();
