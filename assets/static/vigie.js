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

// "Follow": without JavaScript the link opens the RSS feed; with it, the link opens a panel
// with the feed's address, a copy button and the other formats.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".follow").forEach(function (follow) {
      var link = follow.querySelector(".follow-link");
      var panel = follow.querySelector(".follow-panel");
      if (!link || !panel) return;
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var open = panel.hidden;
        panel.hidden = !open;
        link.setAttribute("aria-expanded", open ? "true" : "false");
        if (open) {
          var input = panel.querySelector("input");
          if (input) { input.focus(); input.select(); }
        }
      });
      var copy = panel.querySelector(".copy");
      var input = panel.querySelector("input");
      var status = panel.querySelector(".copied");
      if (!copy || !input) return;
      copy.addEventListener("click", function () {
        function done() { if (status) status.textContent = copy.getAttribute("data-copied"); }
        input.select();
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(input.value).then(done, function () {
            if (document.execCommand("copy")) done();
          });
        } else if (document.execCommand("copy")) {
          done();
        }
      });
    });
  });
})();
