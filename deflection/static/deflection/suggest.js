// Suggestions while the customer types (progressive enhancement: the form works without this).
// Debounced; asks only from 3 characters; the newest answer wins; results are announced politely.
(function () {
  "use strict";
  var DEBOUNCE_MS = 400;
  var MIN_CHARS = 3;

  var form = document.querySelector("[data-deflection-form]");
  if (!form || !window.fetch) return;
  var region = form.querySelector("[data-deflection-results]");
  var list = region.querySelector("[data-deflection-list]");
  var status = region.querySelector("[data-deflection-status]");
  var subject = form.querySelector("[name=subject]");
  var description = form.querySelector("[name=description]");
  var sessionInput = form.querySelector("[name=session]");
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]");
  var timer = null;
  var sequence = 0;
  var lastDraft = null;
  var languageNotes = JSON.parse(region.dataset.languageNotes || "{}");

  function draftText() {
    return ((subject && subject.value) || "") + "\n" + ((description && description.value) || "");
  }

  function render(data) {
    list.textContent = "";
    data.suggestions.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "deflection-item";
      var link = document.createElement("a");
      link.className = "deflection-link";
      link.href = item.open_url;
      link.textContent = item.title;
      li.appendChild(link);
      // An article in another language than the page's says why (deflection/labels.py).
      var noteText = "";
      if (item.language && item.language !== form.dataset.language) {
        noteText = item.is_fallback ? region.dataset.textFallback : languageNotes[item.language] || "";
      }
      if (noteText) {
        var note = document.createElement("span");
        note.className = "deflection-fallback";
        note.textContent = noteText;
        li.appendChild(note);
      }
      var text = document.createElement("p");
      text.className = "deflection-snippet";
      // The server reduces snippets to escaped text and <mark> tags (safe_snippet).
      if (item.snippet) text.innerHTML = item.snippet;
      else text.textContent = item.summary;
      li.appendChild(text);
      list.appendChild(li);
    });
    status.textContent = data.suggestions.length ? region.dataset.textFound : region.dataset.textNone;
  }

  function ask() {
    var draft = draftText();
    if (draft.trim().length < MIN_CHARS || draft === lastDraft) return;
    lastDraft = draft;
    var mine = ++sequence;
    fetch(form.dataset.suggestUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
      body: JSON.stringify({
        subject: subject ? subject.value : "",
        description: description ? description.value : "",
        language: form.dataset.language,
        session: sessionInput && sessionInput.value ? sessionInput.value : null,
      }),
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        if (mine !== sequence) return; // a newer request is on its way
        if (data.session && sessionInput) sessionInput.value = data.session;
        render(data);
      })
      .catch(function () {
        if (mine !== sequence) return;
        lastDraft = null;
        status.textContent = region.dataset.textError;
      });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, DEBOUNCE_MS);
  }

  [subject, description].forEach(function (field) {
    if (field) field.addEventListener("input", schedule);
  });
})();
