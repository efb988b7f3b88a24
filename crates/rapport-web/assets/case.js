// The case page: the composer's live counter, saved replies and suggestions, presence
// heartbeats (who else is viewing or typing) and the notice when another agent changes the
// case. Everything the server sends is shown with textContent, never as markup.
(function () {
  "use strict";
  var HEARTBEAT_MS = 10000;

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("case");
    if (!root) return;
    var id = root.getAttribute("data-case");
    var version = parseInt(root.getAttribute("data-version"), 10) || 0;
    var csrf = root.getAttribute("data-csrf") || "";
    var base = "/cases/" + encodeURIComponent(id);
    var text = document.getElementById("reply-text");
    var counter = document.getElementById("reply-count");
    var banner = document.getElementById("presence");
    var changed = document.getElementById("case-changed");
    var leaving = false;

    // The undo toast after a status change goes away after a few seconds; its form still
    // works while it shows (and without this script it simply stays).
    var toast = document.getElementById("undo-toast");
    if (toast && !toast.hidden) {
      setTimeout(function () { toast.hidden = true; }, 8000);
      // A reload must not show the toast again.
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", base);
      }
    }

    // Forms of this page navigate away; the change they cause is not "another agent's".
    document.querySelectorAll("form").forEach(function (f) {
      f.addEventListener("submit", function () { leaving = true; });
    });

    // #reply (the inbox's "r" shortcut) puts the cursor in the composer.
    function focusComposer() {
      if (text && window.location.hash === "#reply") {
        text.focus();
        text.setSelectionRange(text.value.length, text.value.length);
      }
    }
    focusComposer();
    // Scrolling to the fragment after load may take the focus back to the page: again then.
    window.addEventListener("load", function () { setTimeout(focusComposer, 0); });
    window.addEventListener("hashchange", focusComposer);

    // --- composer: the count as the case's network counts it -------------------------------
    var countSeq = 0;
    var countTimer = null;
    function count() {
      if (!text || !counter) return;
      var mine = ++countSeq;
      fetch(base + "/compose-count?text=" + encodeURIComponent(text.value), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (c) {
          if (!c || mine !== countSeq) return;
          var line = c.count + (c.limit != null ? " of " + c.limit : "") + " characters";
          if (c.remaining != null && c.remaining < 0) {
            line += ": " + (-c.remaining) + " over the limit, shorten the reply to send it";
          }
          counter.textContent = line;
          counter.classList.toggle("over", !c.fits);
          if (c.fits) text.removeAttribute("aria-invalid");
          else text.setAttribute("aria-invalid", "true");
        })
        .catch(function () {});
    }
    function changedText() {
      clearTimeout(countTimer);
      countTimer = setTimeout(count, 150);
      typingNow();
    }
    function insert(value) {
      if (!text) return;
      var start = text.selectionStart, end = text.selectionEnd;
      if (text.value.trim() === "") {
        text.value = value;
      } else {
        text.value = text.value.slice(0, start) + value + text.value.slice(end);
      }
      text.focus();
      changedText();
    }
    if (text) text.addEventListener("input", changedText);

    var picker = document.getElementById("saved-reply");
    var insertButton = document.getElementById("saved-reply-insert");
    var savedError = document.getElementById("saved-reply-error");
    if (picker && insertButton) {
      insertButton.addEventListener("click", function () {
        fetch(base + "/saved-reply?name=" + encodeURIComponent(picker.value), { credentials: "same-origin" })
          .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
          .then(function (a) {
            if (a.ok) { if (savedError) savedError.textContent = ""; insert(a.body.text); }
            else if (savedError) savedError.textContent = a.body.error || "The saved reply could not be read.";
          })
          .catch(function () { if (savedError) savedError.textContent = "The saved reply could not be read."; });
      });
    }
    // --- saved replies by `/shortcut` in the reply box ---------------------------------------
    // Typing `/` at the start of a word lists the saved replies whose shortcut starts with what
    // follows; arrows move, Enter or Tab inserts the reply rendered for this case (the same
    // JSON route as the picker) in place of the `/shortcut`, Escape closes the list.
    var menu = document.getElementById("slash-menu");
    if (text && menu) {
      var options = Array.prototype.slice.call(menu.querySelectorAll("[role=option]"));
      var shown = [];
      var active = -1;
      var slashAt = -1;
      function closeMenu() {
        menu.hidden = true;
        text.setAttribute("aria-expanded", "false");
        text.removeAttribute("aria-activedescendant");
        shown = [];
        active = -1;
        slashAt = -1;
      }
      function mark(i) {
        active = i;
        options.forEach(function (o) { o.setAttribute("aria-selected", o === shown[i] ? "true" : "false"); });
        if (i >= 0 && shown[i]) {
          text.setAttribute("aria-activedescendant", shown[i].id);
          if (shown[i].scrollIntoView) shown[i].scrollIntoView({ block: "nearest" });
        }
      }
      // The `/word` that ends at the caret, if there is one.
      function typedShortcut() {
        var before = text.value.slice(0, text.selectionStart);
        var m = /(^|\s)\/([\w-]*)$/.exec(before);
        if (!m) return null;
        return { at: before.length - m[2].length - 1, prefix: m[2].toLowerCase() };
      }
      function update() {
        var typed = typedShortcut();
        if (!typed) { closeMenu(); return; }
        shown = options.filter(function (o) {
          var key = (o.getAttribute("data-key") || "").toLowerCase();
          var name = (o.getAttribute("data-name") || "").toLowerCase();
          var match = key.indexOf(typed.prefix) === 0 || name.indexOf(typed.prefix) === 0;
          o.hidden = !match;
          return match;
        });
        if (shown.length === 0) { closeMenu(); return; }
        slashAt = typed.at;
        menu.hidden = false;
        text.setAttribute("aria-expanded", "true");
        mark(0);
      }
      function choose(option) {
        var at = slashAt;
        var end = text.selectionStart;
        var name = option.getAttribute("data-name");
        closeMenu();
        fetch(base + "/saved-reply?name=" + encodeURIComponent(name), { credentials: "same-origin" })
          .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
          .then(function (a) {
            if (!a.ok) {
              if (savedError) savedError.textContent = a.body.error || "The saved reply could not be read.";
              return;
            }
            if (savedError) savedError.textContent = "";
            text.value = text.value.slice(0, at) + a.body.text + text.value.slice(end);
            var caret = at + a.body.text.length;
            text.focus();
            text.setSelectionRange(caret, caret);
            changedText();
          })
          .catch(function () { if (savedError) savedError.textContent = "The saved reply could not be read."; });
      }
      text.addEventListener("input", update);
      text.addEventListener("click", update);
      text.addEventListener("blur", function () { setTimeout(closeMenu, 150); });
      text.addEventListener("keydown", function (e) {
        if (menu.hidden || shown.length === 0) return;
        if (e.key === "ArrowDown") { e.preventDefault(); mark((active + 1) % shown.length); }
        else if (e.key === "ArrowUp") { e.preventDefault(); mark((active - 1 + shown.length) % shown.length); }
        else if (e.key === "Enter" || e.key === "Tab") {
          if (active >= 0) { e.preventDefault(); choose(shown[active]); }
        } else if (e.key === "Escape") { e.preventDefault(); closeMenu(); }
      });
      options.forEach(function (o) {
        // mousedown, not click: the reply box keeps the caret where the shortcut ends.
        o.addEventListener("mousedown", function (e) { e.preventDefault(); choose(o); });
      });
    }

    document.querySelectorAll("[data-suggestion]").forEach(function (b) {
      b.addEventListener("click", function () {
        var source = document.getElementById(b.getAttribute("data-suggestion"));
        if (source && text) { text.value = source.textContent; text.focus(); changedText(); }
      });
    });

    // --- presence: who else is on the case ----------------------------------------------------
    function show(others) {
      if (!banner) return;
      banner.textContent = "";
      (others || []).forEach(function (o) {
        var line = document.createElement("span");
        line.textContent = o.name + (o.activity === "typing" ? " is typing a reply" : " is viewing this case");
        banner.appendChild(line);
      });
    }
    function activity() {
      return text && text.value.trim() !== "" ? "typing" : "viewing";
    }
    var lastSent = null;
    function beat() {
      lastSent = activity();
      var body = new URLSearchParams({ csrf: csrf, activity: lastSent });
      fetch(base + "/presence", { method: "POST", body: body, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (a) { if (a) show(a.others); })
        .catch(function () {});
    }
    function typingNow() {
      if (activity() !== lastSent) beat();
    }
    beat();
    setInterval(beat, HEARTBEAT_MS);
    window.addEventListener("pagehide", function () {
      var body = new URLSearchParams({ csrf: csrf, activity: "left" });
      if (navigator.sendBeacon) navigator.sendBeacon(base + "/presence", body);
    });

    // --- live: presence changes and changes to the case ---------------------------------------
    // Closed when the page is left (a page kept in the back/forward cache would hold one of the
    // six connections HTTP/1.1 allows per host), opened again when it comes back.
    var source = null;
    function listen() {
      if (!window.EventSource || source) return;
      source = new EventSource(base + "/events");
      source.addEventListener("presence", function (e) {
        try { show(JSON.parse(e.data).others); } catch (err) { /* ignore a bad event */ }
      });
      source.addEventListener("case", function (e) {
        if (leaving || !changed) return;
        var c = {};
        try { c = JSON.parse(e.data); } catch (err) { /* treat as a change */ }
        // Notes and replies (queued, or sent, failed, retried by the publisher) leave the
        // version as it was; other changes bump it.
        if (c.version == null || c.version > version || c.kind === "note_added" ||
            c.kind === "reply_queued" || c.kind === "reply_updated" ||
            c.kind === "post_joined" || c.kind === "lagged") {
          changed.hidden = false;
        }
      });
    }
    listen();
    window.addEventListener("pagehide", function () {
      if (source) source.close();
      source = null;
    });
    window.addEventListener("pageshow", function (e) {
      if (e.persisted) {
        leaving = false;
        beat();
        listen();
      }
    });
  });
})();
