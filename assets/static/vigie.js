// Vigie's only script, and an optional one: every page works without it. It adds the theme
// toggle (remembered in this browser).
(function () {
  "use strict";
  var root = document.documentElement;
  var key = "vigie-theme";
  function current() {
    var set = root.getAttribute("data-theme");
    if (set === "light" || set === "dark") return set;
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  function show(button) {
    var theme = current();
    var label = button.querySelector(".theme-label");
    button.setAttribute("aria-pressed", theme === "dark" ? "true" : "false");
    if (label) label.textContent = theme === "dark" ? label.getAttribute("data-dark") : label.getAttribute("data-light");
  }
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector(".theme-toggle");
    if (!button) return;
    button.hidden = false;
    show(button);
    button.addEventListener("click", function () {
      var next = current() === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { localStorage.setItem(key, next); } catch (e) { /* private mode: not remembered */ }
      show(button);
    });
  });
})();
