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

// The composer's time zone starts as the browser's own, when the field still holds the
// server's default (UTC) and nothing was scheduled yet: times are typed as the person reads
// their clock.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-local-zone]").forEach(function (field) {
      var date = document.getElementById("compose-date");
      if (field.value !== "UTC" || (date && date.value)) return;
      try {
        var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
        if (zone) field.value = zone;
      } catch (e) { /* keep UTC */ }
    });
  });
})();
