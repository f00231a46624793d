// Switching language keeps what was typed. The language switcher (#language-switcher) is an
// ordinary POST to set_language that reloads the page in the other language; just before it
// goes, what the person has typed into the page's forms is put in this tab's sessionStorage,
// and the reloaded page puts it back and forgets it at once. Nothing of it leaves the
// browser: it is never sent anywhere but back into the same fields, and sessionStorage dies
// with the tab. Submitting a form also forgets whatever was kept for it.
(function () {
  var PREFIX = "keep-typing:";
  var SKIPPED_TYPES = ["hidden", "file", "password", "submit", "button", "reset", "image"];
  var SKIPPED_NAMES = ["csrfmiddlewaretoken", "submission_token"];

  function storage() {
    try { return window.sessionStorage; } catch (error) { return null; }
  }

  function keptForms() {
    var switcher = document.getElementById("language-switcher");
    return Array.prototype.filter.call(document.querySelectorAll("form"), function (form) {
      return form !== switcher && (form.getAttribute("method") || "").toLowerCase() === "post" &&
        form.getAttribute("data-keep-typing") !== "off";
    });
  }

  function keyOf(form, index) {
    return PREFIX + window.location.pathname + "#" + (form.getAttribute("id") || form.getAttribute("action") || "") + "#" + index;
  }

  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (field) {
      return field.name && SKIPPED_TYPES.indexOf(field.type) === -1 &&
        SKIPPED_NAMES.indexOf(field.name) === -1 && field.getAttribute("data-keep-typing") !== "off" &&
        field.getAttribute("autocomplete") !== "one-time-code";
    });
  }

  function save(store) {
    keptForms().forEach(function (form, index) {
      var values = {};
      var typed = false;
      fieldsOf(form).forEach(function (field) {
        if (field.type === "checkbox" || field.type === "radio") {
          if (!values[field.name]) { values[field.name] = []; }
          if (field.checked) { values[field.name].push(field.value); typed = typed || !field.defaultChecked; }
        } else if (field.tagName === "SELECT") {
          values[field.name] = Array.prototype.filter.call(field.options, function (option) {
            typed = typed || option.selected !== option.defaultSelected;
            return option.selected;
          }).map(function (option) { return option.value; });
        } else {
          values[field.name] = field.value;
          typed = typed || field.value !== field.defaultValue;
        }
      });
      if (typed) { store.setItem(keyOf(form, index), JSON.stringify(values)); }
    });
  }

  function restore(store) {
    keptForms().forEach(function (form, index) {
      var key = keyOf(form, index);
      var raw = store.getItem(key);
      if (raw === null) { return; }
      store.removeItem(key);
      var values;
      try { values = JSON.parse(raw); } catch (error) { return; }
      fieldsOf(form).forEach(function (field) {
        if (!Object.prototype.hasOwnProperty.call(values, field.name)) { return; }
        var value = values[field.name];
        if (field.type === "checkbox" || field.type === "radio") {
          field.checked = value.indexOf(field.value) !== -1;
        } else if (field.tagName === "SELECT") {
          Array.prototype.forEach.call(field.options, function (option) {
            option.selected = value.indexOf(option.value) !== -1;
          });
        } else if (typeof value === "string") {
          field.value = value;
        }
        field.dispatchEvent(new Event("input", { bubbles: true }));
      });
    });
  }

  var store = storage();
  if (!store) { return; }
  restore(store);
  var switcher = document.getElementById("language-switcher");
  if (switcher) {
    switcher.addEventListener("submit", function () { save(store); });
  }
  keptForms().forEach(function (form, index) {
    form.addEventListener("submit", function () { store.removeItem(keyOf(form, index)); });
  });
})();
