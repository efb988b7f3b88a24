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

// The header's bell: the unread count, streamed live. The stream is closed when the page is
// left (and reopened when it comes back from the back/forward cache), so left pages hold no
// connection open.
(function () {
  "use strict";
  var stream = null;
  function show(count) {
    var out = document.getElementById("bell-count");
    var bell = document.getElementById("bell");
    if (!out || !bell) return;
    var n = parseInt(count, 10) || 0;
    out.textContent = n > 0 ? String(n) : "";
    bell.classList.toggle("has-unread", n > 0);
    bell.title = n > 0 ? n + " unread notification" + (n === 1 ? "" : "s") : "Notifications";
  }
  function open() {
    if (stream || !document.getElementById("bell") || !window.EventSource) return;
    stream = new EventSource("/notifications/events");
    stream.addEventListener("unread", function (e) { show(e.data); });
    stream.addEventListener("reload", function () { close(); open(); });
  }
  function close() {
    if (stream) { stream.close(); stream = null; }
  }
  document.addEventListener("DOMContentLoaded", function () {
    open();
    // No settings saved yet: offer the browser's own time zone.
    var zone = document.querySelector("[data-browser-zone]");
    if (zone && window.Intl) {
      try { zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || zone.value; } catch (e) {}
    }
  });
  window.addEventListener("pagehide", close);
  window.addEventListener("pageshow", function (e) { if (e.persisted) open(); });
})();
