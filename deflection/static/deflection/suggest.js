// Suggestions while the customer types (progressive enhancement: the form works without this).
//
// Asks only from 3 characters, after a pause in typing (or every few seconds during a long burst),
// never more often than the server's rate limit allows (the page gives the spacing), and cancels
// a request that a newer draft supersedes: a person typing never meets the limit, and an older
// answer never replaces a newer one. A 429 (several tabs, a shared address) keeps the results on
// screen and asks again once the server says it may. Results are announced in the live region.
(function () {
  "use strict";
  var DEBOUNCE_MS = 400;
  var MAX_WAIT_MS = 3000; // a long burst of typing still refreshes the suggestions
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
  var spacingMs = Math.max(DEBOUNCE_MS, parseInt(form.dataset.suggestSpacingMs, 10) || 0);
  var announcements = readAnnouncements();

  var timer = null;
  var burstSince = null; // when the first input not yet asked about happened
  var notBefore = 0; // earliest time the next request may leave
  var sequence = 0;
  var inflight = null; // {id, controller}
  var askWhenLanded = false;
  var lastDraft = null; // the draft of the newest request sent (or answered)
  var languageNotes = JSON.parse(region.dataset.languageNotes || "{}");

  function readAnnouncements() {
    var node = document.getElementById("deflection-announcements");
    try {
      return node ? JSON.parse(node.textContent) : {};
    } catch (error) {
      return {};
    }
  }

  function draftText() {
    return ((subject && subject.value) || "") + "\n" + ((description && description.value) || "");
  }

  function announce(data) {
    var count = data.suggestions.length;
    if (!count) {
      status.textContent = region.dataset.textNone;
      return;
    }
    var sentence = announcements[String(count)] || region.dataset.textFound;
    status.textContent = sentence.replace("%(title)s", data.suggestions[0].title);
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
    announce(data);
  }

  function retryAfterMs(response) {
    var seconds = parseInt(response.headers.get("Retry-After"), 10);
    return (isFinite(seconds) && seconds > 0 ? seconds : 1) * 1000;
  }

  function landed(id) {
    if (!inflight || inflight.id !== id) return;
    inflight = null;
    if (askWhenLanded) {
      askWhenLanded = false;
      schedule();
    }
  }

  function ask() {
    timer = null;
    burstSince = null;
    var draft = draftText();
    if (draft.trim().length < MIN_CHARS || draft === lastDraft) return;
    if (inflight && !(sessionInput && sessionInput.value)) {
      // The first answer creates the session: wait for it rather than start a second one.
      askWhenLanded = true;
      return;
    }
    if (inflight) inflight.controller.abort();
    var id = ++sequence;
    var controller = window.AbortController ? new AbortController() : { abort: function () {}, signal: undefined };
    inflight = { id: id, controller: controller };
    lastDraft = draft;
    notBefore = Date.now() + spacingMs;
    fetch(form.dataset.suggestUrl, {
      method: "POST",
      credentials: "same-origin",
      signal: controller.signal,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
      body: JSON.stringify({
        subject: subject ? subject.value : "",
        description: description ? description.value : "",
        language: form.dataset.language,
        session: sessionInput && sessionInput.value ? sessionInput.value : null,
      }),
    })
      .then(function (response) {
        if (response.status === 429) {
          notBefore = Math.max(notBefore, Date.now() + retryAfterMs(response));
          if (id === sequence) {
            lastDraft = null; // ask again for the same draft once allowed; keep what is shown
            schedule();
          }
          return null;
        }
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        landed(id);
        if (!data || id !== sequence) return; // superseded: a newer request is on its way
        if (data.session && sessionInput) sessionInput.value = data.session;
        render(data);
      })
      .catch(function (error) {
        landed(id);
        if (id !== sequence || (error && error.name === "AbortError")) return;
        lastDraft = null;
        status.textContent = region.dataset.textError;
      });
  }

  function schedule() {
    var now = Date.now();
    if (burstSince === null) burstSince = now;
    var wait = Math.min(DEBOUNCE_MS, Math.max(0, burstSince + MAX_WAIT_MS - now));
    wait = Math.max(wait, notBefore - now);
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, wait);
  }

  [subject, description].forEach(function (field) {
    if (field) field.addEventListener("input", schedule);
  });
})();
