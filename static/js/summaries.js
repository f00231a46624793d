// The summaries' "Print" buttons (no inline script: pages stay CSP-friendly).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
