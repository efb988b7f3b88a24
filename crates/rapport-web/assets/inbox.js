// The inbox: keyboard shortcuts and live updates. Without this script the page still works
// (links, the sort form, the bulk form); with it, j/k move a selection over the rows
// (tr[data-case-id], the selected one aria-selected="true"), and every change announced on
// /inbox/events makes the page fetch its counts and list again and swap them in.
(function () {
  "use strict";

  var root, list, counts, message, dialog, csrf, canWrite;
  // The undo toast: shown for UNDO_MS after an action that can be taken back.
  var UNDO_MS = 8000;
  var toast, toastText, toastToken, toastTimer = null;
  var selectedId = null;
  var lastFocus = null;
  var refreshTimer = null;
  var refreshSeq = 0;

  function rows() {
    return Array.prototype.slice.call(list.querySelectorAll("tr[data-case-id]"));
  }

  function selectedRow() {
    if (selectedId === null) return null;
    return list.querySelector('tr[data-case-id="' + selectedId + '"]');
  }

  // Marks one row selected (aria-selected, aria-current, a focus ring) and scrolls it in.
  function select(row, focus) {
    rows().forEach(function (r) {
      r.setAttribute("aria-selected", r === row ? "true" : "false");
      if (r === row) r.setAttribute("aria-current", "true");
      else r.removeAttribute("aria-current");
      r.tabIndex = r === row ? 0 : -1;
    });
    selectedId = row ? row.getAttribute("data-case-id") : null;
    if (row && focus) {
      row.focus({ preventScroll: true });
      row.scrollIntoView({ block: "nearest" });
    }
  }

  function move(by) {
    var all = rows();
    if (!all.length) return;
    var at = all.indexOf(selectedRow());
    var next = at < 0 ? (by > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, at + by));
    select(all[next], true);
  }

  function say(text) {
    // textContent: the message may quote what the user typed.
    message.textContent = text;
  }

  function caseUrl(row, hash) {
    return "/cases/" + encodeURIComponent(row.getAttribute("data-case-id")) + (hash || "");
  }

  // The list's own address (view, sort, page) with fragment=1.
  function fragmentUrl() {
    var pager = list.querySelector("[data-here]");
    var here = pager ? pager.getAttribute("data-here") : "/inbox" + window.location.search;
    return here + (here.indexOf("?") < 0 ? "?" : "&") + "fragment=1";
  }

  // Fetches the counts and list again and swaps them in, keeping the selection, the checked
  // boxes and the focus.
  function refresh() {
    var mine = ++refreshSeq;
    fetch(fragmentUrl(), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) {
        if (r.redirected || !r.ok) throw new Error("status " + r.status);
        return r.text();
      })
      .then(function (html) {
        if (mine !== refreshSeq) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        var newCounts = doc.getElementById("inbox-counts");
        var newList = doc.getElementById("inbox-list");
        if (!newCounts || !newList) return;
        var checked = {};
        list.querySelectorAll('input[name="case"]:checked').forEach(function (c) {
          checked[c.value] = true;
        });
        var hadFocus = list.contains(document.activeElement);
        var oldIndex = rows().indexOf(selectedRow());
        counts.replaceChildren.apply(counts, Array.prototype.slice.call(newCounts.childNodes));
        list.replaceChildren.apply(list, Array.prototype.slice.call(newList.childNodes));
        list.querySelectorAll('input[name="case"]').forEach(function (c) {
          c.checked = !!checked[c.value];
        });
        var row = selectedRow();
        if (!row && selectedId !== null) {
          var all = rows();
          row = all.length ? all[Math.min(Math.max(oldIndex, 0), all.length - 1)] : null;
        }
        select(row, hadFocus);
      })
      .catch(function () {});
  }

  function refreshSoon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, 250);
  }

  function hideUndo() {
    clearTimeout(toastTimer);
    if (toast) toast.hidden = true;
  }

  function showUndo(text, token) {
    if (!toast) return;
    toastText.textContent = text;
    toastToken.value = token;
    toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(hideUndo, UNDO_MS);
  }

  // Takes the last action back through POST /undo; the answer comes back as JSON.
  function undo() {
    if (!toast || toast.hidden || !toastToken.value) return;
    var body = new URLSearchParams();
    body.append("csrf", csrf);
    body.append("reply", "json");
    body.append("token", toastToken.value);
    hideUndo();
    toastToken.value = "";
    fetch("/undo", { method: "POST", credentials: "same-origin", body: body })
      .then(function (r) { return r.ok ? r.json() : { message: "Undo failed (" + r.status + ")." }; })
      .then(function (answer) {
        say(answer.message || "");
        refresh();
      })
      .catch(function () { say("Undo failed; check the connection and try again."); });
  }

  // One action on one case through the bulk form's endpoint; the answer comes back as JSON.
  function act(row, fields) {
    if (!canWrite || !row) return;
    var body = new URLSearchParams();
    body.append("csrf", csrf);
    body.append("reply", "json");
    body.append("case", row.getAttribute("data-case-id"));
    Object.keys(fields).forEach(function (k) { body.append(k, fields[k]); });
    fetch("/inbox/bulk", { method: "POST", credentials: "same-origin", body: body })
      .then(function (r) { return r.ok ? r.json() : { message: "The action failed (" + r.status + ")." }; })
      .then(function (answer) {
        say(answer.message || "");
        if (answer.undo) showUndo(answer.message || "Done.", answer.undo);
        refresh();
      })
      .catch(function () { say("The action failed; check the connection and try again."); });
  }

  function openDialog() {
    lastFocus = document.activeElement;
    dialog.hidden = false;
    document.getElementById("shortcuts-close").focus();
  }

  function closeDialog() {
    dialog.hidden = true;
    if (lastFocus && document.contains(lastFocus)) lastFocus.focus();
  }

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function onKey(e) {
    if (!dialog.hidden) {
      if (e.key === "Escape") {
        e.preventDefault();
        closeDialog();
      } else if (e.key === "Tab") {
        // The dialog has one control: keep the focus on it.
        e.preventDefault();
        document.getElementById("shortcuts-close").focus();
      }
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    var row = selectedRow();
    switch (e.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "Enter":
        // Enter on a link or button keeps its own meaning.
        if (e.target.closest && e.target.closest("a, button")) return;
        if (row) window.location.href = caseUrl(row);
        break;
      case "o": if (row) window.location.href = caseUrl(row); break;
      case "r": if (row) window.location.href = caseUrl(row, "#reply"); break;
      case "e": act(row, { action: "resolve" }); break;
      case "a": act(row, { action: "assign_me" }); break;
      case "u": undo(); break;
      case "x": {
        var box = row && row.querySelector('input[name="case"]');
        if (box) box.checked = !box.checked;
        break;
      }
      case "?": openDialog(); break;
      default: return;
    }
    e.preventDefault();
  }

  // The live stream is closed whenever the page is left. A browser keeps left pages in its
  // back/forward cache with their streams open, and HTTP/1.1 allows six connections per host:
  // after six view switches every further request waited about a minute for a free one.
  var source = null;
  var connected = false;

  function listen() {
    if (!window.EventSource || source) return;
    source = new EventSource("/inbox/events");
    source.addEventListener("ready", function () {
      // A stream after the first: changes between the two were not seen.
      if (connected) refreshSoon();
      connected = true;
    });
    source.addEventListener("case", refreshSoon);
    source.addEventListener("reload", refreshSoon);
  }

  function stopListening() {
    if (source) source.close();
    source = null;
  }

  window.addEventListener("pagehide", stopListening);
  window.addEventListener("pageshow", function (e) {
    // Back from the cache: listen again; the "ready" of the new stream refreshes the list.
    if (e.persisted && root) listen();
  });

  document.addEventListener("DOMContentLoaded", function () {
    root = document.getElementById("inbox");
    if (!root) return;
    list = document.getElementById("inbox-list");
    counts = document.getElementById("inbox-counts");
    message = document.getElementById("inbox-message");
    dialog = document.getElementById("shortcuts");
    csrf = root.getAttribute("data-csrf");
    canWrite = root.getAttribute("data-can-write") === "1";
    toast = document.getElementById("undo-toast");
    if (toast) {
      toastText = document.getElementById("undo-text");
      toastToken = document.getElementById("undo-token");
      document.getElementById("undo-form").addEventListener("submit", function (e) {
        e.preventDefault();
        undo();
      });
      // A toast the server drew (after the bulk form) goes away as one drawn here does.
      if (!toast.hidden) {
        toastTimer = setTimeout(hideUndo, UNDO_MS);
        // A reload must not show the toast again.
        var here = list.querySelector("[data-here]");
        if (here && window.history && window.history.replaceState) {
          window.history.replaceState(null, "", here.getAttribute("data-here"));
        }
      }
    }

    document.addEventListener("keydown", onKey);
    document.getElementById("shortcuts-open").addEventListener("click", openDialog);
    document.getElementById("shortcuts-close").addEventListener("click", closeDialog);
    dialog.addEventListener("click", function (e) { if (e.target === dialog) closeDialog(); });
    // A click on a row selects it (links and boxes keep their own meaning).
    list.addEventListener("click", function (e) {
      var row = e.target.closest("tr[data-case-id]");
      if (row) select(row, false);
    });
    var sort = document.getElementById("inbox-sort");
    if (sort) sort.addEventListener("change", function () { sort.form.submit(); });

    select(rows()[0] || null, false);
    listen();
  });
})();
