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
  function wire() {
    document.querySelectorAll(".follow:not([data-wired])").forEach(function (follow) {
      follow.setAttribute("data-wired", "");
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
  }
  document.addEventListener("DOMContentLoaded", wire);
  document.addEventListener("vigie:updated", wire);  // after a live refresh
})();

// Live: when the site's state changes, the page reloads its own content in place and says so
// to screen readers. Without JavaScript (or EventSource) the page is simply static.
(function () {
  "use strict";
  if (!window.EventSource || !window.fetch || !window.DOMParser) return;
  document.addEventListener("DOMContentLoaded", function () {
    var main = document.querySelector("main[data-live]");
    var status = document.getElementById("live-status");
    if (!main) return;
    var busy = false;
    function refresh() {
      if (busy) return;
      busy = true;
      fetch(window.location.href, { cache: "no-store", credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.querySelector("main");
          if (!fresh) return;
          main.innerHTML = fresh.innerHTML;
          var foot = doc.querySelector(".foot");
          var oldFoot = document.querySelector(".foot");
          if (foot && oldFoot) oldFoot.innerHTML = foot.innerHTML;
          document.title = doc.title;
          if (status) {
            status.textContent = "";
            setTimeout(function () { status.textContent = status.getAttribute("data-updated"); }, 50);
          }
          document.dispatchEvent(new CustomEvent("vigie:updated"));
        })
        .catch(function () { /* the next change will try again */ })
        .then(function () { busy = false; });
    }
    var source = new EventSource(main.getAttribute("data-live"));
    source.addEventListener("change", refresh);
  });
})();
