// Agent workspace: select-all for bulk actions, macro insertion, inline help-article search.
// Loaded as a static file (the CSP forbids inline scripts); every feature also works without it.
(function () {
  "use strict";

  var selectAll = document.querySelector("[data-select-all]");
  if (selectAll) {
    selectAll.addEventListener("change", function () {
      document.querySelectorAll('input[name="tickets"]').forEach(function (box) {
        box.checked = selectAll.checked;
      });
    });
  }

  var updateForm = document.getElementById("update-form");
  var body = document.querySelector("#update-form textarea[name='body']");
  // Where the agent left the caret: clicking "Insert link" moves the focus away from the box.
  var caret = null;

  function rememberCaret() {
    caret = { start: body.selectionStart, end: body.selectionEnd };
  }

  if (body) {
    ["keyup", "mouseup", "select", "input", "blur"].forEach(function (name) {
      body.addEventListener(name, rememberCaret);
    });
  }

  // Where the sign-off starts, or -1: an RFC 3676 "-- " line, else a last paragraph that ends
  // with the agent's name as macros sign ("Best regards,\nAlex").
  function signatureStart(text) {
    var delimiter = text.search(/(^|\n)-- ?\n/);
    if (delimiter >= 0) return text.charAt(delimiter) === "\n" ? delimiter + 1 : delimiter;
    var names = [updateForm.dataset.signatureFirst, updateForm.dataset.signatureFull]
      .filter(Boolean)
      .map(function (name) { return name.trim().toLowerCase(); });
    var trimmed = text.replace(/\s+$/, "");
    var lastLine = trimmed.slice(trimmed.lastIndexOf("\n") + 1).trim().toLowerCase();
    if (!names.length || names.indexOf(lastLine) < 0) return -1;
    var paragraph = trimmed.lastIndexOf("\n\n");
    return paragraph < 0 ? -1 : paragraph + 2;
  }

  // Text goes where the caret is, replacing a selection; a caret in or after the signature (or
  // no caret yet) puts it above the signature, in its own paragraph.
  function insertText(text) {
    if (!body) return;
    var value = body.value;
    var start = caret ? caret.start : value.length;
    var end = caret ? caret.end : value.length;
    var signature = signatureStart(value);
    var inserted;
    if (signature >= 0 && end >= signature) {
      var above = value.slice(0, signature).replace(/\s+$/, "");
      inserted = (above ? "\n\n" : "") + text + "\n\n";
      body.value = above + inserted + value.slice(signature);
      start = above.length;
    } else {
      var before = value.slice(0, start);
      var spacer = before && !/\s$/.test(before) ? " " : "";
      inserted = spacer + text;
      body.value = before + inserted + value.slice(end);
    }
    var after = start + inserted.length;
    body.focus();
    body.setSelectionRange(after, after);
    rememberCaret();
  }

  var macroSelect = document.querySelector("[data-macro-select]");
  if (macroSelect) {
    document.querySelectorAll("[data-no-js-only]").forEach(function (el) { el.hidden = true; });
    macroSelect.addEventListener("change", function () {
      var option = macroSelect.options[macroSelect.selectedIndex];
      if (!option || !option.value) return;
      insertText(option.getAttribute("data-text") || "");
      var kind = option.getAttribute("data-note") === "1" ? "note" : "public";
      var radio = document.querySelector("#update-form input[name='kind'][value='" + kind + "']");
      if (radio) radio.checked = true;
      macroSelect.selectedIndex = 0;
    });
  }

  var results = document.querySelector("[data-article-results]");
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-insert-link]");
    if (!button) return;
    event.preventDefault();
    insertText(button.getAttribute("data-title") + ": " + button.getAttribute("data-url"));
  });

  var searchForm = document.querySelector("[data-article-search]");
  if (searchForm && results) {
    searchForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var query = searchForm.querySelector("input[name='article_q']").value.trim();
      var url = searchForm.getAttribute("data-article-search") + "?q=" + encodeURIComponent(query);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          results.textContent = "";
          var hits = data.hits || [];
          if (!hits.length) {
            var empty = document.createElement("li");
            empty.className = "muted";
            empty.textContent = data.error || results.getAttribute("data-empty-label");
            results.appendChild(empty);
            return;
          }
          hits.forEach(function (hit) {
            var item = document.createElement("li");
            var link = document.createElement("a");
            link.href = hit.url;
            link.target = "_blank";
            link.rel = "noopener";
            link.textContent = hit.title;
            item.appendChild(link);
            if (hit.is_fallback) {
              var note = document.createElement("small");
              note.className = "muted";
              note.textContent = " " + results.getAttribute("data-fallback-label");
              item.appendChild(note);
            }
            var insert = document.createElement("button");
            insert.type = "button";
            insert.className = "link";
            insert.setAttribute("data-insert-link", "");
            insert.setAttribute("data-title", hit.title);
            insert.setAttribute("data-url", hit.url);
            insert.textContent = results.getAttribute("data-insert-label");
            item.appendChild(document.createTextNode(" "));
            item.appendChild(insert);
            results.appendChild(item);
          });
        });
    });
  }
})();
