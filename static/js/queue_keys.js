// Keyboard shortcuts of the case queue: j / k move between cases, Enter or o opens one, a
// acknowledges it, / goes to the search box, ? shows or hides the help. Never while typing
// in a field, and never with Ctrl, Alt or Meta held (the browser's own shortcuts).
(function () {
  "use strict";
  var help = document.getElementById("queue-keys-help");
  var opener = document.getElementById("queue-keys-open");
  var closer = document.getElementById("queue-keys-close");
  if (!help) { return; }

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#case-queue tr[data-case-id]")); }
  function current() { return document.querySelector("#case-queue tr.queue-row-focus"); }
  function typing(target) {
    if (!target || !target.tagName) { return false; }
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }
  function select(row) {
    rows().forEach(function (other) { other.classList.remove("queue-row-focus"); });
    if (!row) { return; }
    row.classList.add("queue-row-focus");
    var link = row.querySelector("a.case-link");
    if (link) { link.focus(); }
    row.scrollIntoView({ block: "nearest" });
  }
  function move(step) {
    var all = rows();
    if (!all.length) { return; }
    var index = all.indexOf(current());
    select(all[index < 0 ? 0 : Math.min(all.length - 1, Math.max(0, index + step))]);
  }
  function toggleHelp(show) {
    help.hidden = !show;
    if (opener) { opener.setAttribute("aria-expanded", show ? "true" : "false"); }
    if (show && closer) { closer.focus(); }
  }
  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }
  function acknowledge(row) {
    if (!row || !row.dataset.ackUrl) { return; }
    fetch(row.dataset.ackUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
      redirect: "manual"  // the plain POST answers with the case page: not needed here
    }).then(function () {
      document.dispatchEvent(new Event("queue:refresh"));
    });
  }

  if (opener) { opener.addEventListener("click", function () { toggleHelp(help.hidden); }); }
  if (closer) { closer.addEventListener("click", function () { toggleHelp(false); if (opener) { opener.focus(); } }); }
  document.addEventListener("queue:refreshed", function () {
    if (!current()) { return; }
    var link = current().querySelector("a.case-link");
    if (link && document.activeElement === document.body) { link.focus(); }
  });
  document.addEventListener("focusin", function (event) {
    var row = event.target.closest && event.target.closest("#case-queue tr[data-case-id]");
    if (row && !row.classList.contains("queue-row-focus")) {
      rows().forEach(function (other) { other.classList.remove("queue-row-focus"); });
      row.classList.add("queue-row-focus");
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || typing(event.target)) { return; }
    var key = event.key;
    if (key === "Escape" && !help.hidden) { toggleHelp(false); return; }
    if (key === "?") { event.preventDefault(); toggleHelp(help.hidden); return; }
    if (key === "/") {
      var search = document.querySelector("#queue-filters input[name=q]");
      if (search) { event.preventDefault(); search.focus(); }
      return;
    }
    if (key === "j") { event.preventDefault(); move(1); return; }
    if (key === "k") { event.preventDefault(); move(-1); return; }
    var row = current();
    if (!row) { return; }
    if (key === "o" || (key === "Enter" && event.target === document.body)) {
      event.preventDefault();
      window.location.href = row.dataset.href;
    } else if (key === "a") {
      event.preventDefault();
      acknowledge(row);
    }
  });
}());
