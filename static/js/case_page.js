// The case page folds its details and actions (<details class="case-fold" data-open-wide>)
// so that on a phone the tip and the reply box come first. On a wide screen there is room
// beside the timeline: unfold them, on load and after every htmx swap of the workspace.
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 992px)");

  function unfold() {
    if (!wide.matches) {
      return;
    }
    document.querySelectorAll("details.case-fold[data-open-wide]").forEach(function (fold) {
      fold.open = true;
    });
  }

  unfold();
  document.body.addEventListener("htmx:afterSettle", unfold);
  wide.addEventListener("change", unfold);
})();
