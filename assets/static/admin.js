// The back-office script: optional. Selects the token field so it can be copied at once.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var token = document.getElementById("token");
    if (token) { token.focus(); token.select(); }
  });
})();
