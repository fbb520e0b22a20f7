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

  var body = document.querySelector("#update-form textarea[name='body']");

  function insertText(text) {
    if (!body) return;
    var start = body.selectionStart || body.value.length;
    var end = body.selectionEnd || body.value.length;
    var before = body.value.slice(0, start);
    var spacer = before && !/\s$/.test(before) ? " " : "";
    body.value = before + spacer + text + body.value.slice(end);
    body.focus();
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
