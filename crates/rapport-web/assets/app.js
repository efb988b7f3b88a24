// Live parse errors under every query field: the server parses, the page shows where it broke.
(function () {
  "use strict";
  function attach(field) {
    var out = document.getElementById("query-error");
    if (!out) return;
    var timer = null;
    var seq = 0;
    function check() {
      var mine = ++seq;
      fetch("/topics/check?q=" + encodeURIComponent(field.value), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (answer) {
          if (!answer || mine !== seq) return;
          // textContent, never innerHTML: the message quotes what the user typed.
          out.textContent = answer.ok ? "" : answer.message;
          if (answer.ok) field.removeAttribute("aria-invalid");
          else field.setAttribute("aria-invalid", "true");
        })
        .catch(function () {});
    }
    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(check, 200);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-query-check]").forEach(attach);
  });
})();
