// Public pages: a print button, focus on the error summary so it is read out first, and the
// forms' one-time token kept through Back.
(function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  var errors = document.getElementById("form-errors");
  if (errors) { errors.focus(); }
  // A browser restores a field on Back only when its value differs from the page's default.
  // Emptying the default keeps the token the server wrote, and makes the browser bring it
  // back with what the student typed: the same words sent again are then stored once.
  document.querySelectorAll("input[name=submission_token]").forEach(function (input) {
    var token = input.value;
    input.defaultValue = "";
    input.value = token;
  });
})();
