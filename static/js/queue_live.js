// The live case queue: every few seconds, ask the server whether anything changed since the
// page was drawn (a fingerprint it gave us); 204 means no. When something did, swap in the
// fresh queue and tabs, highlight the rows that are new, and, for a new life-safety case,
// show a banner and (if the counselor turned sound on) play a short sound. Browsers refuse
// to play sound before the person has interacted with the page: the "Enable sound" button is
// that interaction, and the choice is remembered in localStorage.
(function () {
  "use strict";
  var live = document.getElementById("queue-live");
  if (!live) { return; }
  var SOUND_KEY = "tipline.queueSound";
  var seconds = parseInt(live.dataset.liveSeconds, 10) || 15;
  var banner = document.getElementById("queue-banner");
  var news = document.getElementById("queue-news");
  var toggle = document.getElementById("queue-sound-toggle");
  var audio = new Audio(live.dataset.soundUrl);
  audio.preload = "auto";
  var busy = false;

  function soundOn() {
    try { return window.localStorage.getItem(SOUND_KEY) === "on"; } catch (e) { return false; }
  }
  function showToggle() {
    if (!toggle) { return; }
    var on = soundOn();
    toggle.hidden = false;
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
    toggle.textContent = on ? toggle.dataset.labelOn : toggle.dataset.labelOff;
  }
  function play() {
    if (!soundOn()) { return; }
    // How many times the cue was asked for: what the browser test can observe.
    live.dataset.soundCues = String((parseInt(live.dataset.soundCues, 10) || 0) + 1);
    audio.currentTime = 0;
    var played = audio.play();
    if (played && played.catch) { played.catch(function () { /* blocked until a click */ }); }
  }
  if (toggle) {
    toggle.addEventListener("click", function () {
      var on = !soundOn();
      try { window.localStorage.setItem(SOUND_KEY, on ? "on" : "off"); } catch (e) { /* private mode */ }
      showToggle();
      if (on) { play(); }  // this click unlocks audio, and lets the counselor hear it once
    });
    showToggle();
  }

  function queue() { return document.getElementById("case-queue"); }
  function rowIds(section) {
    var ids = {};
    section.querySelectorAll("tr[data-case-id]").forEach(function (row) {
      ids[row.dataset.caseId] = true;
    });
    return ids;
  }
  function params() {
    var form = document.getElementById("queue-filters");
    var data = form ? new URLSearchParams(new FormData(form)) : new URLSearchParams();
    var current = new URLSearchParams(window.location.search);
    if (current.get("page")) { data.set("page", current.get("page")); }
    data.set("since", queue().dataset.liveSince || "");
    return data;
  }
  function say(text, alarm) {
    if (alarm && banner) {
      banner.textContent = text;
      banner.hidden = false;
    } else if (news) {
      news.textContent = text;
    }
  }

  function refresh() {
    var section = queue();
    if (busy || !section || document.hidden) { return; }
    busy = true;
    var before = rowIds(section);
    var lifeSafetyBefore = parseInt(section.dataset.lifeSafetyLatest, 10) || 0;
    fetch(live.dataset.liveUrl + "?" + params().toString(), {
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
      redirect: "error"
    }).then(function (response) {
      if (response.status !== 200) { return null; }
      return response.text();
    }).then(function (html) {
      if (!html) { return; }
      var fresh = document.createElement("template");
      fresh.innerHTML = html;
      var freshQueue = fresh.content.getElementById("case-queue");
      var freshTabs = fresh.content.getElementById("queue-tabs");
      var tabs = document.getElementById("queue-tabs");
      if (!freshQueue) { return; }
      if (freshTabs && tabs) {
        freshTabs.removeAttribute("hx-swap-oob");
        tabs.replaceWith(freshTabs);
      }
      var focused = document.querySelector("tr.queue-row-focus");
      var focusedId = focused ? focused.dataset.caseId : null;
      queue().replaceWith(freshQueue);
      if (window.htmx) { window.htmx.process(freshQueue); }
      var added = 0;
      freshQueue.querySelectorAll("tr[data-case-id]").forEach(function (row) {
        if (!before[row.dataset.caseId]) {
          row.classList.add("queue-row-new");
          added += 1;
        }
        if (row.dataset.caseId === focusedId) { row.classList.add("queue-row-focus"); }
      });
      var lifeSafetyNow = parseInt(freshQueue.dataset.lifeSafetyLatest, 10) || 0;
      if (lifeSafetyNow > lifeSafetyBefore) {
        say(live.dataset.textLifeSafety, true);
        play();
      } else if (added) {
        say(live.dataset.textNew, false);
      }
      document.dispatchEvent(new CustomEvent("queue:refreshed", { detail: { added: added } }));
    }).catch(function () { /* offline for a moment: the next tick tries again */ })
      .then(function () { busy = false; });
  }

  document.addEventListener("queue:refresh", refresh);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { refresh(); } });
  window.setInterval(refresh, seconds * 1000);
}());
