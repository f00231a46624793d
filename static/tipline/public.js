// Public pages: a print button, and focus on the error summary so it is read out first.
(function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  var errors = document.getElementById("form-errors");
  if (errors) { errors.focus(); }
})();
